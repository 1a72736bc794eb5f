package dev.bqjobs.emulator.sql;

/**
 * A BigQuery statement the local server cannot run: a syntax error found while tokenizing, or a
 * feature it does not support. The message follows BigQuery's style ({@code Syntax error: ... at
 * [line:column]}); the job engine reports it as an {@code invalidQuery} error.
 */
public final class SqlTranslationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SqlTranslationException(String message) {
    super(message);
  }
}
