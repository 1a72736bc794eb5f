package dev.bqjobs.emulator;

import static dev.bqjobs.emulator.TestSupport.column;
import static dev.bqjobs.emulator.TestSupport.dataset;
import static dev.bqjobs.emulator.TestSupport.queryJob;
import static dev.bqjobs.emulator.TestSupport.run;
import static dev.bqjobs.emulator.TestSupport.runOk;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import com.google.api.services.bigquery.Bigquery;
import com.google.api.services.bigquery.model.ErrorProto;
import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.QueryRequest;
import com.google.api.services.bigquery.model.QueryResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * Arrays as BigQuery reads them, over HTTP: OFFSET/ORDINAL subscripts that fail out of range (the
 * SAFE_ forms give NULL), and UNNEST of an array of STRUCTs, whose fields become columns, with
 * {@code WITH OFFSET}. Values and messages are BigQuery's (array functions and operators
 * reference).
 */
public class GoogleSqlArraysIT {
  @ClassRule public static final LocalBigQueryRule BQ = new LocalBigQueryRule();

  private static final String P = "arrays-project";
  private static final AtomicInteger JOBS = new AtomicInteger();

  private final Bigquery bq = BQ.client();

  @BeforeClass
  public static void data() throws Exception {
    Bigquery bq = BQ.client();
    bq.datasets().insert(P, dataset(P, "ad", "US")).execute();
    runOk(
        bq,
        queryJob(
            P,
            "setup",
            "CREATE TABLE ad.orders AS SELECT 1 AS id, [STRUCT('pen' AS item, 2 AS qty),"
                + " STRUCT('ink' AS item, 5 AS qty)] AS lines"));
  }

  private QueryResponse query(String sql) throws Exception {
    return bq.jobs().query(P, new QueryRequest().setQuery(sql).setUseLegacySql(false)).execute();
  }

  /** The first row's cells. */
  private List<String> row(String sql) throws Exception {
    QueryResponse r = query(sql);
    List<String> cells = new ArrayList<>();
    for (int i = 0; i < r.getSchema().getFields().size(); i++) {
      cells.add(column(r.getRows(), i).get(0));
    }
    return cells;
  }

  private ErrorProto failure(String sql) throws Exception {
    Job done = run(bq, queryJob(P, "fails_" + JOBS.incrementAndGet(), sql));
    ErrorProto error = done.getStatus().getErrorResult();
    assertThat(sql + " should fail", error, notNullValue());
    assertThat(error.getReason(), equalTo("invalidQuery"));
    return error;
  }

  @Test
  public void offsetAndOrdinalInRangeReadTheElement() throws Exception {
    assertThat(
        row(
            "SELECT [10, 20, 30][OFFSET(0)], [10, 20, 30][ORDINAL(3)],"
                + " ['a', 'b'][SAFE_OFFSET(1)], [[1, 2][OFFSET(1)]][ORDINAL(1)]"),
        contains("10", "30", "b", "2"));
    // A subscript inside a division, and a division inside a subscript.
    assertThat(
        row("SELECT [10, 20][OFFSET(1)] / 4, [10, 20, 30][OFFSET(CAST(4 / 2 AS INT64))]"),
        contains("5.0", "30"));
  }

  @Test
  public void offsetOrOrdinalOutOfRangeFailsWithBigQuerysMessage() throws Exception {
    assertThat(
        failure("SELECT [1, 2, 3][OFFSET(5)]").getMessage(),
        equalTo("Array index 5 is out of bounds (overflow)"));
    assertThat(
        failure("SELECT [1, 2, 3][OFFSET(-1)]").getMessage(),
        equalTo("Array index -1 is out of bounds (underflow)"));
    assertThat(
        failure("SELECT [1, 2, 3][ORDINAL(4)]").getMessage(),
        equalTo("Array index 4 is out of bounds (overflow)"));
    assertThat(
        failure("SELECT [1, 2, 3][ORDINAL(0)]").getMessage(),
        equalTo("Array index 0 is out of bounds (underflow)"));
  }

  @Test
  public void safeFormsAndNullArraysGiveNull() throws Exception {
    QueryResponse r =
        query(
            "SELECT [1, 2, 3][SAFE_OFFSET(5)], [1, 2, 3][SAFE_OFFSET(-1)],"
                + " [1, 2, 3][SAFE_ORDINAL(0)], CAST(NULL AS ARRAY<INT64>)[OFFSET(3)],"
                + " [1, 2][OFFSET(NULL)]");
    for (int i = 0; i < 5; i++) {
      assertThat("column " + i, column(r.getRows(), i).get(0), nullValue());
    }
  }
}
