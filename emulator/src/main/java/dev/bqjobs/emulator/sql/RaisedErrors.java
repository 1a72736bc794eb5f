package dev.bqjobs.emulator.sql;

/**
 * Errors the translated SQL raises itself, where BigQuery fails and DuckDB would not (an argument
 * outside a function's domain, ERROR(message), an empty array's first element). The DuckDB text
 * carries a marker so the engine can hand the message to the client as BigQuery's, without DuckDB's
 * wording around it.
 */
public final class RaisedErrors {
  /** Starts every raised message; never shown to a client. */
  private static final String MARKER = "[bigquery] ";

  /** How DuckDB reports a message raised by error(). */
  private static final String ENGINE_PREFIX = "Invalid Input Error: " + MARKER;

  private RaisedErrors() {}

  /** DuckDB SQL that fails with the STRING value of {@code messageSql} (a SQL expression). */
  static String raise(String messageSql) {
    return "error(" + Rewriter.stringLiteral(MARKER) + " || " + messageSql + ")";
  }

  /**
   * The message the translated SQL raised, from the first line of the engine's error, or null when
   * the error is not one of these.
   */
  public static String messageOf(String engineMessage) {
    return engineMessage.startsWith(ENGINE_PREFIX)
        ? engineMessage.substring(ENGINE_PREFIX.length())
        : null;
  }
}
