package dev.bqjobs.emulator.sql;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Where a statement's words can only name a table or a column being written, never a script
 * variable: a table after FROM, JOIN, INSERT, INTO, UPDATE, TABLE, DELETE or MERGE's USING; the
 * column list of an INSERT; the targets of an UPDATE's (or MERGE's) SET; the column definitions of
 * a CREATE TABLE. BigQuery resolves these names without looking at variables, so a variable named
 * like one of them is not substituted there.
 */
final class NamePositions {
  private static final Set<String> TABLE_BEFORE =
      Set.of("FROM", "JOIN", "INSERT", "INTO", "UPDATE", "TABLE", "DELETE", "USING");
  private static final Set<String> SET_CLAUSE_ENDS = Set.of("WHERE", "FROM", "WHEN");

  private NamePositions() {}

  /** Indexes of the tokens of {@code tokens} that name tables or written columns. */
  static Set<Integer> of(List<Token> tokens) {
    Set<Integer> out = new HashSet<>();
    boolean inSet = false;
    int depth = 0;
    for (int i = 0; i < tokens.size(); i++) {
      Token t = tokens.get(i);
      if (t.isSymbol("(") || t.isSymbol("[")) {
        depth++;
      } else if (t.isSymbol(")") || t.isSymbol("]")) {
        depth--;
      }
      Token before = i > 0 ? tokens.get(i - 1) : null;
      if (before != null
          && before.kind() == Token.Kind.WORD
          && TABLE_BEFORE.contains(before.upper())) {
        int end = path(tokens, i, out);
        if (before.isWord("INSERT") || before.isWord("INTO")) {
          // INSERT [INTO] t (a, b), and MERGE's WHEN NOT MATCHED THEN INSERT (a, b)
          columnList(tokens, end, out);
        }
      }
      if (t.isWord("SET")) {
        inSet = true;
      } else if (inSet && t.kind() == Token.Kind.WORD && SET_CLAUSE_ENDS.contains(t.upper())) {
        inSet = false;
      }
      if (inSet
          && (before != null && (before.isWord("SET") || (before.isSymbol(",") && depth == 0)))
          && t.isIdentifier()) {
        int end = path(tokens, i, out);
        if (end >= tokens.size() || !tokens.get(end).isSymbol("=")) {
          for (int k = i; k < end; k++) {
            out.remove(k); // not a target after all
          }
        }
      }
    }
    if (!tokens.isEmpty() && tokens.get(0).isWord("CREATE")) {
      columnDefinitions(tokens, out);
    }
    return out;
  }

  /** Marks the dotted path starting at {@code start}; returns the index after it. */
  private static int path(List<Token> tokens, int start, Set<Integer> out) {
    int k = start;
    while (k < tokens.size() && tokens.get(k).isIdentifier()) {
      out.add(k);
      if (k + 2 < tokens.size() && tokens.get(k + 1).isSymbol(".")) {
        k += 2;
      } else {
        return k + 1;
      }
    }
    return k;
  }

  /** Marks the names of {@code (a, b, ...)} opening at {@code open}, if it is one. */
  private static void columnList(List<Token> tokens, int open, Set<Integer> out) {
    if (open >= tokens.size() || !tokens.get(open).isSymbol("(")) {
      return;
    }
    for (int k = open + 1; k < tokens.size() && !tokens.get(k).isSymbol(")"); k++) {
      if (tokens.get(k).isIdentifier()) {
        out.add(k);
      } else if (!tokens.get(k).isSymbol(",")) {
        return; // a subquery or an expression: not a column list
      }
    }
  }

  /** {@code CREATE ... TABLE t (name TYPE, ...)}: each column's name. */
  private static void columnDefinitions(List<Token> tokens, Set<Integer> out) {
    int open = -1;
    for (int k = 0; k + 1 < tokens.size(); k++) {
      if (tokens.get(k).isWord("TABLE")) {
        int end = path(tokens, k + 1, new HashSet<>());
        if (end < tokens.size() && tokens.get(end).isSymbol("(")) {
          open = end;
        }
        break;
      }
    }
    if (open < 0) {
      return;
    }
    int depth = 0;
    for (int k = open; k < tokens.size(); k++) {
      Token t = tokens.get(k);
      if (t.isSymbol("(") || t.isSymbol("<")) {
        depth++;
      } else if (t.isSymbol(")") || t.isSymbol(">")) {
        if (--depth == 0) {
          return;
        }
      } else if (depth == 1
          && t.isIdentifier()
          && (tokens.get(k - 1).isSymbol("(") || tokens.get(k - 1).isSymbol(","))) {
        out.add(k);
      }
    }
  }
}
