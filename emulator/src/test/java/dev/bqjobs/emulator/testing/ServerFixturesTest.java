package dev.bqjobs.emulator.testing;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.google.api.services.bigquery.Bigquery;
import com.google.api.services.bigquery.model.TableRow;
import com.google.gson.JsonObject;
import dev.bqjobs.emulator.LocalBigQueryRule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.ClassRule;
import org.junit.Test;

/** The fixtures against an in-process server, through its HTTP API as against a process. */
public class ServerFixturesTest {
  private static final String P = "fixtures";

  @ClassRule public static final LocalBigQueryRule BQ = new LocalBigQueryRule();

  private static long firstCell(List<TableRow> rows) {
    Object v = ((Map<?, ?>) ((List<?>) rows.get(0).get("f")).get(0)).get("v");
    return Long.parseLong(String.valueOf(v));
  }

  @Test
  public void datasetSqlAndStats() throws Exception {
    Bigquery bq = ServerFixtures.client(BQ.rootUrl());
    ServerFixtures.createDataset(bq, P, "ds", "EU");
    assertEquals("EU", bq.datasets().get(P, "ds").execute().getLocation());
    ServerFixtures.runSql(bq, P, "CREATE TABLE ds.t AS SELECT 1 AS n UNION ALL SELECT 2");
    assertEquals(2, firstCell(ServerFixtures.runSql(bq, P, "SELECT COUNT(*) FROM ds.t")));

    JsonObject stats = ServerFixtures.stats(BQ.rootUrl());
    assertTrue(stats.toString(), stats.has("executionsPerJob"));
    assertEquals(0, ServerFixtures.jobsInState(stats, "RUNNING"));
  }

  @Test
  public void failingSqlIsAnAssertionErrorNamingTheStatement() {
    AssertionError e =
        assertThrows(
            AssertionError.class,
            () ->
                ServerFixtures.runSql(
                    ServerFixtures.client(BQ.rootUrl()), P, "SELECT * FROM nowhere.missing"));
    assertThat(e.getMessage(), containsString("SELECT * FROM nowhere.missing"));
  }

  @Test
  public void gcsFilesLiveUnderTheRoot() throws Exception {
    Path root = BQ.server().gcsRoot();
    Path file = ServerFixtures.writeGcs(root, "gs://bucket/dir/a.csv", "x\n1\n");
    assertEquals(root.resolve("bucket/dir/a.csv"), file);
    assertEquals("x\n1\n", Files.readString(file));
    assertThrows(
        IllegalArgumentException.class, () -> ServerFixtures.gcsFile(root, "/bucket/a.csv"));
  }
}
