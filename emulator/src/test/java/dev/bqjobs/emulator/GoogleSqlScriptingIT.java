package dev.bqjobs.emulator;

import static dev.bqjobs.emulator.TestSupport.column;
import static dev.bqjobs.emulator.TestSupport.dataset;
import static dev.bqjobs.emulator.TestSupport.queryJob;
import static dev.bqjobs.emulator.TestSupport.runFailing;
import static dev.bqjobs.emulator.TestSupport.runOk;
import static dev.bqjobs.emulator.TestSupport.waitDone;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import com.google.api.services.bigquery.Bigquery;
import com.google.api.services.bigquery.model.ErrorProto;
import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.TableRow;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * BigQuery's procedural language over HTTP: loops with BREAK/CONTINUE and labels, FOR over a query,
 * exception handlers with {@code @@error}, RAISE, RETURN, ASSERT, {@code SET (a, b)}, EXECUTE
 * IMMEDIATE, temporary tables, and the guard that ends a runaway loop.
 */
public class GoogleSqlScriptingIT {
  @ClassRule public static final LocalBigQueryRule BQ = new LocalBigQueryRule();

  private static final String P = "scripting-project";
  private static final AtomicInteger JOBS = new AtomicInteger();

  private final Bigquery bq = BQ.client();

  @BeforeClass
  public static void data() throws Exception {
    Bigquery bq = BQ.client();
    bq.datasets().insert(P, dataset(P, "sd", "US")).execute();
    runOk(
        bq,
        queryJob(
            P,
            "setup",
            "CREATE TABLE sd.t AS SELECT n, CHR(96 + n) AS s FROM UNNEST([1, 2, 3]) AS n"));
  }

  /** The rows of a script that must succeed, each as its cells. */
  private List<List<String>> rows(String sql) throws Exception {
    Job done = runOk(bq, queryJob(P, "script_" + JOBS.incrementAndGet(), sql));
    assertThat(done.getStatistics().getQuery().getStatementType(), equalTo("SCRIPT"));
    var r = bq.jobs().getQueryResults(P, done.getJobReference().getJobId()).execute();
    List<List<String>> out = new ArrayList<>();
    int columns = r.getSchema().getFields().size();
    List<TableRow> got = r.getRows() == null ? List.of() : r.getRows();
    for (int i = 0; i < got.size(); i++) {
      List<String> row = new ArrayList<>();
      for (int k = 0; k < columns; k++) {
        row.add(column(got, k).get(i));
      }
      out.add(row);
    }
    return out;
  }

  /** The single value of a script's single-row, single-column result. */
  private String value(String sql) throws Exception {
    List<List<String>> r = rows(sql);
    assertThat(r.size(), equalTo(1));
    return r.get(0).get(0);
  }

  private ErrorProto failure(String sql) throws Exception {
    ErrorProto error = runFailing(bq, queryJob(P, "fails_" + JOBS.incrementAndGet(), sql));
    return error;
  }

  @Test
  public void loopWhileAndRepeat() throws Exception {
    assertThat(
        value(
            "DECLARE i INT64 DEFAULT 0;\n"
                + "LOOP\n  SET i = i + 1;\n  IF i >= 5 THEN BREAK; END IF;\nEND LOOP;\n"
                + "SELECT i;"),
        equalTo("5"));
    assertThat(
        value(
            "DECLARE i INT64 DEFAULT 0; DECLARE total INT64 DEFAULT 0;\n"
                + "WHILE i < 10 DO\n  SET i = i + 1;\n  IF MOD(i, 2) = 0 THEN CONTINUE; END IF;\n"
                + "  SET total = total + i;\nEND WHILE;\nSELECT total;"),
        equalTo("25"));
    // REPEAT runs its body once even when the condition already holds.
    assertThat(
        value(
            "DECLARE i INT64 DEFAULT 10;\nREPEAT\n  SET i = i + 1;\nUNTIL i > 3\nEND REPEAT;\n"
                + "SELECT i;"),
        equalTo("11"));
    // LEAVE and ITERATE are BREAK and CONTINUE; a label picks the loop.
    assertThat(
        value(
            "DECLARE i INT64 DEFAULT 0; DECLARE hits INT64 DEFAULT 0;\n"
                + "outer_loop: LOOP\n"
                + "  SET i = i + 1;\n"
                + "  IF i > 3 THEN LEAVE outer_loop; END IF;\n"
                + "  inner_loop: LOOP\n"
                + "    SET hits = hits + 1;\n"
                + "    ITERATE outer_loop;\n"
                + "  END LOOP inner_loop;\n"
                + "END LOOP outer_loop;\n"
                + "SELECT hits * 10 + i;"),
        equalTo("34"));
  }

  @Test
  public void forLoopsOverAQuerysRows() throws Exception {
    assertThat(
        value(
            "DECLARE acc STRING DEFAULT '';\n"
                + "FOR r IN (SELECT n, s FROM sd.t ORDER BY n DESC) DO\n"
                + "  SET acc = CONCAT(acc, r.s, CAST(r.n AS STRING));\n"
                + "END FOR;\nSELECT acc;"),
        equalTo("c3b2a1"));
    // The whole row is a STRUCT value.
    assertThat(
        value(
            "DECLARE seen STRING DEFAULT '';\n"
                + "FOR r IN (SELECT n, s FROM sd.t WHERE n < 3 ORDER BY n) DO\n"
                + "  SET seen = CONCAT(seen, TO_JSON_STRING(r), ';');\n"
                + "END FOR;\nSELECT seen;"),
        equalTo("{\"n\":1,\"s\":\"a\"};{\"n\":2,\"s\":\"b\"};"));
  }

  @Test
  public void exceptionHandlersSeeTheError() throws Exception {
    assertThat(
        rows(
            "BEGIN\n  SELECT 1;\n  SELECT 10 / 0;\nEXCEPTION WHEN ERROR THEN\n"
                + "  SELECT @@error.message, @@error.statement_text;\nEND;"),
        contains(List.of("division by zero: 10 / 0", "SELECT 10 / 0")));
    // RAISE with a message is caught like any error; RAISE alone re-raises in a handler.
    assertThat(
        value(
            "BEGIN\n  RAISE USING MESSAGE = CONCAT('bad ', 'input');\n"
                + "EXCEPTION WHEN ERROR THEN\n  SELECT @@error.message;\nEND;"),
        equalTo("bad input"));
    assertThat(
        failure("BEGIN\n  SELECT 1 / 0;\nEXCEPTION WHEN ERROR THEN\n  RAISE;\nEND;").getMessage(),
        equalTo("Query error: division by zero: 1 / 0 at [2:3]"));
    ErrorProto raised = failure("SELECT 1;\nRAISE USING MESSAGE = 'stop here';");
    assertThat(raised.getReason(), equalTo("invalidQuery"));
    assertThat(raised.getMessage(), equalTo("Query error: stop here at [2:1]"));
  }

  @Test
  public void aFailedTransactionIsRolledBackForItsHandler() throws Exception {
    runOk(bq, queryJob(P, "make_tx", "CREATE TABLE sd.tx (n INT64)"));
    assertThat(
        value(
            "BEGIN\n  BEGIN TRANSACTION;\n  INSERT sd.tx (n) VALUES (1);\n  SELECT 1 / 0;\n"
                + "  COMMIT TRANSACTION;\nEXCEPTION WHEN ERROR THEN\n  ROLLBACK TRANSACTION;\n"
                + "END;\nSELECT COUNT(*) FROM sd.tx;"),
        equalTo("0"));
  }

  @Test
  public void returnEndsTheScript() throws Exception {
    assertThat(value("SELECT 'first';\nRETURN;\nSELECT 'never';"), equalTo("first"));
  }

  @Test
  public void assertPassesOrFailsWithItsDescription() throws Exception {
    assertThat(
        value(
            "ASSERT (SELECT COUNT(*) > 2 FROM sd.t) AS 'Table must contain more than 2 rows.';\n"
                + "SELECT 'ok';"),
        equalTo("ok"));
    assertThat(
        failure(
                "ASSERT (SELECT COUNT(*) > 10 FROM sd.t) AS 'Table must contain more than 10 rows.'")
            .getMessage(),
        equalTo("Query error: Assertion failed: Table must contain more than 10 rows. at [1:1]"));
    assertThat(
        failure("SELECT 1;\nASSERT 1 > 2").getMessage(),
        equalTo("Query error: Assertion failed: 1 > 2 at [2:1]"));
  }

  @Test
  public void setSeveralVariablesAtOnce() throws Exception {
    assertThat(
        rows("DECLARE a INT64; DECLARE b STRING;\nSET (a, b) = (7, 'seven');\nSELECT a, b;"),
        contains(List.of("7", "seven")));
    assertThat(
        rows(
            "DECLARE lo, hi INT64;\n"
                + "SET (lo, hi) = (SELECT AS STRUCT MIN(n), MAX(n) FROM sd.t);\nSELECT lo, hi;"),
        contains(List.of("1", "3")));
  }

  @Test
  public void executeImmediateWithUsingAndInto() throws Exception {
    assertThat(
        value(
            "DECLARE total INT64;\n"
                + "EXECUTE IMMEDIATE 'SELECT SUM(n) * ? FROM sd.t WHERE n >= ?' INTO total"
                + " USING 10, 2;\nSELECT total;"),
        equalTo("50"));
    assertThat(
        value("EXECUTE IMMEDIATE CONCAT('SELECT s FROM sd.t WHERE n = @k') USING 3 AS k;"),
        equalTo("c"));
    assertThat(
        failure("EXECUTE IMMEDIATE 'SELECT ? + ?' USING 1;").getMessage(),
        containsString("EXECUTE IMMEDIATE's SQL reads ? number 2 but USING gives 1 value"));
  }

  @Test
  public void tempTablesLiveUntilTheScriptEnds() throws Exception {
    assertThat(
        rows(
            "CREATE TEMP TABLE picked AS SELECT n FROM sd.t WHERE n > 1;\n"
                + "INSERT INTO picked (n) VALUES (9);\n"
                + "SELECT picked.n FROM picked ORDER BY n;"),
        contains(List.of("2"), List.of("3"), List.of("9")));
    assertThat(
        value(
            "CREATE TEMP TABLE one AS SELECT 1 AS x;\n"
                + "EXECUTE IMMEDIATE 'SELECT COUNT(*) FROM one';"),
        equalTo("1"));
    // Gone afterwards: the name means a table of the default dataset again.
    ErrorProto gone = failure("SELECT n FROM sd.picked");
    assertThat(gone.getReason(), equalTo("notFound"));
    List<String> datasets = new ArrayList<>();
    bq.datasets()
        .list(P)
        .setAll(true)
        .execute()
        .getDatasets()
        .forEach(d -> datasets.add(d.getDatasetReference().getDatasetId()));
    assertThat(datasets.stream().anyMatch(d -> d.startsWith("_script_")), equalTo(false));
  }

  @Test
  public void aRunawayLoopEndsWithAClearError() throws Exception {
    ErrorProto e = failure("LOOP\n  BEGIN\n  END;\nEND LOOP;");
    assertThat(e.getReason(), equalTo("invalidQuery"));
    assertThat(
        e.getMessage(),
        equalTo(
            "Script exceeded the local server's limit of 100000 executed statements and loop"
                + " iterations at [2:3]"));
    // Not an error of the script's statements: an exception handler does not catch it.
    ErrorProto handled =
        failure("BEGIN\n  LOOP\n  END LOOP;\nEXCEPTION WHEN ERROR THEN\n  SELECT 'caught';\nEND;");
    assertThat(handled.getMessage(), startsWith("Script exceeded the local server's limit"));
  }

  @Test
  public void aConditionsErrorIsReportedAtItsStatement() throws Exception {
    assertThat(
        failure("SELECT 1;\nIF 1 / 0 > 0 THEN\n  SELECT 2;\nEND IF;").getMessage(),
        equalTo("Query error: division by zero: 1 / 0 at [2:1]"));
    assertThat(
        value(
            "BEGIN\n  WHILE 1 / 0 > 0 DO\n    SELECT 2;\n  END WHILE;\n"
                + "EXCEPTION WHEN ERROR THEN\n  SELECT @@error.message;\nEND;"),
        equalTo("division by zero: 1 / 0"));
  }

  @Test
  public void whatIsNotServedIsNamed() throws Exception {
    assertThat(
        failure("CALL sd.proc();").getMessage(),
        equalTo("CALL statements are not supported by the local server at [1:1]"));
    assertThat(
        failure("SELECT 1;\nBREAK;").getMessage(),
        equalTo("Syntax error: BREAK is only allowed inside a loop at [2:1]"));
  }

  @Test
  public void tablesAndWrittenColumnsAreNeverVariables() throws Exception {
    runOk(bq, queryJob(P, "make_written", "CREATE TABLE sd.written (n INT64, s STRING)"));
    // n is a variable in VALUES, the column in the INSERT list, the SET target and its expression,
    // and a (temporary) table after INTO and FROM.
    assertThat(
        rows(
            "DECLARE n INT64 DEFAULT 5; DECLARE tag STRING DEFAULT 'w';\n"
                + "INSERT sd.written (n, s) VALUES (n, tag);\n"
                + "UPDATE sd.written SET n = n + 1, s = CONCAT(s, tag) WHERE TRUE;\n"
                + "CREATE TEMP TABLE n (n INT64);\n"
                + "INSERT INTO n (n) SELECT n FROM sd.written;\n"
                + "SELECT n.n, w.s FROM n, sd.written AS w;"),
        contains(List.of("6", "ww")));
  }

  @Test
  public void aColumnWinsOverAVariableOfTheSameName() throws Exception {
    // BigQuery resolves n to the column where a table with n is in scope, to the variable
    // elsewhere.
    assertThat(
        rows(
            "DECLARE n INT64 DEFAULT 100;\n"
                + "SELECT n, n + 1 AS m FROM sd.t WHERE n < 3 ORDER BY n;"),
        contains(List.of("1", "2"), List.of("2", "3")));
    // Beside another variable, which stays a variable.
    assertThat(
        rows(
            "DECLARE n INT64 DEFAULT 100; DECLARE k INT64 DEFAULT 2;\n"
                + "SELECT n FROM sd.t WHERE n >= k ORDER BY n;"),
        contains(List.of("2"), List.of("3")));
    assertThat(
        value(
            "DECLARE n INT64 DEFAULT 2;\n"
                + "IF (SELECT COUNT(*) FROM sd.t WHERE n > 0) = 3 THEN SET n = n * 10; END IF;\n"
                + "SELECT n;"),
        equalTo("20"));
  }

  @Test(timeout = 60_000)
  public void aCancelledScriptStopsBetweenStatements() throws Exception {
    // Without the cancel this loop would run until the statement limit (a minute or more).
    Job inserted =
        bq.jobs()
            .insert(P, queryJob(P, "endless", "WHILE TRUE DO\n  SELECT 1;\nEND WHILE;"))
            .execute();
    bq.jobs().cancel(P, "endless").execute();
    Job done = waitDone(bq, inserted.getJobReference());
    assertThat(done.getStatus().getErrorResult().getReason(), equalTo("stopped"));
  }
}
