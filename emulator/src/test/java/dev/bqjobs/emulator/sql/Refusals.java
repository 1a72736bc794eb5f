package dev.bqjobs.emulator.sql;

import static org.junit.Assert.assertThrows;

/** What the translator says when it refuses a statement, for the in-process translation tests. */
final class Refusals {
  private Refusals() {}

  /** The message {@code bigQuerySql} is refused with; the test fails if it translates. */
  static String refusal(String bigQuerySql) {
    return assertThrows(SqlTranslationException.class, () -> BigQuerySql.translate(bigQuerySql))
        .getMessage();
  }
}
