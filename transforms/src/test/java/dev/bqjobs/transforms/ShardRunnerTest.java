package dev.bqjobs.transforms;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;

import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobConfigurationQuery;
import dev.bqjobs.transforms.FakeBigQuery.Call;
import dev.bqjobs.transforms.FakeBigQuery.Plan;
import dev.bqjobs.transforms.JobResult.Outcome;
import java.util.ArrayList;
import java.util.Collections;
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

  /** Set: completion detected by the fleet's jobs.list (FleetWatcher); null: per-job polling. */
  private String fleetId;

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
    return run(jobs, s, JobBudget.unshared());
  }

  private List<JobResult> run(List<PreparedJob> jobs, RunSettings s, JobBudget budget)
      throws InterruptedException {
    List<JobResult> results = new ArrayList<>();
    ShardRunner runner =
        new ShardRunner(
            bq,
            s,
            time,
            new RateLimiter(s.insertsPerSecond, time),
            new RateLimiter(s.getsPerSecond, time),
            new JobMetrics(),
            () -> 0.5,
            budget,
            fleetId);
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
  public void aShardThatStartedAllItsRequestsLendsItsSlotsToTheOthers() throws Exception {
    bq.setPlanner(job -> Plan.succeed(1_000));
    JobBudget budget = JobBudget.perJvm("test-" + System.nanoTime());
    List<PreparedJob> few = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      few.add(prepare(query("SELECT " + i).withKey("a" + i)));
    }
    run(few, settings, budget); // share 10, 3 used: all 10 lent once its jobs ended
    assertEquals(10, budget.free());
    List<PreparedJob> many = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      many.add(prepare(query("SELECT " + i).withKey("b" + i)));
    }
    List<JobResult> results = run(many, settings, budget);
    results.forEach(r -> assertEquals(Outcome.SUCCEEDED, r.getOutcome()));
    // Its own 10 and the 10 lent: never more than the two shares together.
    assertEquals(20, bq.maxJobsInFlight());
    assertEquals("both shares lent, none in use", 20, budget.free());
    bq.executions().values().forEach(n -> assertEquals(1, (int) n));
  }

  @Test
  public void aBorrowedSlotIsGivenBackWhenTheRequestNeedsNoNewJob() throws Exception {
    bq.setPlanner(job -> Plan.succeed(1_000));
    JobBudget budget = JobBudget.perJvm("test-" + System.nanoTime());
    budget.lend(1);
    settings = new RunSettings(1, 1_000, 30_000, HOUR, 3, 1e6, 1e6);
    PreparedJob job = prepare(query("SELECT 1").withKey("same"));
    List<JobResult> results = run(List.of(job, job, job), settings, budget);
    results.forEach(r -> assertEquals(Outcome.SUCCEEDED, r.getOutcome()));
    assertEquals(1, bq.executions().size());
    assertEquals("the slot lent before and the shard's own share, none in use", 2, budget.free());
  }

  @Test
  public void theFleetsJobsListFindsEndedJobsAtAboutOneGetPerJob() throws Exception {
    bq.setPlanner(job -> Plan.succeed(5_000 + (Math.abs(sql(job).hashCode()) % 55_000)));
    fleetId = "fleet-" + System.nanoTime();
    List<PreparedJob> jobs = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      jobs.add(prepare(query("SELECT " + i).withKey("k" + i)));
    }
    List<JobResult> results = run(jobs, new RunSettings(50, 1_000, 30_000, HOUR, 3, 1e6, 1e6));
    results.forEach(r -> assertEquals(Outcome.SUCCEEDED, r.getOutcome()));
    bq.executions().values().forEach(n -> assertEquals(1, (int) n));
    assertThat(bq.calls(Call.LIST), greaterThan(10));
    // Per-job polling (1 s x1.5 up to 30 s) costs about 7 gets per 5..60 s job.
    assertThat(bq.calls(Call.GET), lessThanOrEqualTo(150));
  }

  @Test
  public void withLeanResultsTheListsDoneEntriesAreTheFinalStatesWithoutGets() throws Exception {
    // Lean results need no query plan, so a full-projection list of DONE jobs gives each job's
    // final state (status with warnings and errors, statistics) and no jobs.get is needed.
    bq.setPlanner(
        job -> {
          int i = Integer.parseInt(sql(job).substring("SELECT ".length()));
          long runtime = 5_000 + (i * 7_919L) % 55_000;
          if (i % 10 == 3) {
            return Plan.warn(runtime, "row 7: bad value");
          }
          return i % 10 == 7 ? Plan.fail(runtime, "invalidQuery") : Plan.succeed(runtime);
        });
    fleetId = "fleet-" + System.nanoTime();
    List<PreparedJob> jobs = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      jobs.add(prepare(query("SELECT " + i).withKey("k" + i)));
    }
    List<JobResult> results =
        run(jobs, new RunSettings(50, 1_000, 30_000, HOUR, 3, 1e6, 1e6).withLeanResults(true));
    Map<Outcome, Integer> outcomes = new HashMap<>();
    for (JobResult r : results) {
      outcomes.merge(r.getOutcome(), 1, Integer::sum);
      assertEquals("DONE", r.getJob().getStatus().getState());
      assertNotNull(r.getJob().getStatistics().getEndTime());
      int i = Integer.parseInt(r.getKey().substring(1));
      Outcome expected =
          i % 10 == 3
              ? Outcome.SUCCEEDED_WITH_WARNINGS
              : i % 10 == 7 ? Outcome.FAILED : Outcome.SUCCEEDED;
      assertEquals(r.getKey(), expected, r.getOutcome());
    }
    assertEquals(
        Map.of(Outcome.SUCCEEDED, 80, Outcome.SUCCEEDED_WITH_WARNINGS, 10, Outcome.FAILED, 10),
        outcomes);
    bq.executions().values().forEach(n -> assertEquals(1, (int) n));
    // the failed ones are not rerun (invalidQuery is permanent); gets only for the last few jobs,
    // when fewer than FleetWatcher.MIN_JOBS are left and they run long enough that polling each is
    // cheaper than listing (with jobs.get deciding, the same run costs about 100:
    // theFleetsJobsListFindsEndedJobs...)
    assertThat(bq.calls(Call.GET), lessThanOrEqualTo(20));
    assertThat(bq.calls(Call.LIST), lessThanOrEqualTo(100));
  }

  @Test
  public void jobsThatAllEndInOneListAreAllEmitted() throws Exception {
    // The list ends every job of the shard at once: nothing is left to poll, and the results the
    // list produced must still go out before the shard ends.
    bq.setPlanner(job -> Plan.succeed(10_000));
    fleetId = "fleet-" + System.nanoTime();
    List<PreparedJob> jobs = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      jobs.add(prepare(query("SELECT " + i).withKey("k" + i)));
    }
    List<JobResult> results =
        run(jobs, new RunSettings(10, 1_000, 30_000, HOUR, 3, 1e6, 1e6).withLeanResults(true));
    results.forEach(r -> assertEquals(Outcome.SUCCEEDED, r.getOutcome()));
    // at most the last few, polled once fewer than FleetWatcher.MIN_JOBS are left and the list no
    // longer pays for them
    assertThat(bq.calls(Call.GET), lessThan(FleetWatcher.MIN_JOBS));
  }

  @Test
  public void withoutJobsListPermissionEachJobIsPolled() throws Exception {
    bq.setPlanner(job -> Plan.succeed(3_000));
    bq.fail(Call.LIST, id -> true, 1, 403, "accessDenied");
    fleetId = "fleet-" + System.nanoTime();
    List<PreparedJob> jobs = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      jobs.add(prepare(query("SELECT " + i).withKey("k" + i)));
    }
    long start = time.nowMillis();
    List<JobResult> results = run(jobs);
    results.forEach(r -> assertEquals(Outcome.SUCCEEDED, r.getOutcome()));
    assertEquals(1, bq.calls(Call.LIST)); // refused once: never asked again in this project
    assertThat(time.nowMillis() - start, lessThan(20_000L));
  }

  @Test
  public void aListThatMissesARunningJobOnlyCostsAGet() throws Exception {
    // A list that shows nothing (e.g. a stale answer): every job looks ended; jobs.get decides.
    bq.setPlanner(job -> Plan.succeed(10_000));
    bq.listShowsNothing();
    fleetId = "fleet-" + System.nanoTime();
    List<PreparedJob> jobs = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      jobs.add(prepare(query("SELECT " + i).withKey("k" + i)));
    }
    List<JobResult> results = run(jobs);
    results.forEach(r -> assertEquals(Outcome.SUCCEEDED, r.getOutcome()));
    results.forEach(r -> assertEquals("DONE", r.getJob().getStatus().getState()));
    bq.executions().values().forEach(n -> assertEquals(1, (int) n));
  }

  @Test
  public void jobsInALocationTheListCannotReachArePolledPerJob() throws Exception {
    // The list names EU unreachable, so EU jobs are missing from it although they run: they must
    // be neither hinted (a get each per list) nor left to the minute-long backstop.
    bq.setPlanner(job -> Plan.succeed(10_000));
    bq.listCannotReach("EU");
    fleetId = "fleet-" + System.nanoTime();
    List<PreparedJob> jobs = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      jobs.add(prepare(query("SELECT " + i).withKey("k" + i)));
    }
    long start = time.nowMillis();
    List<JobResult> results = run(jobs);
    results.forEach(r -> assertEquals(Outcome.SUCCEEDED, r.getOutcome()));
    bq.executions().values().forEach(n -> assertEquals(1, (int) n));
    assertThat(bq.calls(Call.LIST), greaterThan(0));
    // Per-job polling (1 s x1.5) sees a 10 s job end within about 5 gets and 15 s.
    assertThat(time.nowMillis() - start, lessThan(30_000L));
    assertThat(bq.calls(Call.GET), lessThanOrEqualTo(20 * 6));
  }

  @Test
  public void refusedInsertsShrinkTheQueueAllowanceNotTheRunningShare() throws Exception {
    // A share of 20: 10 running and 10 queue slots. The 11th and 12th inserts are refused with a
    // rate limit: the queue allowance halves twice (10 -> 5 -> 2), so once the first wave ends at
    // most 12 jobs are in flight, until whole shares of accepted inserts give slots back.
    bq.setPlanner(job -> Plan.succeed(10_000));
    List<PreparedJob> jobs = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      jobs.add(prepare(query("SELECT " + i).withKey("k" + i)));
    }
    String eleventh = jobs.get(10).baseJobId;
    String twelfth = jobs.get(11).baseJobId;
    bq.fail(Call.INSERT, eleventh::equals, 1, 429, "rateLimitExceeded");
    bq.fail(Call.INSERT, twelfth::equals, 1, 429, "rateLimitExceeded");
    RunSettings share = new RunSettings(20, 1_000, 30_000, HOUR, 3, 1e6, 1e6).withQueuedShare(10);

    List<JobResult> results = run(jobs, share);

    results.forEach(r -> assertEquals(Outcome.SUCCEEDED, r.getOutcome()));
    bq.executions().values().forEach(n -> assertEquals(1, (int) n));
    assertEquals(40, bq.executions().size());
    // The first wave was admitted before the refusals; every later insert meets the cut cap.
    List<Integer> inFlight = bq.inFlightAtInserts();
    assertEquals(20, (int) Collections.max(inFlight.subList(0, 20)));
    int later = Collections.max(inFlight.subList(20, inFlight.size()));
    assertThat(later, lessThanOrEqualTo(13));
    assertThat(later, greaterThanOrEqualTo(10)); // the running part is never cut
  }

  @Test
  public void aQueuedShareMustLeaveARunningSlot() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new RunSettings(4, 1_000, 30_000, HOUR, 3, 1e6, 1e6).withQueuedShare(4));
    assertThat(e.getMessage(), containsString("queued share 4"));
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
  public void insertThatMayHaveStartedTheJobIsRetriedUntilItsDeadline() throws Exception {
    // 5xx answers: each insert may have created the job, so giving up early could report FAILED
    // for a job that runs. At the deadline, the cancel's 404 shows it never started.
    bq.fail(Call.INSERT, id -> true, 100_000, 500, "backendError");
    settings = new RunSettings(10, 1_000, 30_000, HOUR, 3, 1e6, 1e6);
    long start = time.nowMillis();
    JobResult result = runOne(query("SELECT 1"));
    assertEquals(Outcome.FAILED, result.getOutcome());
    assertEquals("backendError", result.getErrorResult().getReason());
    assertThat(result.getErrorResult().getMessage(), containsString("it was not started"));
    assertThat(bq.calls(Call.INSERT), greaterThan(settings.maxRequestAttempts * 10));
    assertThat(time.nowMillis() - start, greaterThanOrEqualTo(HOUR));
    assertThat(time.nowMillis() - start, lessThan(HOUR + 120_000));
    assertEquals(1, bq.calls(Call.CANCEL));
  }

  @Test
  public void insertThatCannotReachTheServerFailsAfterBoundedRetries() throws Exception {
    // A wrong endpoint refuses every connection: nothing can have started, so do not wait hours.
    bq.refuseConnections(Call.INSERT, id -> true, 1_000);
    long start = time.nowMillis();
    JobResult result = runOne(query("SELECT 1"));
    assertEquals(Outcome.FAILED, result.getOutcome());
    assertEquals("backendError", result.getErrorResult().getReason());
    assertThat(result.getErrorResult().getMessage(), containsString("Connection refused"));
    assertThat(result.getErrorResult().getMessage(), containsString("was not started"));
    assertEquals(settings.maxRequestAttempts, bq.calls(Call.INSERT));
    assertThat(time.nowMillis() - start, lessThan(5 * 60_000L));
  }

  @Test
  public void lostInsertAnswerThenRefusedConnectionsWaitsForTheDeadline() throws Exception {
    // The first insert created the job but its answer was lost; later attempts cannot connect.
    // The job may run, so the transform keeps trying and then learns the truth: it succeeded.
    bq.loseInsertResponses(id -> true, 1);
    bq.refuseConnections(Call.INSERT, id -> true, 20);
    JobResult result = runOne(query("SELECT 1"));
    assertEquals(Outcome.SUCCEEDED, result.getOutcome());
    assertEquals(22, bq.calls(Call.INSERT));
  }

  @Test
  public void aLongGetOutageReportsTheJobsRealOutcome() throws Exception {
    // jobs.get answers 503 for 45 s while a 20 s job runs: still SUCCEEDED, not FAILED.
    bq.setPlanner(job -> Plan.succeed(20_000));
    long outageEnd = time.nowMillis() + 45_000;
    bq.failWhile(Call.GET, () -> time.nowMillis() < outageEnd, 503, "backendError");
    JobResult result = runOne(query("SELECT 1"));
    assertEquals(Outcome.SUCCEEDED, result.getOutcome());
    assertThat(time.nowMillis(), greaterThanOrEqualTo(outageEnd));
    assertEquals(0, bq.calls(Call.CANCEL));
  }

  @Test
  public void quotaExceededOnGetIsWaitedOutNotReportedAsFailure() throws Exception {
    bq.setPlanner(job -> Plan.succeed(5_000));
    bq.fail(Call.GET, id -> true, 30, 403, "quotaExceeded");
    JobResult result = runOne(query("SELECT 1"));
    assertEquals(Outcome.SUCCEEDED, result.getOutcome());
  }

  @Test
  public void getOutageBeyondTheDeadlineCancelsAndEndsUnknownState() throws Exception {
    bq.setPlanner(job -> Plan.succeed(10 * HOUR));
    settings = new RunSettings(10, 1_000, 30_000, HOUR, 3, 1e6, 1e6);
    // Neither jobs.get nor jobs.cancel answers from the insert to the very end.
    bq.fail(Call.GET, id -> true, 1_000_000, 503, "backendError");
    bq.fail(Call.CANCEL, id -> true, 1_000_000, 503, "backendError");
    long start = time.nowMillis();
    PreparedJob job = prepare(query("SELECT 1"));
    JobResult result = run(List.of(job)).get(0);
    assertEquals(Outcome.FAILED, result.getOutcome());
    assertEquals("unknownState", result.getErrorResult().getReason());
    String message = result.getErrorResult().getMessage();
    assertThat(message, containsString("proj"));
    assertThat(message, containsString(job.baseJobId));
    assertThat(message, containsString("location=EU"));
    assertThat(message, containsString("Cancelling it failed"));
    assertThat(bq.calls(Call.CANCEL), greaterThan(1));
    long elapsed = time.nowMillis() - start;
    assertThat(elapsed, greaterThanOrEqualTo(HOUR + settings.cancelGraceMillis));
    assertThat(elapsed, lessThan(HOUR + settings.cancelGraceMillis + 120_000));
  }

  @Test
  public void getOutageThroughTheDeadlineLearnsTheOutcomeFromTheCancel() throws Exception {
    bq.setPlanner(job -> Plan.succeed(10 * HOUR));
    settings = new RunSettings(10, 1_000, 30_000, HOUR, 3, 1e6, 1e6);
    bq.fail(Call.GET, id -> true, 1_000_000, 503, "backendError");
    JobResult result = runOne(query("SELECT 1"));
    // jobTimeoutMs stopped the job at the deadline; the cancel's answer says so.
    assertEquals("timeout", result.getErrorResult().getReason());
    assertEquals(1, bq.calls(Call.CANCEL));
  }

  @Test
  public void rateLimitedCancelDoesNotTurnIntoAFailure() throws Exception {
    bq.setPlanner(job -> Plan.succeed(10 * HOUR));
    settings = new RunSettings(10, 1_000, 30_000, HOUR, 3, 1e6, 1e6);
    bq.fail(Call.CANCEL, id -> true, 1_000, 429, "rateLimitExceeded");
    JobResult result = runOne(query("SELECT 1"));
    // The cancel never went through; BigQuery's jobTimeoutMs backstop stopped the job.
    assertEquals(Outcome.FAILED, result.getOutcome());
    assertEquals("timeout", result.getErrorResult().getReason());
    assertEquals("timeout", result.getJob().getStatus().getErrorResult().getReason());
  }

  @Test
  public void transientAndLaggingPollErrorsAreRetried() throws Exception {
    bq.fail(Call.GET, id -> true, 2, 404, "notFound");
    bq.fail(Call.GET, id -> true, 2, 503, "backendError");
    assertEquals(Outcome.SUCCEEDED, runOne(query("SELECT 1")).getOutcome());
  }

  @Test
  public void persistentNotFoundEndsUnknownStateAfterOneCancel() throws Exception {
    bq.setPlanner(job -> Plan.succeed(HOUR));
    bq.fail(Call.GET, id -> true, 1_000, 404, "notFound");
    PreparedJob job = prepare(query("SELECT 1"));
    JobResult result = run(List.of(job)).get(0);
    assertEquals(Outcome.FAILED, result.getOutcome());
    assertEquals("unknownState", result.getErrorResult().getReason());
    assertThat(result.getErrorResult().getMessage(), containsString("may still be running"));
    assertThat(result.getErrorResult().getMessage(), containsString("proj:" + job.baseJobId));
    assertEquals(1, bq.calls(Call.CANCEL));
    assertEquals(settings.maxNotFound, bq.calls(Call.GET));
  }

  @Test
  public void permanentGetErrorEndsUnknownStateAfterOneCancel() throws Exception {
    bq.setPlanner(job -> Plan.succeed(HOUR));
    bq.fail(Call.GET, id -> true, 1, 403, "accessDenied");
    JobResult result = runOne(query("SELECT 1"));
    assertEquals("unknownState", result.getErrorResult().getReason());
    assertThat(result.getErrorResult().getMessage(), containsString("accessDenied"));
    assertEquals(1, bq.calls(Call.CANCEL));
  }

  @Test
  public void scriptFailingRetryablyIsNotRerun() throws Exception {
    bq.setPlanner(job -> Plan.failingScript(1_000, "backendError"));
    PreparedJob job =
        prepare(query("INSERT INTO ds.t VALUES (1); UPDATE ds.t SET x = 2 WHERE TRUE"));
    JobResult result = run(List.of(job)).get(0);
    assertEquals(Outcome.FAILED, result.getOutcome());
    assertEquals("backendError", result.getErrorResult().getReason());
    assertThat(result.getErrorResult().getMessage(), containsString("did not rerun"));
    assertThat(result.getErrorResult().getMessage(), containsString("multi-statement script"));
    assertEquals(List.of(job.baseJobId), result.getAttemptJobIds());
    assertEquals(1, bq.executions().size());
  }

  @Test
  public void queryWithoutStatementTypeIsNotRerunButLoadsAre() throws Exception {
    bq.setPlanner(
        job -> {
          Plan p = Plan.fail(1_000, "backendError");
          p.statementType = null;
          return job.getJobReference().getJobId().endsWith("-r2") ? Plan.succeed(1_000) : p;
        });
    JobResult query = runOne(query("SELECT 1"));
    assertEquals(Outcome.FAILED, query.getOutcome());
    assertThat(query.getErrorResult().getMessage(), containsString("no statement type"));
    JobResult load =
        runOne(
            JobRequest.of(
                new JobConfiguration()
                    .setLoad(
                        new com.google.api.services.bigquery.model.JobConfigurationLoad()
                            .setSourceUris(List.of("gs://b/x.csv")))));
    assertEquals(Outcome.SUCCEEDED, load.getOutcome());
    assertEquals(2, load.getAttemptJobIds().size());
  }

  @Test
  public void sameExplicitIdInTwoProjectsRunsTwoJobs() throws Exception {
    PreparedJob a = prepare(query("SELECT 1").withJobId("nightly_report").withProject("proj-a"));
    PreparedJob b = prepare(query("SELECT 1").withJobId("nightly_report").withProject("proj-b"));
    List<JobResult> results = run(List.of(a, b));
    for (JobResult r : results) {
      assertEquals(Outcome.SUCCEEDED, r.getOutcome());
    }
    assertEquals(2, bq.executions("nightly_report"));
  }

  @Test
  public void explicitIdEqualToAnotherRequestsRerunIdCannotShareIt() throws Exception {
    // load_x fails retryably and reruns as load_x-r2; a request naming load_x-r2 with the same
    // configuration must not be reported as having run.
    bq.setPlanner(
        job ->
            job.getJobReference().getJobId().equals("load_x")
                ? Plan.fail(1_000, "backendError")
                : Plan.succeed(1_000));
    PreparedJob first = prepare(query("SELECT 1").withJobId("load_x"));
    run(List.of(first));
    PreparedJob second = prepare(query("SELECT 1").withJobId("load_x-r2"));
    JobResult result = run(List.of(second)).get(0);
    assertEquals(Outcome.FAILED, result.getOutcome());
    assertEquals("duplicate", result.getErrorResult().getReason());
    assertThat(result.getErrorResult().getMessage(), containsString("bqjobs-key"));
  }

  @Test
  public void unexpectedRuntimeExceptionBecomesThatRequestsResult() throws Exception {
    JobService exploding =
        new JobService() {
          @Override
          public Job insert(String projectId, Job job) throws java.io.IOException {
            if (job.getJobReference().getJobId().equals("boom")) {
              throw new IllegalArgumentException("Parameter projectId must conform to pattern");
            }
            return bq.insert(projectId, job);
          }

          @Override
          public Job get(String projectId, String jobId, String location)
              throws java.io.IOException {
            return bq.get(projectId, jobId, location);
          }

          @Override
          public Job cancel(String projectId, String jobId, String location)
              throws java.io.IOException {
            return bq.cancel(projectId, jobId, location);
          }
        };
    List<JobResult> results = new ArrayList<>();
    new ShardRunner(
            exploding,
            settings,
            time,
            new RateLimiter(1e6, time),
            new RateLimiter(1e6, time),
            new JobMetrics(),
            () -> 0.5)
        .run(
            List.of(prepare(query("SELECT 1").withJobId("boom")), prepare(query("SELECT 2")))
                .iterator(),
            (request, result) -> results.add(result));
    assertEquals(2, results.size());
    long failed = results.stream().filter(r -> r.getOutcome() == Outcome.FAILED).count();
    long succeeded = results.stream().filter(r -> r.getOutcome() == Outcome.SUCCEEDED).count();
    assertEquals(1, failed);
    assertEquals(1, succeeded);
    JobResult failure =
        results.stream().filter(r -> r.getOutcome() == Outcome.FAILED).findFirst().get();
    assertEquals("internalError", failure.getErrorResult().getReason());
    assertThat(failure.getErrorResult().getMessage(), containsString("must conform to pattern"));
  }

  private ShardRunner newRunner() {
    return new ShardRunner(
        bq,
        settings,
        time,
        new RateLimiter(settings.insertsPerSecond, time),
        new RateLimiter(settings.getsPerSecond, time),
        new JobMetrics(),
        () -> 0.5,
        JobBudget.unshared(),
        fleetId);
  }

  /** Residuals of the checkpoints {@link #checkpointAfter} took. */
  private final List<ShardProgress> residuals = new ArrayList<>();

  /** Claims through a real {@link ShardTracker} that checkpoints after {@code emits} results. */
  private ShardRunner.Claims checkpointAfter(ShardTracker tracker, int emits) {
    return new ShardRunner.Claims() {
      int emitted;

      @Override
      public boolean admit(long index) {
        return tracker.tryClaim(ShardTracker.admit(index));
      }

      @Override
      public boolean emit(long index) {
        if (emitted == emits) {
          residuals.add(tracker.trySplit(0).getResidual()); // as the DirectRunner does
        }
        boolean claimed = tracker.tryClaim(ShardTracker.emit(index));
        emitted += claimed ? 1 : 0;
        return claimed;
      }

      @Override
      public boolean mayContinue() {
        return tracker.tryClaim(ShardTracker.MAY_CONTINUE);
      }
    };
  }

  private static java.util.Iterator<PreparedJob> from(List<PreparedJob> jobs, long next) {
    return jobs.subList((int) next, jobs.size()).iterator();
  }

  private List<PreparedJob> manyJobs(int n) {
    bq.setPlanner(job -> Plan.succeed(500 + (Math.abs(sql(job).hashCode()) % 2_000)));
    List<PreparedJob> jobs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      jobs.add(prepare(query("SELECT " + i).withKey("k" + i)));
    }
    return jobs;
  }

  @Test
  public void aCheckpointedShardGoesOnWithItsJobsInFlightWhenTheSameRunnerResumesIt()
      throws Exception {
    List<PreparedJob> jobs = manyJobs(95);
    List<String> keys = new ArrayList<>();
    ShardRunner runner = newRunner();
    ShardProgress progress = ShardProgress.all(jobs.size());
    int calls = 0;
    while (true) {
      calls++;
      ShardTracker tracker = new ShardTracker(progress, 0);
      boolean complete =
          runner.run(
              from(jobs, progress.next),
              (request, result) -> keys.add(result.getKey()),
              checkpointAfter(tracker, 20));
      if (complete) {
        tracker.checkDone();
        break;
      }
      // the residual is exactly the runner's state: that is what lets the next call take it over
      progress = residuals.get(residuals.size() - 1);
      assertEquals(progress.next, runner.nextIndex());
      assertArrayEquals(progress.owed, runner.owedIndices());
      assertThat(progress.owed.length, greaterThan(0));
    }
    assertEquals(5, calls); // 20 results per call
    assertEquals(95, keys.size());
    assertEquals(95, new java.util.HashSet<>(keys).size());
    assertEquals("one insert per job: nothing was reattached", 95, bq.calls(Call.INSERT));
    bq.executions().values().forEach(n -> assertEquals(1, (int) n));
  }

  @Test
  public void aRunnerThatDidNotRunTheOwedJobsReattachesToThemByID() throws Exception {
    List<PreparedJob> jobs = manyJobs(30);
    List<String> keys = new ArrayList<>();
    ShardTracker first = new ShardTracker(ShardProgress.all(jobs.size()), 0);
    ShardRunner lost = newRunner();
    assertEquals(
        false,
        lost.run(
            jobs.iterator(), (r, result) -> keys.add(result.getKey()), checkpointAfter(first, 5)));
    ShardProgress residual = residuals.get(0);
    lost.abandon(); // e.g. the piece resumes on another worker

    ShardRunner resumed = newRunner();
    List<PreparedJob> owed = new ArrayList<>();
    for (long index : residual.owed) {
      owed.add(jobs.get((int) index));
    }
    resumed.resume(owed, residual.owed, residual.next);
    ShardTracker second = new ShardTracker(residual, 0);
    assertEquals(
        true,
        resumed.run(
            from(jobs, residual.next),
            (r, result) -> keys.add(result.getKey()),
            checkpointAfter(second, Integer.MAX_VALUE)));
    second.checkDone();

    assertEquals(30, keys.size());
    assertEquals(30, new java.util.HashSet<>(keys).size());
    assertEquals("each job ran once, owed ones were met by ID", 30, bq.executions().size());
    bq.executions().values().forEach(n -> assertEquals(1, (int) n));
    // the owed jobs already inserted were inserted once more, met by ID (409) and reattached
    assertThat(bq.calls(Call.INSERT), greaterThan(30));
    assertThat(bq.calls(Call.INSERT), lessThanOrEqualTo(30 + residual.owed.length));
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
    // A second's burst, then the rate: at most R + R * t calls in any t seconds.
    assertThat(bq.maxCallsWithin(Call.INSERT, 1_000), lessThanOrEqualTo(20));
    assertThat(bq.maxCallsWithin(Call.INSERT, 5_000), lessThanOrEqualTo(60));
    assertThat(bq.maxCallsWithin(Call.GET, 1_000), lessThanOrEqualTo(100));
    assertNotNull(bq.executions());
  }
}
