package dev.bqjobs.emulator.sql;

import java.util.List;
import java.util.Set;

/**
 * Rewrites {@code UNNEST(array)} in a FROM clause where DuckDB reads it differently from BigQuery:
 *
 * <ul>
 *   <li>without an alias, BigQuery makes the fields of a STRUCT element columns ({@code SELECT a
 *       FROM UNNEST([STRUCT(1 AS a)])}) and names a scalar element {@code f0_}; DuckDB's table
 *       function gives one column {@code unnest}. Its select-list {@code unnest(x, max_depth := 2)}
 *       unnests the list and expands a struct element one level (a STRUCT field stays one column,
 *       as in BigQuery), so the rewrite is {@code (SELECT unnest(array, max_depth := 2) AS f0_)};
 *       the alias names a scalar element and is ignored for a struct.
 *   <li>{@code WITH OFFSET [AS o]}: DuckDB has {@code WITH ORDINALITY}, counted from 1; the rewrite
 *       is a subquery that subtracts 1 and names the columns as BigQuery does ({@code offset} when
 *       no alias is given).
 * </ul>
 *
 * <p>{@code UNNEST(array) AS x} without an offset already means the same in DuckDB ({@code x} is
 * the element, {@code x.field} a field of a STRUCT element) and is left as written.
 */
final class Unnests {
  /** Words that end a LIMIT clause's reach when looking back from an OFFSET. */
  private static final Set<String> CLAUSES =
      Set.of(
          "SELECT", "FROM", "WHERE", "GROUP", "HAVING", "QUALIFY", "ORDER", "ON", "UNION", "JOIN");

  private Unnests() {}

  /** Adds the edits for every FROM-clause UNNEST of the statement. */
  static void mark(List<Token> tokens, Edits edits) {
    quoteOffsetColumns(tokens, edits);
    for (int u = 1; u + 1 < tokens.size(); u++) {
      Token before = tokens.get(u - 1);
      boolean inFrom = before.isWord("FROM") || before.isWord("JOIN") || before.isSymbol(",");
      if (!tokens.get(u).isWord("UNNEST") || !tokens.get(u + 1).isSymbol("(") || !inFrom) {
        continue;
      }
      int close = Divisions.closing(tokens, u + 1);
      if (close < 0) {
        continue; // the rewriter reports the unclosed parenthesis
      }
      Alias element = Alias.at(tokens, close + 1);
      String alias = element.name();
      int k = element.next();
      String offset = null;
      if (k + 1 < tokens.size()
          && tokens.get(k).isWord("WITH")
          && tokens.get(k + 1).isWord("OFFSET")) {
        Alias ordinal = Alias.at(tokens, k + 2);
        offset = ordinal.name() != null ? ordinal.name() : "offset";
        k = ordinal.next();
      }
      if (offset == null && alias != null) {
        continue;
      }
      if (offset == null) {
        edits.insertBefore.merge(u, "(SELECT ", (earlier, mine) -> earlier + mine);
        edits.replacements.put(
            close, new Edits.Replacement(close + 1, ", max_depth := 2) AS f0_)"));
        continue;
      }
      String o = Rewriter.quoteIdentifier(offset);
      if (alias != null) {
        String x = Rewriter.quoteIdentifier(alias);
        edits.insertBefore.merge(
            u,
            "(SELECT " + x + ", \"bq_ordinality\" - 1 AS " + o + " FROM ",
            (earlier, mine) -> earlier + mine);
        edits.replacements.put(
            close,
            new Edits.Replacement(
                k, ") WITH ORDINALITY AS " + x + "(" + x + ", \"bq_ordinality\")) AS " + x));
      } else {
        edits.insertBefore.merge(
            u,
            "(SELECT unnest([\"bq_element\"], max_depth := 2) AS f0_, \"bq_ordinality\" - 1 AS "
                + o
                + " FROM ",
            (earlier, mine) -> earlier + mine);
        edits.replacements.put(
            close,
            new Edits.Replacement(
                k, ") WITH ORDINALITY AS \"bq_unnest\"(\"bq_element\", \"bq_ordinality\"))"));
      }
    }
  }

  /** An optional {@code [AS] name}: the name, null without one, and the index after it. */
  private record Alias(String name, int next) {
    static Alias at(List<Token> tokens, int k) {
      int i = k;
      if (i < tokens.size() && tokens.get(i).isWord("AS")) {
        i++;
        if (i >= tokens.size() || !tokens.get(i).isIdentifier()) {
          throw Rewriter.syntax("Expected an alias after AS", tokens.get(i - 1));
        }
      }
      if (i < tokens.size() && tokens.get(i).isIdentifier()) {
        return new Alias(tokens.get(i).value(), i + 1);
      }
      return new Alias(null, i);
    }
  }

  /**
   * {@code offset} names WITH OFFSET's column in BigQuery; in DuckDB it is a reserved word, so a
   * column reference {@code offset} is quoted. The LIMIT clause's OFFSET, {@code WITH OFFSET} and
   * the subscript {@code [OFFSET(i)]} stay keywords.
   */
  private static void quoteOffsetColumns(List<Token> tokens, Edits edits) {
    for (int i = 0; i < tokens.size(); i++) {
      Token t = tokens.get(i);
      if (!t.isWord("OFFSET")
          || (i > 0 && tokens.get(i - 1).isWord("WITH"))
          || (i + 1 < tokens.size() && tokens.get(i + 1).isSymbol("("))) {
        continue;
      }
      if (!afterLimit(tokens, i) && !edits.replacements.containsKey(i)) {
        edits.replacements.put(i, new Edits.Replacement(i + 1, "\"offset\""));
      }
    }
  }

  /**
   * Whether the OFFSET at {@code i} follows a LIMIT of the same query: LIMIT comes first going back
   * at the same bracket depth, before any other clause or a comma.
   */
  private static boolean afterLimit(List<Token> tokens, int i) {
    return BracketScans.foundBeforeStop(
        tokens,
        i - 1,
        t -> t.isWord("LIMIT"),
        t -> t.isSymbol(",") || (t.kind() == Token.Kind.WORD && CLAUSES.contains(t.upper())));
  }
}
