package dev.bqjobs.emulator.engine;

import dev.bqjobs.emulator.engine.Errors.JobFailure;
import dev.bqjobs.emulator.sql.RaisedErrors;
import dev.bqjobs.emulator.sql.SqlPositions;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns an error of the engine (DuckDB) into the error BigQuery gives for the same mistake: its
 * reason and its wording ({@code Unrecognized name: x at [1:8]}, {@code Function not found: f},
 * {@code Bad int64 value: x}, ...), with the position in the user's SQL. Engine wording never
 * reaches a client: what has no mapping gets one generic message, and the engine's own text goes to
 * the server log for whoever debugs the server.
 */
final class EngineErrors {
  private static final Logger LOG = Logger.getLogger(EngineErrors.class.getName());

  /** The message for an engine error that has no BigQuery equivalent here. */
  static final String GENERIC =
      "Query error: the local server could not run this statement (the server log has the"
          + " engine's details)";

  private static final Pattern MISSING_RELATION =
      Pattern.compile("^Catalog Error: (Table|View|Schema|Catalog) with name (.+?) does not exist");
  private static final Pattern MISSING_FUNCTION =
      Pattern.compile(
          "^Catalog Error: (?:Scalar|Aggregate|Table) Function with name (.+?) does not"
              + " exist");
  private static final Pattern MISSING_COLUMN =
      Pattern.compile(
          "^Binder Error: Referenced (?:column|table) \"?([^\"]+?)\"?(?: was)? not found");
  private static final Pattern NO_SIGNATURE =
      Pattern.compile(
          "^Binder Error: No function matches the given name and argument types '(.+)\\((.*)\\)'");
  private static final Pattern BAD_STRING =
      Pattern.compile("^Conversion Error: Could not convert string '(.*)' to (\\w+)");
  private static final Pattern BAD_DATE =
      Pattern.compile(
          "^Conversion Error: .*(date|timestamp|time)[^\"]*\"(.*)\"", Pattern.CASE_INSENSITIVE);
  private static final Pattern OVERFLOW =
      Pattern.compile(
          "^Out of Range Error: Overflow in (?:addition|subtraction|multiplication) of \\w+ \\((.*)\\)!?");

  /** What the bq_array_at macro raises, already in BigQuery's words. */
  private static final Pattern ARRAY_INDEX =
      Pattern.compile(
          "^Invalid Input Error: (Array index -?\\d+ is out of bounds \\((?:overflow|underflow)\\))$");

  private static final Pattern SYNTAX_NEAR =
      Pattern.compile("^Parser Error: syntax error at or near \"(.*)\"");
  private static final Pattern SYNTAX_END =
      Pattern.compile("^Parser Error: syntax error at end of input");

  private EngineErrors() {}

  /**
   * BigQuery's failure for an engine error while running {@code sql} (the user's GoogleSQL, for
   * positions) in {@code location}.
   */
  static JobFailure of(SQLException e, String location, String sql) {
    return of(e, location, sql, null, null);
  }

  /**
   * As above, for an error of {@code duckDbSql}, the translation of the user's statement that
   * starts at {@code statementStart} in {@code sql} (null: its first token): a name the error is
   * about is then placed at the occurrence DuckDB marks, not its first one ({@link
   * dev.bqjobs.emulator.sql.EnginePositions}).
   */
  static JobFailure of(
      SQLException e, String location, String sql, String duckDbSql, String statementStart) {
    String full = e.getMessage() == null ? "" : e.getMessage();
    Positions positions = new Positions(sql, full, duckDbSql, statementStart);
    String first = full.lines().findFirst().orElse("").strip();
    String lower = first.toLowerCase(Locale.ROOT);
    Matcher m;
    if ((m = MISSING_RELATION.matcher(first)).find()) {
      String kind = m.group(1).equals("Schema") ? "Dataset" : "Table";
      return new JobFailure(
          "notFound",
          "Not found: " + kind + " " + m.group(2) + " was not found in location " + location);
    }
    if (lower.contains("conflict")) {
      return new JobFailure(
          "invalidQuery",
          "Could not serialize access to a table due to a concurrent update; try the job again");
    }
    String raised = RaisedErrors.messageOf(first);
    if (raised != null) {
      return new JobFailure("invalidQuery", raised);
    }
    if (first.startsWith("Invalid Input Error: division by zero: ")) {
      return new JobFailure("invalidQuery", first.substring("Invalid Input Error: ".length()));
    }
    if ((m = ARRAY_INDEX.matcher(first)).find()) {
      return new JobFailure("invalidQuery", m.group(1)); // raised by the bq_array_at macro
    }
    if ((m = MISSING_FUNCTION.matcher(first)).find()) {
      return new JobFailure(
          "invalidQuery",
          at(
              "Function not found: " + SqlPositions.written(sql, m.group(1)),
              positions.of(m.group(1), true)));
    }
    if ((m = MISSING_COLUMN.matcher(first)).find()) {
      String name = m.group(1);
      int dot = name.lastIndexOf('.');
      String shown = dot >= 0 ? name.substring(dot + 1) : name;
      return new JobFailure(
          "invalidQuery", at("Unrecognized name: " + shown, positions.of(shown, false)));
    }
    if ((m = NO_SIGNATURE.matcher(first)).find()) {
      String function = m.group(1);
      boolean named = function.matches("\\w+");
      String bigQueryName = named ? BigQuerySignatures.bigQueryName(function) : function;
      String what = named ? "function " + bigQueryName : "operator " + function;
      return new JobFailure(
          "invalidQuery",
          at(
              "No matching signature for "
                  + what
                  + " for argument types: "
                  + argumentTypes(m.group(2))
                  + (named ? BigQuerySignatures.supported(bigQueryName) : ""),
              named ? positions.of(bigQueryName, function, true) : null));
    }
    if ((m = BAD_STRING.matcher(first)).find()) {
      String type = m.group(2).toUpperCase(Locale.ROOT);
      String value = m.group(1);
      String message =
          switch (type) {
            case "INT64", "INT32", "INT16", "INT8", "INT128" -> "Bad int64 value: " + value;
            case "DOUBLE", "FLOAT" -> "Bad double value: " + value;
            case "BOOL" -> "Bad bool value: " + value;
            default ->
                type.startsWith("DECIMAL")
                    ? "Invalid NUMERIC value: " + value
                    : "Invalid cast of " + value;
          };
      return new JobFailure("invalidQuery", message);
    }
    if ((m = BAD_DATE.matcher(first)).find()) {
      String type = m.group(1).toLowerCase(Locale.ROOT);
      return new JobFailure("invalidQuery", "Invalid " + type + ": '" + m.group(2) + "'");
    }
    if ((m = OVERFLOW.matcher(first)).find()) {
      return new JobFailure("invalidQuery", "integer overflow: " + m.group(1));
    }
    if ((m = SYNTAX_NEAR.matcher(first)).find()) {
      String near = m.group(1);
      String position = SqlPositions.ofText(sql, near);
      if (position == null || position.equals(SqlPositions.lastToken(sql))) {
        // DuckDB stumbled on the user's last token (a WHERE with nothing after it) or on text the
        // translation added after it (an f0_ alias after "SELECT 1 +"): the statement ended early.
        return new JobFailure(
            "invalidQuery", at("Syntax error: Unexpected end of script", SqlPositions.end(sql)));
      }
      return new JobFailure(
          "invalidQuery", at("Syntax error: Unexpected " + SqlPositions.describe(near), position));
    }
    if (SYNTAX_END.matcher(first).find()) {
      String end = SqlPositions.end(sql);
      return new JobFailure("invalidQuery", at("Syntax error: Unexpected end of script", end));
    }
    if (first.startsWith("Constraint Error: NOT NULL constraint failed: ")) {
      String column = first.substring(first.lastIndexOf('.') + 1).strip();
      return new JobFailure("invalid", "Required field " + column + " cannot be null");
    }
    LOG.log(Level.INFO, "Engine error without a BigQuery mapping: {0}", full);
    return new JobFailure("invalidQuery", GENERIC);
  }

  /** Where a name of the user's SQL is: the occurrence DuckDB marks, else the first one. */
  private record Positions(String sql, String engineMessage, String duckDbSql, String start) {
    String of(String name, boolean call) {
      return of(name, name, call);
    }

    /** {@code name} as the user wrote it, {@code engineName} as DuckDB ran it. */
    String of(String name, String engineName, boolean call) {
      String marked =
          dev.bqjobs.emulator.sql.EnginePositions.of(
              sql, name, engineName, call, engineMessage, duckDbSql, start);
      return marked != null ? marked : SqlPositions.of(sql, name, call);
    }
  }

  private static String at(String message, String position) {
    return position == null ? message : message + " at " + position;
  }

  /** DuckDB's argument type list ({@code INTEGER_LITERAL, VARCHAR}) in BigQuery's names. */
  static String argumentTypes(String duckDbTypes) {
    List<String> out = new ArrayList<>();
    for (String t : splitTopLevel(duckDbTypes)) {
      out.add(bigQueryName(t.strip()));
    }
    return String.join(", ", out);
  }

  private static String bigQueryName(String t) {
    String u = t.toUpperCase(Locale.ROOT);
    if (u.endsWith("[]")) {
      return "ARRAY<" + bigQueryName(u.substring(0, u.length() - 2)) + ">";
    }
    if (u.startsWith("STRUCT")) {
      return "STRUCT";
    }
    if (u.startsWith("DECIMAL")) {
      return u.contains(",18)") ? "BIGNUMERIC" : "NUMERIC";
    }
    return switch (u) {
      case "INTEGER_LITERAL",
          "INTEGER",
          "BIGINT",
          "SMALLINT",
          "TINYINT",
          "HUGEINT",
          "UBIGINT",
          "UINTEGER" ->
          "INT64";
      case "DOUBLE", "FLOAT", "REAL" -> "FLOAT64";
      case "VARCHAR", "STRING_LITERAL" -> "STRING";
      case "BOOLEAN" -> "BOOL";
      case "BLOB" -> "BYTES";
      case "TIMESTAMP" -> "DATETIME";
      case "TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ" -> "TIMESTAMP";
      case "\"NULL\"", "NULL" -> "INT64";
      default -> u;
    };
  }

  private static List<String> splitTopLevel(String s) {
    List<String> out = new ArrayList<>();
    if (s.isBlank()) {
      return out;
    }
    int depth = 0;
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == ',' && depth == 0) {
        out.add(s.substring(start, i));
        start = i + 1;
      }
    }
    out.add(s.substring(start));
    return out;
  }
}
