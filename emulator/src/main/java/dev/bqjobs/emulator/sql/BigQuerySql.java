package dev.bqjobs.emulator.sql;

import dev.bqjobs.emulator.sql.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Translates one BigQuery Standard SQL statement into DuckDB SQL.
 *
 * <p>This is a lexical translator, not a parser: it tokenizes the statement with BigQuery's rules
 * and rewrites what DuckDB spells differently (backtick paths, double-quoted strings, FLOAT64
 * literals, type names, a set of functions, unnamed result columns), reading just enough structure
 * to report the statement type and the tables it writes and reads. Everything else passes through
 * unchanged, so an unsupported construct fails in DuckDB with DuckDB's message.
 *
 * <p>The translated SQL assumes the engine's layout: each project is an attached DuckDB catalog
 * named after the project ID, each dataset a schema in it, and the connection has run {@code USE
 * "project"} (or {@code USE "project"."dataset"}) plus {@link DuckDbTypes#sessionSetup()}, on a
 * database set up by {@link DuckDbTypes#databaseSetup()}.
 *
 * <p>See {@code src/docs/sql-support.md} for what is supported.
 */
public final class BigQuerySql {
  private static final Pattern LEGACY_PREFIX =
      Pattern.compile("^\\s*#legacySQL\\b", Pattern.CASE_INSENSITIVE);

  private BigQuerySql() {}

  /**
   * Translates {@code sql}.
   *
   * @throws SqlTranslationException on a syntax error, a script (several statements), legacy SQL or
   *     a construct the local server does not support; the message names the problem and where
   */
  public static TranslatedStatement translate(String sql) throws SqlTranslationException {
    return translate(sql, null);
  }

  /**
   * Translates {@code sql} whose parameters are bound as {@code parameterTypes} says; {@code null}
   * leaves placeholders untyped and accepts any parameter.
   *
   * @throws SqlTranslationException also for a parameter the request does not supply, with
   *     BigQuery's message ({@code Query parameter 'x' not found at [1:8]})
   */
  public static TranslatedStatement translate(String sql, ParameterTypes parameterTypes)
      throws SqlTranslationException {
    if (sql == null || sql.isBlank()) {
      throw new SqlTranslationException("Syntax error: Unexpected end of script at [1:1]");
    }
    if (LEGACY_PREFIX.matcher(sql).find()) {
      throw new SqlTranslationException("Legacy SQL is not supported by the local server");
    }
    List<Token> tokens = Tokenizer.tokenize(sql);
    return translate(singleStatement(tokens), parameterTypes);
  }

  /** Translates one statement's tokens (no ";"); script statements come here one by one. */
  static TranslatedStatement translate(List<Token> statement, ParameterTypes parameterTypes) {
    StatementAnalyzer analyzer = new StatementAnalyzer(statement);
    // UNNEST and subscript rewrites first: a division around a subscript then wraps its call.
    Unnests.mark(statement, analyzer.edits);
    Subscripts.mark(statement, analyzer.edits);
    analyzer.analyze();
    FunctionCheck.check(statement);
    Divisions.mark(statement, analyzer.edits);
    Rewriter rewriter = new Rewriter(statement, analyzer.edits, parameterTypes);
    String duckDbSql = rewriter.emit(0, statement.size()).strip();
    return new TranslatedStatement(
        duckDbSql,
        analyzer.type,
        analyzer.target,
        analyzer.targetDataset,
        analyzer.referencedTables(),
        rewriter.parameters(),
        analyzer.orReplace,
        analyzer.ifNotExists,
        analyzer.ifExists);
  }

  /** The tokens of the only statement; a single trailing ";" is dropped. */
  private static List<Token> singleStatement(List<Token> tokens) {
    List<Token> statement = new ArrayList<>(tokens);
    while (!statement.isEmpty() && statement.get(statement.size() - 1).isSymbol(";")) {
      statement.remove(statement.size() - 1);
    }
    if (statement.isEmpty()) {
      throw new SqlTranslationException("Syntax error: Unexpected end of script at [1:1]");
    }
    for (Token t : statement) {
      if (t.kind() == Kind.SYMBOL && t.text().equals(";")) {
        throw new SqlTranslationException("Scripts are not supported by the local server");
      }
    }
    return statement;
  }
}
