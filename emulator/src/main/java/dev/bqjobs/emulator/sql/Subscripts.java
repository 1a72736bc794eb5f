package dev.bqjobs.emulator.sql;

import java.util.List;
import java.util.Locale;

/**
 * Rewrites each {@code arr[OFFSET(i)]}, {@code [ORDINAL(i)]}, {@code [SAFE_OFFSET(i)]} and {@code
 * [SAFE_ORDINAL(i)]} as a call of the {@code bq_array_at} macro: BigQuery fails an out-of-range
 * OFFSET or ORDINAL with {@code Array index 5 is out of bounds (overflow)} (or {@code (underflow)}
 * below the first element), where DuckDB's {@code arr[i]} returns NULL and counts negative indexes
 * from the end. The array is the primary before the {@code [}, found the way {@link Divisions}
 * finds a division's left operand.
 */
final class Subscripts {
  /** The macro, defined once per database by {@link DuckDbTypes#databaseSetup()}. */
  static final String FUNCTION = "bq_array_at";

  private Subscripts() {}

  /**
   * Adds the edits that turn every OFFSET/ORDINAL subscript of the statement into a checked one.
   */
  static void mark(List<Token> tokens, Edits edits) {
    for (int open = 1; open + 3 < tokens.size(); open++) {
      if (!tokens.get(open).isSymbol("[") || !tokens.get(open + 2).isSymbol("(")) {
        continue;
      }
      String keyword = tokens.get(open + 1).upper();
      boolean zeroBased = keyword.equals("OFFSET") || keyword.equals("SAFE_OFFSET");
      boolean oneBased = keyword.equals("ORDINAL") || keyword.equals("SAFE_ORDINAL");
      if (!zeroBased && !oneBased) {
        continue;
      }
      int close = Divisions.closing(tokens, open + 2);
      if (close < 0 || close + 1 >= tokens.size() || !tokens.get(close + 1).isSymbol("]")) {
        continue;
      }
      int array = Divisions.primaryStart(tokens, open - 1);
      if (array < 0) {
        throw Rewriter.syntax(
            "Array element access with " + keyword + " needs an array before \"[\"",
            tokens.get(open));
      }
      boolean safe = keyword.startsWith("SAFE_");
      // Later (outer) subscripts open first: a[OFFSET(0)][OFFSET(1)] wraps the inner call.
      edits.insertBefore.merge(
          array, DuckDbTypes.MACROS + FUNCTION + "(", (earlier, mine) -> mine + earlier);
      edits.replacements.put(open, new Edits.Replacement(open + 3, ", ("));
      edits.replacements.put(
          close,
          new Edits.Replacement(
              close + 2,
              "), "
                  + (zeroBased ? 0 : 1)
                  + ", "
                  + String.valueOf(safe).toUpperCase(Locale.ROOT)
                  + ")"));
    }
  }
}
