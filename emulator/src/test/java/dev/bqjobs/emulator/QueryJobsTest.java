package dev.bqjobs.emulator;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import com.google.api.services.bigquery.Bigquery;
import com.google.api.services.bigquery.model.Dataset;
import com.google.api.services.bigquery.model.DatasetReference;
import com.google.api.services.bigquery.model.GetQueryResultsResponse;
import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobConfigurationQuery;
import com.google.api.services.bigquery.model.JobReference;
import com.google.api.services.bigquery.model.TableCell;
import com.google.api.services.bigquery.model.TableRow;
import java.util.ArrayList;
import java.util.List;
import org.junit.ClassRule;
import org.junit.Test;

/** Query jobs end to end through the real client over HTTP. */
public class QueryJobsTest {
  @ClassRule public static final LocalBigQueryRule BQ = new LocalBigQueryRule();

  static final String PROJECT = "query-project";

  static Job queryJob(String jobId, String sql) {
    return new Job()
        .setJobReference(new JobReference().setProjectId(PROJECT).setJobId(jobId))
        .setConfiguration(
            new JobConfiguration()
                .setQuery(new JobConfigurationQuery().setQuery(sql).setUseLegacySql(false)));
  }

  static Job waitDone(Bigquery bq, Job job) throws Exception {
    JobReference ref = job.getJobReference();
    for (int i = 0; i < 2000; i++) {
      Job got =
          bq.jobs()
              .get(ref.getProjectId(), ref.getJobId())
              .setLocation(ref.getLocation())
              .execute();
      if ("DONE".equals(got.getStatus().getState())) {
        return got;
      }
      Thread.onSpinWait();
    }
    throw new AssertionError("job did not finish: " + ref);
  }

  static List<String> firstColumn(List<TableRow> rows) {
    List<String> out = new ArrayList<>();
    for (TableRow r : rows) {
      Object v = ((TableCell) r.getF().get(0)).getV();
      out.add(v == null ? null : v.toString());
    }
    return out;
  }

  @Test
  public void selectRunsAndResultsAreReadable() throws Exception {
    Bigquery bq = BQ.client();
    Job inserted =
        bq.jobs().insert(PROJECT, queryJob("select_one", "SELECT 1 AS x, 'a' AS y, 1.5")).execute();
    assertThat(inserted.getJobReference().getLocation(), equalTo("US"));
    assertThat(inserted.getId(), equalTo(PROJECT + ":US.select_one"));
    Job done = waitDone(bq, inserted);
    assertThat(done.getStatus().getErrorResult(), nullValue());
    assertThat(done.getStatistics().getQuery().getStatementType(), equalTo("SELECT"));
    assertThat(done.getStatistics().getEndTime(), notNullValue());
    GetQueryResultsResponse results =
        bq.jobs().getQueryResults(PROJECT, "select_one").setLocation("US").execute();
    assertThat(results.getJobComplete(), is(true));
    assertThat(results.getSchema().getFields().get(0).getName(), equalTo("x"));
    assertThat(results.getSchema().getFields().get(2).getName(), equalTo("f0_"));
    assertThat(results.getSchema().getFields().get(2).getType(), equalTo("FLOAT"));
    assertThat(firstColumn(results.getRows()), contains("1"));
  }

  @Test
  public void tablesDatasetsAndDml() throws Exception {
    Bigquery bq = BQ.client();
    bq.datasets()
        .insert(
            PROJECT, new Dataset().setDatasetReference(new DatasetReference().setDatasetId("ds")))
        .execute();
    Job create =
        waitDone(
            bq,
            bq.jobs()
                .insert(
                    PROJECT,
                    queryJob("create_people", "CREATE TABLE ds.people (name STRING, age INT64)"))
                .execute());
    assertThat(create.getStatus().getErrorResult(), nullValue());
    assertThat(create.getStatistics().getQuery().getDdlOperationPerformed(), equalTo("CREATE"));
    Job insert =
        waitDone(
            bq,
            bq.jobs()
                .insert(
                    PROJECT,
                    queryJob(
                        "insert_people",
                        "INSERT INTO `query-project.ds.people` (name, age) VALUES (\"ann\", 30), ('bob', 40)"))
                .execute());
    assertThat(insert.getStatus().getErrorResult(), nullValue());
    assertThat(insert.getStatistics().getQuery().getNumDmlAffectedRows(), equalTo(2L));
    assertThat(
        bq.tables().get(PROJECT, "ds", "people").execute().getNumRows().longValue(), equalTo(2L));
    List<TableRow> rows = bq.tabledata().list(PROJECT, "ds", "people").execute().getRows();
    assertThat(firstColumn(rows), contains("ann", "bob"));
  }

  @Test
  public void legacySqlByOmissionFailsWithAdvice() throws Exception {
    Bigquery bq = BQ.client();
    Job job = queryJob("legacy", "SELECT 1");
    job.getConfiguration().getQuery().setUseLegacySql(null);
    Job done = waitDone(bq, bq.jobs().insert(PROJECT, job).execute());
    assertThat(done.getStatus().getErrorResult().getReason(), equalTo("invalidQuery"));
    assertThat(done.getStatus().getErrorResult().getMessage(), containsString("useLegacySql"));
  }
}
