package dev.bqjobs.emulator.engine;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.bqjobs.emulator.engine.Errors.JobFailure;
import dev.bqjobs.emulator.sql.BigQuerySql;
import dev.bqjobs.emulator.sql.EngineLikeDuckDb;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * DuckDB's real errors for translated GoogleSQL, mapped to BigQuery's: the supported signatures of
 * a function called wrongly, and the position of the occurrence DuckDB marks rather than the name's
 * first occurrence. In-process: the translator and an in-memory DuckDB, no server.
 */
public class EngineErrorsTest {
  private Connection connection;

  @Before
  public void setUp() throws SQLException {
    connection = EngineLikeDuckDb.open("CREATE TABLE t (n BIGINT, s VARCHAR)");
  }

  @After
  public void tearDown() throws SQLException {
    connection.close();
  }

  /** The message BigQuery gives for {@code sql}, which must fail in the engine. */
  private String message(String sql) {
    String duckDbSql = BigQuerySql.translate(sql).duckDbSql();
    try (Statement s = connection.createStatement()) {
      s.executeQuery(duckDbSql).close();
    } catch (SQLException e) {
      JobFailure f = EngineErrors.of(e, "US", sql, duckDbSql, null);
      return f.error.getMessage();
    }
    throw new AssertionError(sql + " should fail in the engine");
  }

  @Test
  public void signatureErrorsListBigQuerysSignatures() {
    assertThat(
        message("SELECT SUBSTR(1)"),
        equalTo(
            "No matching signature for function SUBSTR for argument types: INT64. Supported"
                + " signatures: SUBSTR(STRING, INT64, [INT64]); SUBSTR(BYTES, INT64, [INT64]) at"
                + " [1:8]"));
    assertThat(
        message("SELECT UNICODE(1)"),
        equalTo(
            "No matching signature for function UNICODE for argument types: INT64. Supported"
                + " signature: UNICODE(STRING) at [1:8]"));
    // A function the translator renames is named as the user wrote it.
    assertThat(
        message("SELECT REGEXP_CONTAINS('a', 'b'), REGEXP_CONTAINS(1, 2)"),
        equalTo(
            "No matching signature for function REGEXP_CONTAINS for argument types: INT64, INT64."
                + " Supported signatures: REGEXP_CONTAINS(STRING, STRING);"
                + " REGEXP_CONTAINS(BYTES, BYTES) at [1:35]"));
  }

  @Test
  public void positionsPointAtTheFailingOccurrence() {
    assertThat(
        message("SELECT LOWER('a'),\n  UPPER('b'), LOWER(1)\nFROM t"),
        equalTo(
            "No matching signature for function LOWER for argument types: INT64. Supported"
                + " signatures: LOWER(STRING); LOWER(BYTES) at [2:15]"));
    // The first "nope" is a table alias; the unknown column is the one on line 2.
    assertThat(
        message("SELECT (SELECT COUNT(*) FROM t AS nope),\n  nope FROM t"),
        equalTo("Unrecognized name: nope at [2:3]"));
    // DuckDB words it differently without a FROM clause.
    assertThat(message("SELECT 1,\n nope"), equalTo("Unrecognized name: nope at [2:2]"));
  }

  @Test
  public void withoutAMarkTheFirstOccurrenceIsNamed() {
    // No translated SQL at hand (as at commit): the name's first occurrence.
    SQLException e =
        new SQLException("Binder Error: Referenced column \"nope\" not found in FROM clause!");
    assertThat(
        EngineErrors.of(e, "US", "SELECT nope,\n nope FROM t").error.getMessage(),
        equalTo("Unrecognized name: nope at [1:8]"));
  }
}
