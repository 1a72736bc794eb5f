package dev.bqjobs.emulator.sql;

import java.util.List;
import java.util.function.Predicate;

/**
 * A walk back over a statement's tokens at one bracket depth: how the rewrites tell which clause a
 * token belongs to without parsing the whole statement (nested brackets are skipped, leaving the
 * enclosing one ends the walk).
 */
final class BackwardScan {
  private BackwardScan() {}

  /**
   * Whether, going back from {@code from} (inclusive) at its own bracket depth, a token that {@code
   * found} accepts comes before one that {@code stop} accepts. Reaching the enclosing opening
   * bracket or the start of the statement first is a no.
   */
  static boolean foundBeforeStop(
      List<Token> tokens, int from, Predicate<Token> found, Predicate<Token> stop) {
    int depth = 0;
    for (int k = from; k >= 0; k--) {
      Token t = tokens.get(k);
      if (t.isSymbol(")") || t.isSymbol("]")) {
        depth++;
      } else if (t.isSymbol("(") || t.isSymbol("[")) {
        if (depth-- == 0) {
          return false;
        }
      } else if (depth == 0 && found.test(t)) {
        return true;
      } else if (depth == 0 && stop.test(t)) {
        return false;
      }
    }
    return false;
  }
}
