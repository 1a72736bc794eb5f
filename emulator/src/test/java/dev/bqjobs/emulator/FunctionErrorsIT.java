package dev.bqjobs.emulator;

import static dev.bqjobs.emulator.TestSupport.column;
import static dev.bqjobs.emulator.TestSupport.queryJob;
import static dev.bqjobs.emulator.TestSupport.runFailing;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import com.google.api.services.bigquery.Bigquery;
import com.google.api.services.bigquery.model.ErrorProto;
import com.google.api.services.bigquery.model.QueryRequest;
import com.google.api.services.bigquery.model.QueryResponse;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * What a client sees when a query calls a function the local server does not serve, or one that
 * fails where BigQuery's fails: BigQuery's reason and wording, over HTTP, never DuckDB's. Also that
 * the functions written in Java (sql.JavaFunctions) are registered on the server's database.
 */
public class FunctionErrorsIT {
  @ClassRule public static final LocalBigQueryRule BQ = new LocalBigQueryRule();

  private static final String P = "fn-errors-project";
  private static final AtomicInteger JOBS = new AtomicInteger();

  private final Bigquery bq = BQ.client();

  private ErrorProto failure(String sql) throws Exception {
    ErrorProto error = runFailing(bq, queryJob(P, "fails_" + JOBS.incrementAndGet(), sql));
    assertThat(error.getReason(), equalTo("invalidQuery"));
    return error;
  }

  @Test
  public void duckDbOnlyAndRefusedFunctionsAreNotFound() throws Exception {
    assertThat(
        failure("SELECT list_value(1, 2)").getMessage(),
        equalTo("Function not found: list_value at [1:8]"));
    assertThat(
        failure("SELECT 1,\n  ST_GEOGPOINT(1, 2)").getMessage(),
        equalTo("Function not found: ST_GEOGPOINT at [2:3]"));
    assertThat(
        failure("SELECT * FROM read_csv('/etc/hosts')").getMessage(),
        equalTo("Table-valued function not found: read_csv at [1:15]"));
  }

  @Test
  public void functionsWrittenInJavaRunOnTheServer() throws Exception {
    QueryResponse r =
        bq.jobs()
            .query(
                P,
                new QueryRequest()
                    .setQuery("SELECT FARM_FINGERPRINT('foo'), TO_BASE32(b'abcde\\xFF')")
                    .setUseLegacySql(false))
            .execute();
    assertThat(column(r.getRows(), 0), contains("6150913649986995171"));
    assertThat(column(r.getRows(), 1), contains("MFRGGZDF74======"));
  }

  @Test
  public void failuresTheTranslatorRaisesKeepTheirOwnMessage() throws Exception {
    assertThat(failure("SELECT ERROR('boom')").getMessage(), equalTo("boom"));
    assertThat(
        failure("SELECT IF(2 > 1, ERROR(CONCAT('bad: ', '2')), 'ok')").getMessage(),
        equalTo("bad: 2"));
    assertThat(
        failure("SELECT SQRT(-1)").getMessage(),
        equalTo("Floating point error in function: SQRT(-1)"));
    assertThat(
        failure("SELECT ARRAY_FIRST(ARRAY<INT64>[])").getMessage(),
        equalTo("ARRAY_FIRST cannot get the first element of an empty array"));
  }
}
