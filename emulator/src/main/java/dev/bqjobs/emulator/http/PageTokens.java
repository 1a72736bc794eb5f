package dev.bqjobs.emulator.http;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Opaque page tokens of list methods, as in BigQuery; each carries the index of the next item. */
public final class PageTokens {
  private PageTokens() {}

  public static String encode(long index) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(("o:" + index).getBytes(StandardCharsets.UTF_8));
  }

  /** The index a token carries; 0 for none; 400 {@code invalid} for a token we did not make. */
  public static long decode(String token) {
    if (token == null || token.isEmpty()) {
      return 0;
    }
    try {
      String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      if (text.startsWith("o:")) {
        long index = Long.parseLong(text.substring(2));
        if (index >= 0) {
          return index;
        }
      }
    } catch (IllegalArgumentException e) {
      // answered below
    }
    String shown = token.length() > 80 ? token.substring(0, 80) + "..." : token;
    throw ApiException.invalid("Invalid page token: \"" + shown + "\"");
  }
}
