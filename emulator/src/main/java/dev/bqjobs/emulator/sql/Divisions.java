package dev.bqjobs.emulator.sql;

import dev.bqjobs.emulator.sql.Token.Kind;
import java.util.List;
import java.util.Set;

/**
 * Rewrites each {@code a / b} as {@code bq_divide(a, b)}: BigQuery fails a division by zero with
 * {@code division by zero: a / b}, where DuckDB returns Infinity or NULL. The operands are found on
 * the tokens by GoogleSQL's precedence: the right one is the primary after {@code /} (a literal,
 * parameter, path, call, bracketed expression or CASE, with subscripts), the left one the run of
 * primaries joined by {@code *}, {@code /} and {@code ||} before it (one precedence level,
 * left-associative). A {@code /} whose operands cannot be found this way is left as it is.
 */
final class Divisions {
  /** The macro, defined once per database by {@link DuckDbTypes#databaseSetup()}. */
  static final String FUNCTION = "bq_divide";

  private static final Set<String> TYPED_LITERALS =
      Set.of("DATE", "DATETIME", "TIMESTAMP", "TIME", "NUMERIC", "BIGNUMERIC", "JSON", "RANGE");

  private final List<Token> tokens;
  private final Edits edits;

  private Divisions(List<Token> tokens, Edits edits) {
    this.tokens = tokens;
    this.edits = edits;
  }

  /** Adds the edits that turn every division of the statement into a checked one. */
  static void mark(List<Token> tokens, Edits edits) {
    Divisions d = new Divisions(tokens, edits);
    for (int i = 1; i + 1 < tokens.size(); i++) {
      if (tokens.get(i).isSymbol("/")) {
        d.divide(i);
      }
    }
  }

  private void divide(int slash) {
    int left = leftStart(slash);
    int rightEnd = primaryEnd(slash + 1);
    if (left < 0 || rightEnd < 0 || edits.replacements.containsKey(slash)) {
      return;
    }
    // Outer calls open first: a later division whose left operand holds an earlier one wraps it.
    edits.insertBefore.merge(
        left, DuckDbTypes.MACROS + FUNCTION + "(", (earlier, mine) -> mine + earlier);
    edits.replacements.put(slash, new Edits.Replacement(slash + 1, ","));
    // Close before anything already appended there (an alias such as " AS f0_").
    edits.appendAfter.merge(rightEnd - 1, ")", (earlier, mine) -> mine + earlier);
  }

  /** Start of the left operand of the operator at {@code op}, or -1. */
  private int leftStart(int op) {
    int start = primaryStart(op - 1);
    while (start > 0) {
      Token before = tokens.get(start - 1);
      if (before.isSymbol("*") || before.isSymbol("/") || before.isSymbol("||")) {
        int s = primaryStart(start - 2);
        if (s < 0) {
          return -1;
        }
        start = s;
      } else {
        break;
      }
    }
    return start;
  }

  /** Start of the primary (with its subscripts) ending at {@code tokens.get(end)}, or -1. */
  static int primaryStart(List<Token> tokens, int end) {
    return new Divisions(tokens, null).primaryStart(end);
  }

  /** Index of the bracket closing the one at {@code open}, or a negative number. */
  static int closing(List<Token> tokens, int open) {
    return new Divisions(tokens, null).closing(open);
  }

  /** Start of the primary (with its subscripts) that ends at token {@code end}, or -1. */
  private int primaryStart(int end) {
    if (end < 0) {
      return -1;
    }
    Token t = tokens.get(end);
    int start;
    if (t.isSymbol(")") || t.isSymbol("]")) {
      start = opening(end);
      if (start < 0) {
        return -1;
      }
      int typed = typedConstructorStart(start);
      if (typed >= 0) {
        return typed; // ARRAY<T>[...] or STRUCT<...>(...): the whole constructor
      }
      if (t.isSymbol("]") && start > 0) {
        // a subscript: arr[OFFSET(0)] belongs to the primary before it; without one before it,
        // the brackets are an array literal ([1, 2][OFFSET(0)])
        int base = primaryStart(start - 1);
        return base >= 0 ? base : start;
      }
      if (start > 0 && isFunctionName(tokens.get(start - 1))) {
        start--; // a call
        if (start > 1 && tokens.get(start - 1).isSymbol(".")) {
          start -= 2; // SAFE.F(...) or a qualified function
        }
      }
      return start;
    }
    if (t.isWord("END")) {
      return caseStart(end);
    }
    if (t.kind() == Kind.STRING
        && end > 0
        && tokens.get(end - 1).kind() == Kind.WORD
        && TYPED_LITERALS.contains(tokens.get(end - 1).upper())) {
      return end - 1;
    }
    if (t.kind() == Kind.NUMBER
        || t.kind() == Kind.STRING
        || t.kind() == Kind.BYTES
        || t.kind() == Kind.PARAM
        || t.isSymbol("?")
        || t.isIdentifier()
        || (t.kind() == Kind.WORD && end > 0 && tokens.get(end - 1).isSymbol("."))) {
      start = end;
      while (start > 1
          && tokens.get(start - 1).isSymbol(".")
          && (tokens.get(start - 2).isIdentifier()
              || tokens.get(start - 2).isSymbol(")")
              || tokens.get(start - 2).isSymbol("]"))) {
        if (tokens.get(start - 2).isIdentifier()) {
          start -= 2;
        } else {
          int s = primaryStart(start - 2);
          return s;
        }
      }
      return start;
    }
    return -1;
  }

  /**
   * The ARRAY or STRUCT of a typed constructor whose value opens at {@code open} ({@code
   * ARRAY<INT64>[1, 2]}, {@code STRUCT<a INT64>(1)}), or -1.
   */
  private int typedConstructorStart(int open) {
    if (open < 1 || !tokens.get(open - 1).isSymbol(">")) {
      return -1;
    }
    int depth = 0;
    for (int i = open - 1; i >= 0; i--) {
      Token t = tokens.get(i);
      if (t.isSymbol(">")) {
        depth++;
      } else if (t.isSymbol("<") && --depth == 0) {
        boolean typed =
            i > 0 && (tokens.get(i - 1).isWord("ARRAY") || tokens.get(i - 1).isWord("STRUCT"));
        return typed ? i - 1 : -1;
      }
    }
    return -1;
  }

  /** End (exclusive) of the primary starting at {@code start}, or -1. */
  private int primaryEnd(int start) {
    if (start >= tokens.size()) {
      return -1;
    }
    Token t = tokens.get(start);
    int end;
    if (t.isSymbol("(")) {
      end = closing(start) + 1;
    } else if (t.isWord("CASE")) {
      end = caseEnd(start) + 1;
    } else if (t.kind() == Kind.WORD
        && TYPED_LITERALS.contains(t.upper())
        && start + 1 < tokens.size()
        && tokens.get(start + 1).kind() == Kind.STRING) {
      end = start + 2;
    } else if (t.kind() == Kind.NUMBER
        || t.kind() == Kind.STRING
        || t.kind() == Kind.BYTES
        || t.kind() == Kind.PARAM
        || t.isSymbol("?")) {
      end = start + 1;
    } else if (t.isIdentifier() || isFunctionName(t)) {
      end = start + 1;
      while (end + 1 < tokens.size()
          && tokens.get(end).isSymbol(".")
          && (tokens.get(end + 1).kind() == Kind.WORD
              || tokens.get(end + 1).kind() == Kind.QUOTED_IDENT)) {
        end += 2;
      }
      if (end < tokens.size() && tokens.get(end).isSymbol("(")) {
        end = closing(end) + 1;
      } else if (!t.isIdentifier()) {
        return -1; // a keyword that is not a call
      }
    } else {
      return -1;
    }
    if (end <= 0 || end > tokens.size()) {
      return -1;
    }
    while (end < tokens.size() && tokens.get(end).isSymbol("[")) {
      end = closing(end) + 1;
      if (end <= 0 || end > tokens.size()) {
        return -1;
      }
    }
    return end;
  }

  /** A word before "(" that makes a call: a name, or a keyword that GoogleSQL calls like one. */
  private static boolean isFunctionName(Token t) {
    return t.kind() == Kind.WORD && (t.isIdentifier() || CALL_KEYWORDS.contains(t.upper()));
  }

  private static final Set<String> CALL_KEYWORDS =
      Set.of("IF", "CAST", "EXTRACT", "ARRAY", "STRUCT", "EXISTS", "LEFT", "RIGHT", "COLLATE");

  private int closing(int open) {
    int depth = 0;
    for (int i = open; i < tokens.size(); i++) {
      Token t = tokens.get(i);
      if (t.isSymbol("(") || t.isSymbol("[")) {
        depth++;
      } else if (t.isSymbol(")") || t.isSymbol("]")) {
        if (--depth == 0) {
          return i;
        }
      }
    }
    return -2;
  }

  private int opening(int close) {
    int depth = 0;
    for (int i = close; i >= 0; i--) {
      Token t = tokens.get(i);
      if (t.isSymbol(")") || t.isSymbol("]")) {
        depth++;
      } else if (t.isSymbol("(") || t.isSymbol("[")) {
        if (--depth == 0) {
          return i;
        }
      }
    }
    return -1;
  }

  private int caseStart(int end) {
    int depth = 0;
    for (int i = end; i >= 0; i--) {
      Token t = tokens.get(i);
      if (t.isWord("END")) {
        depth++;
      } else if (t.isWord("CASE") && --depth == 0) {
        return i;
      }
    }
    return -1;
  }

  private int caseEnd(int start) {
    int depth = 0;
    for (int i = start; i < tokens.size(); i++) {
      Token t = tokens.get(i);
      if (t.isWord("CASE")) {
        depth++;
      } else if (t.isWord("END") && --depth == 0) {
        return i;
      }
    }
    return -2;
  }
}
