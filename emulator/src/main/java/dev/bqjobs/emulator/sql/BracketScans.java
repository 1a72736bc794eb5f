package dev.bqjobs.emulator.sql;

import java.util.List;
import java.util.function.Predicate;

/**
 * Walks over a statement's tokens at one bracket depth, skipping what nested brackets hold: how the
 * rewrites and the script parser tell which clause a token belongs to without parsing the whole
 * statement.
 */
final class BracketScans {
  private BracketScans() {}

  /** Index of the first token outside any bracket that {@code wanted} accepts, or -1. */
  static int firstAtTopLevel(List<Token> tokens, Predicate<Token> wanted) {
    int depth = 0;
    for (int k = 0; k < tokens.size(); k++) {
      Token t = tokens.get(k);
      if (t.isSymbol("(") || t.isSymbol("[")) {
        depth++;
      } else if (t.isSymbol(")") || t.isSymbol("]")) {
        depth--;
      } else if (depth == 0 && wanted.test(t)) {
        return k;
      }
    }
    return -1;
  }

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
