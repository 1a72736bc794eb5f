package dev.bqjobs.emulator;

import static dev.bqjobs.emulator.TestSupport.dataset;
import static dev.bqjobs.emulator.TestSupport.expectError;
import static dev.bqjobs.emulator.TestSupport.queryJob;
import static dev.bqjobs.emulator.TestSupport.run;
import static dev.bqjobs.emulator.TestSupport.runOk;
import static dev.bqjobs.emulator.TestSupport.waitDone;
import static dev.bqjobs.emulator.TestSupport.withRuntime;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.isOneOf;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import com.google.api.client.googleapis.json.GoogleJsonError;
import com.google.api.services.bigquery.Bigquery;
import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobCancelResponse;
import com.google.api.services.bigquery.model.JobList;
import com.google.api.services.bigquery.model.JobReference;
import com.google.api.services.bigquery.model.JobStatistics;
import com.google.api.services.bigquery.model.Table;
import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.api.services.bigquery.model.TableReference;
import com.google.api.services.bigquery.model.TableSchema;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.bqjobs.emulator.engine.JobManager;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

/** The job lifecycle, job identity and location rules of jobs.* through the real client. */
public class JobLifecycleTest {
  @ClassRule public static final LocalBigQueryRule BQ = new LocalBigQueryRule();

  private static final String PROJECT = "lifecycle-project";

  private final Bigquery bq = BQ.client();

  @BeforeClass
  public static void datasets() throws Exception {
    Bigquery bq = BQ.client();
    bq.datasets().insert(PROJECT, dataset(PROJECT, "us_data", "US")).execute();
    bq.datasets().insert(PROJECT, dataset(PROJECT, "eu_data", "EU")).execute();
    for (String ds : List.of("us_data", "eu_data")) {
      bq.tables()
          .insert(
              PROJECT,
              ds,
              new Table()
                  .setTableReference(
                      new TableReference().setProjectId(PROJECT).setDatasetId(ds).setTableId("t"))
                  .setSchema(
                      new TableSchema()
                          .setFields(
                              List.of(new TableFieldSchema().setName("x").setType("INT64")))))
          .execute();
    }
  }

  private int executions(String jobId) {
    return BQ.server().executionsPerJob().getOrDefault(PROJECT + ":" + jobId, 0);
  }

  // ---------------------------------------------------------------- lifecycle

  @Test
  public void insertAnswersAtOnceAndTheJobReachesDone() throws Exception {
    Job inserted =
        bq.jobs()
            .insert(PROJECT, withRuntime(queryJob(PROJECT, "slow", "SELECT 1"), 300))
            .execute();
    assertThat(inserted.getStatus().getState(), isOneOf("PENDING", "RUNNING"));
    assertThat(inserted.getId(), equalTo(PROJECT + ":US.slow"));
    assertThat(inserted.getKind(), equalTo("bigquery#job"));
    assertThat(inserted.getEtag(), notNullValue());
    assertThat(inserted.getUserEmail(), notNullValue());
    assertThat(
        inserted.getSelfLink(),
        startsWith(BQ.rootUrl() + "bigquery/v2/projects/" + PROJECT + "/jobs/slow"));
    assertThat(inserted.getStatistics().getCreationTime(), notNullValue());
    assertThat(inserted.getStatistics().getEndTime(), nullValue());

    Job done = waitDone(bq, inserted.getJobReference());
    assertThat(done.getStatus().getErrorResult(), nullValue());
    JobStatistics s = done.getStatistics();
    assertThat(s.getCreationTime(), lessThanOrEqualTo(s.getStartTime()));
    assertThat(s.getStartTime(), lessThanOrEqualTo(s.getEndTime()));
    // The runtime label keeps the job RUNNING at least that long, counted from RUNNING.
    assertThat(s.getEndTime() - s.getStartTime(), greaterThanOrEqualTo(300L));
    assertThat(done.getEtag(), notNullValue());
    assertThat(done.getUserEmail(), equalTo(inserted.getUserEmail()));
    assertThat(done.getJobReference().getLocation(), equalTo("US"));
    assertThat(executions("slow"), equalTo(1));
  }

  @Test
  public void timesAreEpochMillisecondsSentAsJsonStrings() throws Exception {
    long before = System.currentTimeMillis();
    Job done = runOk(bq, queryJob(PROJECT, "raw_times", "SELECT 1"));
    long after = System.currentTimeMillis();
    TestSupport.Raw raw =
        TestSupport.http(
            "GET",
            BQ.rootUrl() + "bigquery/v2/projects/" + PROJECT + "/jobs/raw_times?location=US",
            (String) null);
    assertThat(raw.toString(), raw.status, equalTo(200));
    JsonObject job = raw.json();
    JsonObject stats = job.getAsJsonObject("statistics");
    for (String name : List.of("creationTime", "startTime", "endTime")) {
      JsonPrimitive value = stats.getAsJsonPrimitive(name);
      assertThat(name + " in " + raw.body, value.isString(), is(true));
      long ms = Long.parseLong(value.getAsString());
      // milliseconds, not seconds: within the test's own clock readings
      assertThat(name, ms, greaterThanOrEqualTo(before));
      assertThat(name, ms, lessThanOrEqualTo(after));
    }
    assertThat(job.get("id").getAsString(), equalTo(PROJECT + ":US.raw_times"));
    assertThat(job.get("kind").getAsString(), equalTo("bigquery#job"));
    assertThat(raw.body, job.has("user_email"), is(true));
    assertThat(raw.body, job.has("etag"), is(true));
    assertThat(raw.body, job.has("selfLink"), is(true));
    assertThat(done.getStatistics().getEndTime(), notNullValue());
  }

  @Test
  public void runtimeLabelMustBeAnIntegerOfMilliseconds() {
    for (String bad : List.of("fast", "1.5", "-5", "")) {
      Job job = queryJob(PROJECT, "bad_runtime", "SELECT 1");
      job.getConfiguration().setLabels(Map.of(JobManager.RUNTIME_LABEL, bad));
      GoogleJsonError error =
          expectError(400, "invalid", () -> bq.jobs().insert(PROJECT, job).execute());
      assertThat(error.getMessage(), containsString("\"" + bad + "\""));
    }
    expectError(404, "notFound", () -> bq.jobs().get(PROJECT, "bad_runtime").execute());
  }

  // ---------------------------------------------------------------- identity

  @Test
  public void jobIdsAreValidated() throws Exception {
    for (String bad : List.of("has space", "dot.ted", "colon:id", "x".repeat(1025))) {
      GoogleJsonError error =
          expectError(
              400,
              "invalid",
              () -> bq.jobs().insert(PROJECT, queryJob(PROJECT, bad, "SELECT 1")).execute());
      assertThat(error.getMessage(), containsString(bad.substring(0, Math.min(bad.length(), 40))));
    }
    String longest = "y".repeat(1024);
    Job ok = runOk(bq, queryJob(PROJECT, longest, "SELECT 1"));
    assertThat(ok.getJobReference().getJobId(), equalTo(longest));
    runOk(bq, queryJob(PROJECT, "Mixed_Case-and_123", "SELECT 1"));
  }

  @Test
  public void missingJobIdGetsAServerMadeOne() throws Exception {
    Job job = queryJob(PROJECT, null, "SELECT 1");
    Job inserted = bq.jobs().insert(PROJECT, job).execute();
    String jobId = inserted.getJobReference().getJobId();
    assertThat(jobId, matchesPattern("[A-Za-z0-9_-]{1,1024}"));
    assertThat(inserted.getId(), equalTo(PROJECT + ":US." + jobId));
    assertThat(waitDone(bq, inserted.getJobReference()).getStatus().getErrorResult(), nullValue());
    Job other = bq.jobs().insert(PROJECT, queryJob(PROJECT, null, "SELECT 1")).execute();
    assertThat(other.getJobReference().getJobId().equals(jobId), is(false));
    waitDone(bq, other.getJobReference());
  }

  @Test
  public void duplicateJobIdIs409AndNothingRunsTwice() throws Exception {
    Job first =
        bq.jobs().insert(PROJECT, withRuntime(queryJob(PROJECT, "dup", "SELECT 1"), 200)).execute();
    GoogleJsonError whileRunning =
        expectError(
            409,
            "duplicate",
            () -> bq.jobs().insert(PROJECT, queryJob(PROJECT, "dup", "SELECT 2")).execute());
    assertThat(whileRunning.getMessage(), equalTo("Already Exists: Job " + PROJECT + ":US.dup"));

    Job done = waitDone(bq, first.getJobReference());
    Job again = queryJob(PROJECT, "dup", "SELECT 3");
    again.getJobReference().setLocation("EU");
    GoogleJsonError afterDone =
        expectError(409, "duplicate", () -> bq.jobs().insert(PROJECT, again).execute());
    // The message names the existing job, in its own location.
    assertThat(afterDone.getMessage(), equalTo("Already Exists: Job " + PROJECT + ":US.dup"));

    assertThat(executions("dup"), equalTo(1));
    Job after = bq.jobs().get(PROJECT, "dup").execute();
    assertThat(after.getConfiguration().getQuery().getQuery(), equalTo("SELECT 1"));
    assertThat(after.getStatistics().getEndTime(), equalTo(done.getStatistics().getEndTime()));
  }

  // ---------------------------------------------------------------- location

  @Test
  public void wrongLocationIsNotFoundForGetCancelAndGetQueryResults() throws Exception {
    Job job = queryJob(PROJECT, "in_us", "SELECT 1");
    runOk(bq, job);
    String expected = "Not found: Job " + PROJECT + ":EU.in_us";
    assertThat(
        expectError(
                404, "notFound", () -> bq.jobs().get(PROJECT, "in_us").setLocation("EU").execute())
            .getMessage(),
        equalTo(expected));
    assertThat(
        expectError(
                404,
                "notFound",
                () -> bq.jobs().cancel(PROJECT, "in_us").setLocation("EU").execute())
            .getMessage(),
        equalTo(expected));
    assertThat(
        expectError(
                404,
                "notFound",
                () -> bq.jobs().getQueryResults(PROJECT, "in_us").setLocation("EU").execute())
            .getMessage(),
        equalTo(expected));
    assertThat(
        bq.jobs().get(PROJECT, "in_us").setLocation("us").execute().getId(),
        equalTo(PROJECT + ":US.in_us"));

    // Outside the US and EU multi-regions a location is required to find a job.
    Job regional = queryJob(PROJECT, "in_tokyo", "SELECT 1");
    regional.getJobReference().setLocation("asia-northeast1");
    runOk(bq, regional);
    assertThat(
        expectError(404, "notFound", () -> bq.jobs().get(PROJECT, "in_tokyo").execute())
            .getMessage(),
        equalTo("Not found: Job " + PROJECT + ":US.in_tokyo"));
    assertThat(
        bq.jobs().get(PROJECT, "in_tokyo").setLocation("asia-northeast1").execute().getId(),
        equalTo(PROJECT + ":asia-northeast1.in_tokyo"));
  }

  @Test
  public void locationIsInferredFromTheDatasets() throws Exception {
    Job inserted =
        bq.jobs()
            .insert(PROJECT, queryJob(PROJECT, "reads_eu", "SELECT x FROM `eu_data.t`"))
            .execute();
    assertThat(inserted.getJobReference().getLocation(), equalTo("EU"));
    assertThat(inserted.getId(), equalTo(PROJECT + ":EU.reads_eu"));
    assertThat(waitDone(bq, inserted.getJobReference()).getStatus().getErrorResult(), nullValue());
    // jobs.get without a location finds EU jobs too.
    assertThat(bq.jobs().get(PROJECT, "reads_eu").execute().getId(), equalTo(inserted.getId()));

    Job defaultDataset = queryJob(PROJECT, "default_eu", "SELECT x FROM t");
    defaultDataset
        .getConfiguration()
        .getQuery()
        .setDefaultDataset(
            new com.google.api.services.bigquery.model.DatasetReference()
                .setProjectId(PROJECT)
                .setDatasetId("eu_data"));
    Job viaDefault = bq.jobs().insert(PROJECT, defaultDataset).execute();
    assertThat(viaDefault.getJobReference().getLocation(), equalTo("EU"));
    waitDone(bq, viaDefault.getJobReference());

    Job noTables = bq.jobs().insert(PROJECT, queryJob(PROJECT, "no_tables", "SELECT 1")).execute();
    assertThat(noTables.getJobReference().getLocation(), equalTo("US"));
    waitDone(bq, noTables.getJobReference());
  }

  @Test
  public void readingADatasetInAnotherLocationFailsNotFound() throws Exception {
    Job job = queryJob(PROJECT, "us_reads_eu", "SELECT x FROM `" + PROJECT + ".eu_data.t`");
    job.getJobReference().setLocation("US");
    Job done = run(bq, job);
    assertThat(done.getStatus().getState(), equalTo("DONE"));
    assertThat(done.getStatus().getErrorResult().getReason(), equalTo("notFound"));
    assertThat(done.getStatus().getErrorResult().getMessage(), containsString("eu_data"));
    assertThat(done.getStatus().getErrorResult().getMessage(), containsString("location US"));
  }

  // ---------------------------------------------------------------- cancel

  @Test
  public void cancelARunningJobStopsItWithNoEffects() throws Exception {
    Job inserted =
        bq.jobs()
            .insert(
                PROJECT,
                withRuntime(
                    queryJob(PROJECT, "cancel_ctas", "CREATE TABLE us_data.never AS SELECT 1 AS x"),
                    10_000))
            .execute();
    assertThat(inserted.getStatus().getState(), equalTo("RUNNING"));
    JobCancelResponse cancelled = bq.jobs().cancel(PROJECT, "cancel_ctas").execute();
    assertThat(cancelled.getKind(), equalTo("bigquery#jobCancelResponse"));
    assertThat(cancelled.getJob().getId(), equalTo(PROJECT + ":US.cancel_ctas"));

    Job done = waitDone(bq, inserted.getJobReference());
    assertThat(done.getStatus().getErrorResult().getReason(), equalTo("stopped"));
    // A cancel cuts the runtime short.
    assertThat(
        done.getStatistics().getEndTime() - done.getStatistics().getStartTime() < 10_000, is(true));
    expectError(404, "notFound", () -> bq.tables().get(PROJECT, "us_data", "never").execute());
    assertThat(executions("cancel_ctas"), equalTo(0));
  }

  @Test
  public void cancelADoneJobChangesNothing() throws Exception {
    Job done =
        runOk(bq, queryJob(PROJECT, "cancel_done", "CREATE TABLE us_data.kept AS SELECT 1 AS x"));
    JobCancelResponse response = bq.jobs().cancel(PROJECT, "cancel_done").execute();
    assertThat(response.getKind(), equalTo("bigquery#jobCancelResponse"));
    assertThat(response.getJob().getStatus().getErrorResult(), nullValue());
    assertThat(response.getJob().getStatus().getState(), equalTo("DONE"));
    Job after = bq.jobs().get(PROJECT, "cancel_done").execute();
    assertThat(after.getStatus(), equalTo(done.getStatus()));
    assertThat(after.getEtag(), equalTo(done.getEtag()));
    assertThat(after.getStatistics().getEndTime(), equalTo(done.getStatistics().getEndTime()));
    assertThat(
        bq.tables().get(PROJECT, "us_data", "kept").execute().getNumRows().longValue(),
        equalTo(1L));
  }

  // ---------------------------------------------------------------- list, delete

  @Test
  public void jobsListIsPagedNewestFirstAndFilteredByState() throws Exception {
    String project = "list-project";
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(
          runOk(bq, queryJob(project, "listed_" + i, "SELECT " + i)).getJobReference().getJobId());
    }
    bq.jobs()
        .insert(project, withRuntime(queryJob(project, "listed_running", "SELECT 9"), 10_000))
        .execute();

    List<String> seen = new ArrayList<>();
    String token = null;
    int pages = 0;
    do {
      JobList page = bq.jobs().list(project).setMaxResults(2L).setPageToken(token).execute();
      pages++;
      assertThat(page.getJobs().size() <= 2, is(true));
      for (JobList.Jobs j : page.getJobs()) {
        seen.add(j.getJobReference().getJobId());
        assertThat(j.getId(), equalTo(project + ":US." + j.getJobReference().getJobId()));
        assertThat(j.getState(), notNullValue());
      }
      token = page.getNextPageToken();
    } while (token != null);
    assertThat(pages, equalTo(3));
    assertThat(
        seen,
        equalTo(
            List.of("listed_running", "listed_4", "listed_3", "listed_2", "listed_1", "listed_0")));

    JobList done = bq.jobs().list(project).setStateFilter(List.of("done")).execute();
    assertThat(done.getJobs(), hasSize(5));
    JobList running = bq.jobs().list(project).setStateFilter(List.of("running")).execute();
    assertThat(running.getJobs(), hasSize(1));
    assertThat(running.getJobs().get(0).getJobReference().getJobId(), equalTo("listed_running"));
    JobList both = bq.jobs().list(project).setStateFilter(List.of("running", "pending")).execute();
    assertThat(both.getJobs(), hasSize(1));
    expectError(
        400,
        "invalid",
        () -> bq.jobs().list(project).setStateFilter(List.of("finished")).execute());

    bq.jobs().cancel(project, "listed_running").execute();
    waitDone(bq, new JobReference().setProjectId(project).setJobId("listed_running"));
    assertThat(
        bq.jobs().list(project).setStateFilter(List.of("done")).execute().getJobs(), hasSize(6));
  }

  @Test
  public void jobsListMinimalCarriesStateAndErrorResultButNoStatus() throws Exception {
    String project = "list-minimal";
    Job failed = run(bq, queryJob(project, "minimal_bad", "SELECT * FROM no_such_dataset.t"));
    assertThat(failed.getStatus().getErrorResult(), notNullValue());
    long after = failed.getStatistics().getCreationTime() + 1;
    bq.jobs()
        .insert(project, withRuntime(queryJob(project, "minimal_running", "SELECT 1"), 10_000))
        .execute();

    JobList all = bq.jobs().list(project).setProjection("minimal").execute();
    assertThat(all.getJobs(), hasSize(2));
    for (JobList.Jobs j : all.getJobs()) {
      assertThat(j.getStatus(), nullValue());
      assertThat(j.getConfiguration(), nullValue());
      assertThat(j.getState(), notNullValue());
    }
    JobList.Jobs bad = all.getJobs().get(1);
    assertThat(bad.getJobReference().getJobId(), equalTo("minimal_bad"));
    assertThat(bad.getState(), equalTo("DONE"));
    assertThat(bad.getErrorResult().getReason(), notNullValue());

    JobList active =
        bq.jobs()
            .list(project)
            .setProjection("minimal")
            .setStateFilter(List.of("pending", "running"))
            .execute();
    assertThat(active.getJobs(), hasSize(1));
    assertThat(active.getJobs().get(0).getJobReference().getJobId(), equalTo("minimal_running"));
    JobList recent =
        bq.jobs().list(project).setMinCreationTime(java.math.BigInteger.valueOf(after)).execute();
    assertThat(recent.getJobs(), hasSize(1));
    assertThat(recent.getJobs().get(0).getStatus(), notNullValue()); // full projection: status
    JobList older =
        bq.jobs()
            .list(project)
            .setMaxCreationTime(java.math.BigInteger.valueOf(after - 1))
            .execute();
    assertThat(older.getJobs(), hasSize(1));
    assertThat(older.getJobs().get(0).getJobReference().getJobId(), equalTo("minimal_bad"));
    bq.jobs().cancel(project, "minimal_running").execute();
  }

  @Test
  public void jobsDeleteRemovesAFinishedJob() throws Exception {
    runOk(bq, queryJob(PROJECT, "to_delete", "SELECT 1"));
    bq.jobs().delete(PROJECT, "to_delete").setLocation("US").execute();
    expectError(404, "notFound", () -> bq.jobs().get(PROJECT, "to_delete").execute());
    expectError(404, "notFound", () -> bq.jobs().delete(PROJECT, "to_delete").execute());
    expectError(404, "notFound", () -> bq.jobs().delete(PROJECT, "never_existed").execute());
  }

  // ---------------------------------------------------------------- labels, timeout

  @Test
  public void labelsAreValidatedAsBigQueryDoes() throws Exception {
    List<Map<String, String>> bad =
        List.of(
            Map.of("Upper", "v"),
            Map.of("1starts_with_digit", "v"),
            Map.of("k", "Upper"),
            Map.of("k", "has space"),
            Map.of("k".repeat(64), "v"),
            Map.of("k", "v".repeat(64)));
    for (Map<String, String> labels : bad) {
      Job job = queryJob(PROJECT, "bad_labels", "SELECT 1");
      job.getConfiguration().setLabels(labels);
      expectError(400, "invalid", () -> bq.jobs().insert(PROJECT, job).execute());
    }
    Map<String, String> tooMany = new HashMap<>();
    for (int i = 0; i < 65; i++) {
      tooMany.put("k" + i, "v");
    }
    Job crowded = queryJob(PROJECT, "bad_labels", "SELECT 1");
    crowded.getConfiguration().setLabels(tooMany);
    expectError(400, "invalid", () -> bq.jobs().insert(PROJECT, crowded).execute());

    Map<String, String> good = Map.of("team", "data-eng", "ünicode_ok", "", "k".repeat(63), "v");
    Job labelled = queryJob(PROJECT, "good_labels", "SELECT 1");
    labelled.getConfiguration().setLabels(good);
    assertThat(runOk(bq, labelled).getConfiguration().getLabels(), equalTo(good));
  }

  @Test
  public void jobTimeoutMsStopsTheJobWithoutEffects() throws Exception {
    Job job =
        withRuntime(
            queryJob(PROJECT, "times_out", "CREATE TABLE us_data.late AS SELECT 1 AS x"), 10_000);
    job.getConfiguration().setJobTimeoutMs(100L);
    Job done = run(bq, job);
    assertThat(done.getStatus().getErrorResult().getReason(), equalTo("timeout"));
    assertThat(
        done.getStatistics().getEndTime() - done.getStatistics().getCreationTime(),
        greaterThanOrEqualTo(100L));
    expectError(404, "notFound", () -> bq.tables().get(PROJECT, "us_data", "late").execute());

    Job zero = queryJob(PROJECT, "zero_timeout", "SELECT 1");
    zero.getConfiguration().setJobTimeoutMs(0L);
    expectError(400, "invalid", () -> bq.jobs().insert(PROJECT, zero).execute());
  }
}
