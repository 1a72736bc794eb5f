package dev.bqjobs.transforms;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;

import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobConfigurationQuery;
import dev.bqjobs.transforms.FakeBigQuery.Call;
import dev.bqjobs.transforms.FakeBigQuery.Plan;
import dev.bqjobs.transforms.JobResult.Outcome;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.Test;

/** The sliding-window poll loop against the in-memory fake, on a virtual clock. */
public class ShardRunnerTest {
  private static final long HOUR = 3_600_000L;

  private final FakeTime time = new FakeTime(1_700_000_000_000L);
  private final FakeBigQuery bq = new FakeBigQuery(time);
  private final JobPreparer preparer = new JobPreparer("proj", "EU", "test");
  private RunSettings settings = new RunSettings(10, 1_000, 30_000, 6 * HOUR, 3, 1e6, 1e6);

  private static JobRequest query(String sql) {
    return JobRequest.of(
        new JobConfiguration()
            .setQuery(new JobConfigurationQuery().setQuery(sql).setUseLegacySql(false)));
  }

  private static String sql(Job job) {
    return job.getConfiguration().getQuery() == null
        ? ""
        : job.getConfiguration().getQuery().getQuery();
  }

  private PreparedJob prepare(JobRequest request) {
    return preparer.prepare(request, "run1", 0);
  }

  private List<JobResult> run(List<PreparedJob> jobs) throws InterruptedException {
    return run(jobs, settings);
  }

  private List<JobResult> run(List<PreparedJob> jobs, RunSettings s) throws InterruptedException {
    List<JobResult> results = new ArrayList<>();
    ShardRunner runner =
        new ShardRunner(
            bq,
            s,
            time,
            new RateLimiter(s.insertsPerSecond, time),
            new RateLimiter(s.getsPerSecond, time),
            new JobMetrics(),
            () -> 0.5);
    runner.run(jobs.iterator(), (request, result) -> results.add(result));
    assertEquals("one result per request", jobs.size(), results.size());
    return results;
  }

  private JobResult runOne(JobRequest request) throws InterruptedException {
    return run(List.of(prepare(request))).get(0);
  }

  @Test
  public void slidingWindowKeepsTheCapAndStartsTheNextJobAsSoonAsOneEnds() throws Exception {
    // Runtimes of 0.5 to 2.5 s: batch-synchronous waiting would last as long as the stragglers.
    bq.setPlanner(job -> Plan.succeed(500 + (Math.abs(sql(job).hashCode()) % 2_000)));
    List<PreparedJob> jobs = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      jobs.add(prepare(query("SELECT " + i).withKey("k" + i)));
    }
    long start = time.nowMillis();
    List<JobResult> results = run(jobs);
    long elapsed = time.nowMillis() - start;
    results.forEach(r -> assertEquals(Outcome.SUCCEEDED, r.getOutcome()));
    assertThat(bq.maxJobsInFlight(), lessThanOrEqualTo(10));
    assertThat(bq.maxJobsInFlight(), greaterThan(5));
    bq.executions().values().forEach(n -> assertEquals(1, (int) n));
    assertEquals(200, bq.executions().size());
    // 200 jobs of ~1.5 s average at 10 in flight ~ 30 s of work; allow polling granularity.
    assertThat(elapsed, lessThan(60_000L));
  }

  @Test
  public void warningsAndFailuresAreClassified() throws Exception {
    bq.setPlanner(
        job ->
            sql(job).contains("warn")
                ? Plan.warn(1_000, "bad row 3")
                : sql(job).contains("bad")
                    ? Plan.fail(1_000, "invalidQuery")
                    : Plan.succeed(1_000));
    JobResult warn = runOne(query("SELECT 'warn'"));
    assertEquals(Outcome.SUCCEEDED_WITH_WARNINGS, warn.getOutcome());
    assertEquals(1, warn.getErrors().size());
    assertNull(warn.getErrorResult());
    JobResult bad = runOne(query("SELECT bad"));
    assertEquals(Outcome.FAILED, bad.getOutcome());
    assertEquals("invalidQuery", bad.getErrorResult().getReason());
    assertEquals("DONE", bad.getJob().getStatus().getState());
  }

  @Test
  public void lostInsertResponseReattachesWithoutASecondExecution() throws Exception {
    bq.loseInsertResponses(id -> true, 1);
    PreparedJob job = prepare(query("SELECT 1"));
    JobResult result = run(List.of(job)).get(0);
    assertEquals(Outcome.SUCCEEDED, result.getOutcome());
    assertEquals(1, bq.executions(job.baseJobId));
    assertEquals(2, bq.calls(Call.INSERT));
    assertEquals(List.of(job.baseJobId), result.getAttemptJobIds());
  }

  @Test
  public void transientInsertErrorsAreRetriedWithTheSameId() throws Exception {
    bq.fail(Call.INSERT, id -> true, 2, 503, "backendError");
    bq.fail(Call.INSERT, id -> true, 1, 429, "rateLimitExceeded");
    bq.dropConnection(Call.INSERT, id -> true, 1);
    PreparedJob job = prepare(query("SELECT 1"));
    JobResult result = run(List.of(job)).get(0);
    assertEquals(Outcome.SUCCEEDED, result.getOutcome());
    assertEquals(5, bq.calls(Call.INSERT));
    assertEquals(1, bq.executions(job.baseJobId));
  }

  @Test
  public void requestRetriesAreBounded() throws Exception {
    bq.fail(Call.INSERT, id -> true, 1_000, 500, "backendError");
    JobResult result = runOne(query("SELECT 1"));
    assertEquals(Outcome.FAILED, result.getOutcome());
    assertEquals("backendError", result.getErrorResult().getReason());
    assertEquals(settings.maxRequestAttempts, bq.calls(Call.INSERT));
  }

  @Test
  public void transientAndLaggingPollErrorsAreRetried() throws Exception {
    bq.fail(Call.GET, id -> true, 2, 404, "notFound");
    bq.fail(Call.GET, id -> true, 2, 503, "backendError");
    assertEquals(Outcome.SUCCEEDED, runOne(query("SELECT 1")).getOutcome());
  }

  @Test
  public void persistentNotFoundAfterInsertFails() throws Exception {
    bq.fail(Call.GET, id -> true, 1_000, 404, "notFound");
    JobResult result = runOne(query("SELECT 1"));
    assertEquals(Outcome.FAILED, result.getOutcome());
    assertEquals("notFound", result.getErrorResult().getReason());
  }

  @Test
  public void conflictWithOurOwnJobReattachesAtTheLocationIn409() throws Exception {
    // Requested without a location; the earlier run's job lives in EU: poll there.
    JobPreparer noLocation = new JobPreparer("proj", null, "test");
    PreparedJob job = noLocation.prepare(query("SELECT 1"), "run1", 0);
    Job existing = InsertJobs.build(job, job.baseJobId, HOUR);
    bq.preexisting("proj", "EU", job.baseJobId, existing.getConfiguration());
    JobResult result = run(List.of(job)).get(0);
    assertEquals(Outcome.SUCCEEDED, result.getOutcome());
    assertEquals("EU", result.getJobReference().getLocation());
    assertEquals(0, bq.executions(job.baseJobId)); // nothing new started
  }

  @Test
  public void conflictWithAForeignJobIsACollision() throws Exception {
    PreparedJob job = prepare(query("SELECT 1").withJobId("fixed_id"));
    bq.preexisting("proj", "EU", "fixed_id", query("SELECT 'someone else'").getConfiguration());
    JobResult result = run(List.of(job)).get(0);
    assertEquals(Outcome.FAILED, result.getOutcome());
    assertEquals("duplicate", result.getErrorResult().getReason());
    assertThat(result.getErrorResult().getMessage(), containsString("job ID collision"));
    assertThat(result.getErrorResult().getMessage(), containsString("proj:EU.fixed_id"));
    assertNull(result.getJob());
  }

  @Test
  public void duplicateInsideAJobIsAnOrdinaryFailure() throws Exception {
    bq.setPlanner(job -> Plan.fail(1_000, "duplicate"));
    JobResult result = runOne(query("SELECT 1"));
    assertEquals(Outcome.FAILED, result.getOutcome());
    assertEquals("fake duplicate", result.getErrorResult().getMessage());
    assertEquals(1, result.getAttemptJobIds().size());
  }

  @Test
  public void accessDeniedNamesThePermissionAndRoles() throws Exception {
    bq.denyJobCreation("proj");
    JobResult result = runOne(query("SELECT 1"));
    assertEquals(Outcome.FAILED, result.getOutcome());
    assertEquals("accessDenied", result.getErrorResult().getReason());
    assertThat(result.getErrorResult().getMessage(), containsString("bigquery.jobs.create"));
    assertThat(result.getErrorResult().getMessage(), containsString("bigquery.jobUser"));
    assertEquals(1, bq.calls(Call.INSERT));
  }

  @Test
  public void quotaExceededGivesUpAtOnce() throws Exception {
    bq.fail(Call.INSERT, id -> true, 1, 403, "quotaExceeded");
    JobResult result = runOne(query("SELECT 1"));
    assertEquals("quotaExceeded", result.getErrorResult().getReason());
    assertEquals(1, bq.calls(Call.INSERT));
  }

  @Test
  public void dryRunIsFinalAtInsert() throws Exception {
    bq.setPlanner(
        job -> {
          Plan p = Plan.succeed(1);
          p.invalidAtInsert = sql(job).contains("broken");
          return p;
        });
    JobRequest ok =
        JobRequest.of(
            new JobConfiguration()
                .setDryRun(true)
                .setQuery(new JobConfigurationQuery().setQuery("SELECT 1")));
    JobResult result = runOne(ok);
    assertEquals(Outcome.SUCCEEDED, result.getOutcome());
    assertEquals(Long.valueOf(1234L), result.getStatistics().getTotalBytesProcessed());
    JobRequest broken =
        JobRequest.of(
            new JobConfiguration()
                .setDryRun(true)
                .setQuery(new JobConfigurationQuery().setQuery("SELECT broken")));
    JobResult failed = runOne(broken);
    assertEquals(Outcome.FAILED, failed.getOutcome());
    assertEquals("invalidQuery", failed.getErrorResult().getReason());
    assertEquals(0, bq.calls(Call.GET));
  }

  @Test
  public void retryableJobFailuresAreRerunUnderDerivedIds() throws Exception {
    bq.setPlanner(
        job ->
            job.getJobReference().getJobId().endsWith("-r2")
                ? Plan.succeed(1_000)
                : Plan.fail(1_000, "backendError"));
    PreparedJob job = prepare(query("SELECT 1"));
    JobResult result = run(List.of(job)).get(0);
    assertEquals(Outcome.SUCCEEDED, result.getOutcome());
    assertEquals(List.of(job.baseJobId, job.baseJobId + "-r2"), result.getAttemptJobIds());
    assertEquals(job.baseJobId + "-r2", result.getJobReference().getJobId());
  }

  @Test
  public void rerunsStopAtMaxJobAttempts() throws Exception {
    bq.setPlanner(job -> Plan.fail(1_000, "jobInternalError"));
    PreparedJob job = prepare(query("SELECT 1"));
    JobResult result = run(List.of(job)).get(0);
    assertEquals(Outcome.FAILED, result.getOutcome());
    assertEquals("jobInternalError", result.getErrorResult().getReason());
    assertEquals(
        List.of(job.baseJobId, job.baseJobId + "-r2", job.baseJobId + "-r3"),
        result.getAttemptJobIds());
  }

  @Test
  public void timeoutCancelsAndReportsTimeout() throws Exception {
    bq.setPlanner(job -> Plan.succeed(10 * HOUR));
    settings = new RunSettings(10, 1_000, 30_000, HOUR, 3, 1e6, 1e6);
    long start = time.nowMillis();
    JobResult result = runOne(query("SELECT 1"));
    assertEquals(Outcome.FAILED, result.getOutcome());
    assertEquals("timeout", result.getErrorResult().getReason());
    assertThat(result.getErrorResult().getMessage(), containsString("proj:EU.test_run1_"));
    // Our cancel and BigQuery's jobTimeoutMs backstop land together; either way the job stopped.
    assertThat(
        result.getJob().getStatus().getErrorResult().getReason(),
        anyOf(equalTo("stopped"), equalTo("timeout")));
    assertEquals(1, bq.calls(Call.CANCEL));
    assertThat(time.nowMillis() - start, lessThan(HOUR + 60_000));
  }

  @Test
  public void jobThatFinishesBeforeTheCancelLandsKeepsItsOutcome() throws Exception {
    bq.setPlanner(
        job -> {
          Plan p = Plan.succeed(HOUR + 200);
          p.finishesDespiteCancel = true;
          return p;
        });
    settings = new RunSettings(10, 1_000, 30_000, HOUR, 3, 1e6, 1e6);
    JobResult result = runOne(query("SELECT 1"));
    assertEquals(Outcome.SUCCEEDED, result.getOutcome());
    assertEquals(1, bq.calls(Call.CANCEL));
  }

  @Test
  public void timeoutIsSentAsServerSideBackstop() throws Exception {
    Map<String, Long> seen = new HashMap<>();
    bq.setPlanner(
        job -> {
          seen.put("timeout", job.getConfiguration().getJobTimeoutMs());
          return Plan.succeed(10);
        });
    runOne(query("SELECT 1"));
    assertEquals(Long.valueOf(6 * HOUR), seen.get("timeout"));
  }

  @Test
  public void longJobsCostFewPolls() throws Exception {
    bq.setPlanner(job -> Plan.succeed(HOUR));
    runOne(query("SELECT 1"));
    // Capped at 30 s: about 120 polls for an hour, not 3,600.
    assertThat(bq.calls(Call.GET), lessThan(150));
  }

  @Test
  public void shortJobsFinishFast() throws Exception {
    bq.setPlanner(job -> Plan.succeed(1_500));
    long start = time.nowMillis();
    runOne(query("SELECT 1"));
    assertThat(time.nowMillis() - start, lessThanOrEqualTo(3_000L));
  }

  @Test
  public void identicalRequestsShareOneJob() throws Exception {
    PreparedJob a = prepare(query("SELECT 1").withKey("same"));
    PreparedJob b = prepare(query("SELECT 1").withKey("same"));
    List<JobResult> results = run(List.of(a, b));
    assertEquals(1, bq.executions(a.baseJobId));
    assertEquals(results.get(0).getJobReference(), results.get(1).getJobReference());
  }

  @Test
  public void sameExplicitIdForDifferentConfigurationsInOneRunIsACollision() throws Exception {
    PreparedJob a = prepare(query("SELECT 1").withJobId("same"));
    PreparedJob b = prepare(query("SELECT 2").withJobId("same"));
    List<JobResult> results = run(List.of(a, b));
    long collisions =
        results.stream()
            .filter(r -> r.getOutcome() == Outcome.FAILED)
            .filter(r -> r.getErrorResult().getMessage().contains("job ID collision"))
            .count();
    assertEquals(1, collisions);
  }

  @Test
  public void insertRateIsLimited() throws Exception {
    settings = new RunSettings(100, 1_000, 30_000, HOUR, 3, 10, 50);
    List<PreparedJob> jobs = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      jobs.add(prepare(query("SELECT " + i)));
    }
    run(jobs);
    assertThat(bq.maxCallsWithin(Call.INSERT, 1_000), lessThanOrEqualTo(10));
    assertThat(bq.maxCallsWithin(Call.GET, 1_000), lessThanOrEqualTo(50));
    assertNotNull(bq.executions());
  }
}
