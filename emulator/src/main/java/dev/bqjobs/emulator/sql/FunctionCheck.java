package dev.bqjobs.emulator.sql;

import dev.bqjobs.emulator.sql.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Checks every function call of a statement against the {@link FunctionCatalog} before any rewrite,
 * so what reaches DuckDB is only what the local server has been tested to run the BigQuery way.
 *
 * <p>One rule for everything that is not served: {@code Function not found: NAME at [l:c]} (the
 * name as the user wrote it, the position of its first token), the answer BigQuery gives for a name
 * it does not have. That covers DuckDB-only names ({@code list_value}, {@code strftime}),
 * documented BigQuery functions the catalog marks refused ({@code SOUNDEX}), and qualified names
 * ({@code ds.fn(...)}), since user-defined functions cannot be created here. A call in FROM that is
 * not a supported table-valued function fails with {@code Table-valued function not found: NAME}.
 *
 * <p>Words followed by "(" that are syntax, not calls, are left alone: reserved keywords ({@code
 * CAST}, {@code IF}, {@code ARRAY}, {@code STRUCT}, {@code UNNEST}, {@code EXISTS}...), table and
 * routine names after INTO, TABLE, VIEW..., column lists, type parameters ({@code NUMERIC(10, 2)}),
 * {@code OPTIONS(...)}, {@code VALUES (...)}, {@code * REPLACE (...)}, {@code WEEK(MONDAY)}.
 */
final class FunctionCheck {
  /** Non-reserved words that open a parenthesised clause rather than call a function. */
  private static final Set<String> CLAUSE_WORDS =
      Set.of(
          "VALUES",
          // MERGE ... WHEN NOT MATCHED THEN INSERT (a, b) VALUES (...)
          "INSERT",
          "OPTIONS",
          "PIVOT",
          "UNPIVOT",
          "SYSTEM",
          "SETS",
          "WEEK",
          "ASSERT",
          "WHILE",
          "ELSEIF",
          "UNTIL",
          "RETURN",
          "DO",
          "MATCH_RECOGNIZE",
          "PATTERN",
          "MEASURES",
          "KEY");

  /** Words after which a name followed by "(" is a table, view or routine, not a call. */
  private static final Set<String> NAME_INTRODUCERS =
      Set.of(
          "INTO",
          "TABLE",
          "INSERT",
          "UPDATE",
          "MERGE",
          "VIEW",
          "EXISTS",
          "FUNCTION",
          "PROCEDURE",
          "CALL",
          "REFERENCES",
          "MODEL",
          "SCHEMA");

  /** Type names that take parameters: {@code STRING(10)}, {@code NUMERIC(10, 2)}. */
  private static final Set<String> PARAMETERIZED_TYPES =
      Set.of("STRING", "BYTES", "NUMERIC", "BIGNUMERIC", "DECIMAL", "BIGDECIMAL");

  private FunctionCheck() {}

  /**
   * Fails on the first call of {@code statement} the local server does not serve.
   *
   * @throws SqlTranslationException {@code Function not found: NAME at [l:c]}
   */
  static void check(List<Token> statement) {
    for (int i = 0; i + 1 < statement.size(); i++) {
      if (statement.get(i + 1).isSymbol("(") && isName(statement.get(i))) {
        checkCall(statement, i);
      }
    }
  }

  private static boolean isName(Token t) {
    return t.kind() == Kind.WORD || t.kind() == Kind.QUOTED_IDENT;
  }

  /** Checks the call whose name ends at token {@code last} (the token before "("). */
  private static void checkCall(List<Token> tokens, int last) {
    int first = last;
    while (first >= 2 && tokens.get(first - 1).isSymbol(".") && isName(tokens.get(first - 2))) {
      first -= 2;
    }
    List<String> path = new ArrayList<>();
    for (int i = first; i <= last; i += 2) {
      Token t = tokens.get(i);
      path.addAll(
          t.kind() == Kind.QUOTED_IDENT ? List.of(t.value().split("\\.", -1)) : List.of(t.text()));
    }
    Token start = tokens.get(first);
    Token before = first > 0 ? tokens.get(first - 1) : null;
    if (before != null && before.kind() == Kind.WORD && NAME_INTRODUCERS.contains(before.upper())) {
      return;
    }
    boolean inFrom = before != null && (before.isWord("FROM") || before.isWord("JOIN"));
    if (path.size() == 2 && path.get(0).equalsIgnoreCase("SAFE") && start.kind() == Kind.WORD) {
      // SAFE.F(...) is F's call; SAFE. hides runtime errors, not a missing function.
      checkName(path.get(1), tokens.get(last), false);
      return;
    }
    if (path.size() == 1) {
      if (start.kind() == Kind.WORD && isSyntax(tokens, last)) {
        return;
      }
      checkName(path.get(0), start, inFrom);
      return;
    }
    String dotted = String.join(".", path);
    FunctionCatalog.Entry entry = FunctionCatalog.lookup(dotted);
    if (entry == null || !entry.supported()) {
      throw notFound(inFrom && entry == null, dotted, start);
    }
  }

  /** Whether the word at {@code i}, followed by "(", opens syntax rather than a call. */
  private static boolean isSyntax(List<Token> tokens, int i) {
    Token t = tokens.get(i);
    String name = t.upper();
    if (Keywords.isReserved(name)) {
      // CAST, IF, ARRAY, STRUCT, UNNEST, EXISTS, IN, OVER...; the documented ones the server
      // does not run (RANGE, COLLATE) are still refused.
      FunctionCatalog.Entry entry = FunctionCatalog.lookup(name);
      return entry == null || entry.supported();
    }
    if (CLAUSE_WORDS.contains(name)) {
      return true;
    }
    if (name.equals("REPLACE") && i > 0) {
      Token before = tokens.get(i - 1);
      // SELECT * REPLACE (...), SELECT * EXCEPT (a) REPLACE (...)
      if (before.isSymbol("*") || before.isSymbol(")")) {
        return true;
      }
    }
    return PARAMETERIZED_TYPES.contains(name)
        && inTypePosition(tokens, i)
        && onlyNumbers(tokens, i + 1);
  }

  /**
   * Whether a type can stand at {@code i}: after a column or variable name, AS (CAST), or "<"
   * (ARRAY&lt;STRING(10)&gt;); after SELECT or an operator, STRING(...) is the function.
   */
  private static boolean inTypePosition(List<Token> tokens, int i) {
    if (i == 0) {
      return false;
    }
    Token before = tokens.get(i - 1);
    return before.isWord("AS")
        || before.isSymbol("<")
        || before.kind() == Kind.QUOTED_IDENT
        || (before.kind() == Kind.WORD && !Keywords.isReserved(before.text()));
  }

  /** Whether the parentheses opening at {@code open} hold only numbers and commas. */
  private static boolean onlyNumbers(List<Token> tokens, int open) {
    int i = open + 1;
    boolean any = false;
    for (; i < tokens.size() && !tokens.get(i).isSymbol(")"); i++) {
      Token t = tokens.get(i);
      if (t.kind() != Kind.NUMBER && !t.isSymbol(",")) {
        return false;
      }
      any = true;
    }
    return any && i < tokens.size();
  }

  private static void checkName(String name, Token at, boolean inFrom) {
    FunctionCatalog.Entry entry = FunctionCatalog.lookup(name);
    if (entry == null || !entry.supported()) {
      throw notFound(inFrom && (entry == null || entry.tableValued()), name, at);
    }
  }

  private static SqlTranslationException notFound(boolean tableValued, String name, Token at) {
    String what = tableValued ? "Table-valued function not found: " : "Function not found: ";
    return new SqlTranslationException(what + name + " at " + at.position());
  }
}
