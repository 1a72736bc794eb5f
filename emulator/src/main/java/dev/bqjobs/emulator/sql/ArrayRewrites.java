package dev.bqjobs.emulator.sql;

import static dev.bqjobs.emulator.sql.FunctionRewrites.add;
import static dev.bqjobs.emulator.sql.ValueRewrites.errorOrNull;

import dev.bqjobs.emulator.sql.FunctionRewrites.Call;
import dev.bqjobs.emulator.sql.FunctionRewrites.Rewrite;
import java.util.Locale;
import java.util.Map;

/**
 * Array functions: ARRAY_SLICE's 0-based offsets, ARRAY_FIRST/LAST of an empty array (fails),
 * ARRAY_REVERSE of NULL.
 */
final class ArrayRewrites {
  private ArrayRewrites() {}

  static void register(Map<String, Rewrite> t) {
    add(
        t,
        c ->
            c.n() == 1
                ? "CASE WHEN ("
                    + c.arg(0)
                    + ") IS NULL THEN NULL ELSE list_reverse("
                    + c.arg(0)
                    + ") END"
                : null,
        "ARRAY_REVERSE");
    add(t, ArrayRewrites::arraySlice, "ARRAY_SLICE");
    add(t, c -> arrayEnd(c, "first", "1"), "ARRAY_FIRST");
    add(t, c -> arrayEnd(c, "last", "-1"), "ARRAY_LAST");
  }

  /**
   * ARRAY_SLICE(a, start, end): BigQuery's offsets are 0-based and inclusive, negative ones count
   * from the end (-1 is the last); DuckDB's list_slice is 1-based with the same negative rule.
   */
  private static String arraySlice(Call c) {
    if (c.n() != 3) {
      return null;
    }
    String start = c.arg(1);
    String end = c.arg(2);
    return "CASE WHEN ("
        + start
        + ") IS NULL OR ("
        + end
        + ") IS NULL THEN NULL ELSE list_slice("
        + c.arg(0)
        + ", "
        + oneBased(start)
        + ", "
        + oneBased(end)
        + ") END";
  }

  private static String oneBased(String offset) {
    return "CASE WHEN (" + offset + ") >= 0 THEN (" + offset + ") + 1 ELSE " + offset + " END";
  }

  private static String arrayEnd(Call c, String which, String index) {
    if (c.n() != 1) {
      return null;
    }
    String a = c.arg(0);
    return "CASE WHEN len("
        + a
        + ") = 0 THEN "
        + errorOrNull(
            c,
            "'ARRAY_"
                + which.toUpperCase(Locale.ROOT)
                + " cannot get the "
                + which
                + " element of an empty array'")
        + " ELSE ("
        + a
        + ")["
        + index
        + "] END";
  }
}
