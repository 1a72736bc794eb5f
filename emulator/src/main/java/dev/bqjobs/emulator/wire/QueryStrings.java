package dev.bqjobs.emulator.wire;

import dev.bqjobs.emulator.errors.BigQueryError;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A URL's query string as the BigQuery and Cloud Storage APIs read it: repeated keys kept. */
public final class QueryStrings {
  private QueryStrings() {}

  /**
   * Each parameter's values in order of appearance; an empty or absent query gives an empty map.
   *
   * @throws BigQueryError {@code invalid} for malformed percent-encoding, naming the query
   */
  public static Map<String, List<String>> parse(String rawQuery) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return out;
    }
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      try {
        key = URLDecoder.decode(key, StandardCharsets.UTF_8);
        value = URLDecoder.decode(value, StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw BigQueryError.invalid("Malformed query string: " + rawQuery);
      }
      out.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }
    return out;
  }
}
