package dev.bqjobs.emulator.wire;

import dev.bqjobs.emulator.errors.BigQueryError;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Opaque page tokens of list methods, as in BigQuery. Row pages (tabledata.list, getQueryResults)
 * carry the index of the next row; resource lists (jobs, datasets, tables) carry the key of the
 * last item returned, so items created or deleted between two pages neither repeat nor skip any
 * other item.
 */
public final class PageTokens {
  private static final String INDEX = "o:";
  private static final String KEY = "k:";

  private PageTokens() {}

  /** A token for the page starting at row {@code index}. */
  public static String encode(long index) {
    return wrap(INDEX + index);
  }

  /** The index a token carries; 0 for none; 400 {@code invalid} for a token we did not make. */
  public static long decode(String token) {
    if (token == null || token.isEmpty()) {
      return 0;
    }
    String text = unwrap(token);
    if (text != null && text.startsWith(INDEX)) {
      try {
        long index = Long.parseLong(text.substring(INDEX.length()));
        if (index >= 0) {
          return index;
        }
      } catch (NumberFormatException e) {
        // answered below
      }
    }
    throw invalid(token);
  }

  /** A token for the page after the item whose key is {@code lastKey}. */
  public static String after(String lastKey) {
    return wrap(KEY + lastKey);
  }

  /**
   * The last key a token carries; null for none; 400 {@code invalid} for a token we did not make.
   */
  public static String lastKey(String token) {
    if (token == null || token.isEmpty()) {
      return null;
    }
    String text = unwrap(token);
    if (text == null || !text.startsWith(KEY)) {
      throw invalid(token);
    }
    return text.substring(KEY.length());
  }

  /** The 400 for a token this server did not make. */
  public static BigQueryError invalid(String token) {
    String shown = token.length() > 80 ? token.substring(0, 80) + "..." : token;
    return BigQueryError.invalid("Invalid page token: \"" + shown + "\"");
  }

  private static String wrap(String text) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String unwrap(String token) {
    try {
      return new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
