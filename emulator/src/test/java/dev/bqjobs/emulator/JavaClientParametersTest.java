package dev.bqjobs.emulator;

import static dev.bqjobs.emulator.TestSupport.dataset;
import static dev.bqjobs.emulator.TestSupport.queryJob;
import static dev.bqjobs.emulator.TestSupport.runOk;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.Assert.assertThrows;

import com.google.cloud.NoCredentials;
import com.google.cloud.bigquery.BigQuery;
import com.google.cloud.bigquery.BigQueryException;
import com.google.cloud.bigquery.BigQueryOptions;
import com.google.cloud.bigquery.FieldValue;
import com.google.cloud.bigquery.FieldValueList;
import com.google.cloud.bigquery.QueryJobConfiguration;
import com.google.cloud.bigquery.QueryParameterValue;
import com.google.cloud.bigquery.StandardSQLTypeName;
import com.google.cloud.bigquery.TableResult;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

/** Query parameters as Google's Java client sends them ({@link QueryParameterValue}). */
public class JavaClientParametersTest {
  @ClassRule public static final LocalBigQueryRule BQ = new LocalBigQueryRule();

  private static final String P = "client-params-project";
  private static BigQuery client;

  @BeforeClass
  public static void setUp() throws Exception {
    BQ.client().datasets().insert(P, dataset(P, "cd", "US")).execute();
    runOk(
        BQ.client(), queryJob(P, "setup", "CREATE TABLE cd.t AS SELECT 1 AS n UNION ALL SELECT 2"));
    client =
        BigQueryOptions.newBuilder()
            .setHost(BQ.rootUrl())
            .setProjectId(P)
            .setCredentials(NoCredentials.getInstance())
            .build()
            .getService();
  }

  private static List<String> firstRow(TableResult result) {
    List<String> out = new ArrayList<>();
    for (FieldValueList row : result.iterateAll()) {
      for (FieldValue v : row) {
        out.add(v.isNull() ? null : v.getValue().toString());
      }
      break;
    }
    return out;
  }

  @Test
  public void namedParametersOfEveryType() throws Exception {
    QueryJobConfiguration config =
        QueryJobConfiguration.newBuilder(
                "SELECT @i, @f, @n, @bn, @b, @s, @by, @d, @dt, @t, @ts, @j, @nul IS NULL,"
                    + " ARRAY_LENGTH(@arr), @st.a")
            .setUseLegacySql(false)
            .addNamedParameter("i", QueryParameterValue.int64(7L))
            .addNamedParameter("f", QueryParameterValue.float64(0.25))
            .addNamedParameter("n", QueryParameterValue.numeric(new BigDecimal("-1.5")))
            .addNamedParameter(
                "bn", QueryParameterValue.bigNumeric(new BigDecimal("1.000000000000000001")))
            .addNamedParameter("b", QueryParameterValue.bool(false))
            .addNamedParameter("s", QueryParameterValue.string("text"))
            .addNamedParameter(
                "by", QueryParameterValue.bytes("hi".getBytes(StandardCharsets.UTF_8)))
            .addNamedParameter("d", QueryParameterValue.date("2024-03-01"))
            .addNamedParameter("dt", QueryParameterValue.dateTime("2024-03-01 10:11:12.500000"))
            .addNamedParameter("t", QueryParameterValue.time("10:11:12.000000"))
            .addNamedParameter(
                "ts", QueryParameterValue.timestamp("2024-01-31 12:34:56.123456+00:00"))
            .addNamedParameter("j", QueryParameterValue.json("{\"k\": true}"))
            .addNamedParameter("nul", QueryParameterValue.of(null, StandardSQLTypeName.INT64))
            .addNamedParameter(
                "arr", QueryParameterValue.array(new Long[] {1L, 2L, 3L}, Long.class))
            .addNamedParameter(
                "st", QueryParameterValue.struct(Map.of("a", QueryParameterValue.int64(9L))))
            .build();
    List<String> row = firstRow(client.query(config));
    assertThat(
        row,
        contains(
            "7",
            "0.25",
            "-1.5",
            "1.000000000000000001",
            "false",
            "text",
            "aGk=",
            "2024-03-01",
            "2024-03-01T10:11:12.500000",
            "10:11:12",
            "1.706704496123456E9",
            "{\"k\":true}",
            "true",
            "3",
            "9"));
  }

  @Test
  public void positionalParameters() throws Exception {
    QueryJobConfiguration config =
        QueryJobConfiguration.newBuilder("SELECT COUNT(*) FROM cd.t WHERE n > ? AND ? = 'x'")
            .setUseLegacySql(false)
            .addPositionalParameter(QueryParameterValue.int64(1L))
            .addPositionalParameter(QueryParameterValue.string("x"))
            .build();
    assertThat(firstRow(client.query(config)), contains("1"));
  }

  @Test
  public void aMissingParameterFailsWithBigQuerysMessage() {
    QueryJobConfiguration config =
        QueryJobConfiguration.newBuilder("SELECT @a, @b")
            .setUseLegacySql(false)
            .addNamedParameter("a", QueryParameterValue.int64(1L))
            .build();
    BigQueryException e = assertThrows(BigQueryException.class, () -> client.query(config));
    assertThat(e.getMessage(), containsString("Query parameter 'b' not found at [1:12]"));
    assertThat(e.getReason(), equalTo("invalidQuery"));
  }
}
