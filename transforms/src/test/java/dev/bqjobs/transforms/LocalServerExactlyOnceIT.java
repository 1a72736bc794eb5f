package dev.bqjobs.transforms;

import static dev.bqjobs.transforms.LocalServerSupport.collect;
import static dev.bqjobs.transforms.LocalServerSupport.collected;
import static dev.bqjobs.transforms.LocalServerSupport.count;
import static dev.bqjobs.transforms.LocalServerSupport.counter;
import static dev.bqjobs.transforms.LocalServerSupport.createDataset;
import static dev.bqjobs.transforms.LocalServerSupport.describe;
import static dev.bqjobs.transforms.LocalServerSupport.executions;
import static dev.bqjobs.transforms.LocalServerSupport.query;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.aMapWithSize;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobConfigurationQuery;
import com.google.api.services.bigquery.model.JobReference;
import dev.bqjobs.emulator.LocalBigQueryRule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;
import org.junit.After;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * Exactly-once start over HTTP, proven from the server's own count of executions per job ID: lost
 * insert answers, a whole pipeline run twice with one run token, one step applied twice, an ID
 * collision with a foreign job, and identical requests sharing a job.
 */
public class LocalServerExactlyOnceIT {
  static final String P = "once-project";

  @ClassRule public static final LocalBigQueryRule BQ = new LocalBigQueryRule();
  @Rule public final transient TestPipeline p = TestPipeline.create();

  @BeforeClass
  public static void data() throws Exception {
    createDataset(BQ.server(), P, "ds");
    createDataset(BQ.server(), P, "tokyo", "asia-northeast1");
    LocalServerSupport.runSql(BQ.server(), P, "CREATE TABLE tokyo.t AS SELECT 1 AS x");
  }

  @After
  public void faultsOff() {
    BQ.server().setFaults("");
  }

  private static BigQueryJobs.Run transform(String runToken) {
    return BigQueryJobs.run()
        .withRootUrl(BQ.rootUrl())
        .withProject(P)
        .withLocation("US")
        .withJobIdPrefix("once")
        .withRunToken(runToken)
        .withPollBackoff(Duration.millis(20), Duration.millis(200));
  }

  /** The job IDs the server holds whose ID contains this run token. */
  private static Map<String, Integer> executionsOf(String runToken) {
    return executions(BQ.server(), P).entrySet().stream()
        .filter(e -> e.getKey().startsWith("once_" + runToken + "_"))
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
  }

  private static List<String> keys(List<JobResult> results) {
    return results.stream().map(JobResult::getKey).sorted().collect(Collectors.toList());
  }

  @Test
  public void lostInsertAnswersReattachAndEachJobExecutesOnce() {
    // Half the inserts take effect but their answer is lost (dropped connection or 503): the
    // retry with the same ID meets 409, checks the fingerprint and reattaches.
    BQ.server().setFaults("jobs.insert:lost=0.3,lost503=0.2");
    List<JobRequest> requests = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      requests.add(query("SELECT " + i + " AS n", "k" + i));
      expected.add("k" + i + ":SUCCEEDED");
    }
    BigQueryJobs.Result result = p.apply(Create.of(requests)).apply(transform("lost"));
    PAssert.that(describe(result.succeeded(), "s")).containsInAnyOrder(expected);
    PAssert.that(result.succeededWithWarnings()).empty();
    PAssert.that(result.failed()).empty();
    collect(result.succeeded(), "lost");
    PipelineResult run = p.run();
    run.waitUntilFinish();

    long dropped = count(BQ.server(), "jobs.insert -1") + count(BQ.server(), "jobs.insert 503");
    assertThat("some insert answers were lost", dropped, greaterThan(0L));
    assertThat("lost answers led to reattaching", counter(run, "jobs_reattached"), greaterThan(0L));
    assertThat(counter(run, "jobs_inserted") + counter(run, "jobs_reattached"), equalTo((long) 30));
    // The server's view: 30 jobs, each executed exactly once, each the job of one result.
    Map<String, Integer> executed = executionsOf("lost");
    assertThat(executed, aMapWithSize(30));
    assertThat(executed.values(), everyItem(equalTo(1)));
    Set<String> resultIds = new HashSet<>();
    for (JobResult r : collected("lost")) {
      assertThat(r.getAttemptJobIds(), hasSize(1));
      resultIds.add(r.getJobReference().getJobId());
    }
    assertThat(resultIds, equalTo(executed.keySet()));
  }

  @Test
  public void lostInsertAnswersReattachWhereBigQueryPutTheJob() {
    // No location anywhere: BigQuery puts each job next to its data (asia-northeast1), and jobs.get
    // without that location is 404 outside US/EU. After a lost insert answer only the 409 message
    // (PROJECT:LOCATION.JOBID) says where the job is.
    BQ.server().setFaults("jobs.insert:lost=0.5");
    List<JobRequest> requests = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      requests.add(query("SELECT x + " + i + " AS n FROM tokyo.t", "t" + i));
      expected.add("t" + i + ":SUCCEEDED");
    }
    BigQueryJobs.Result result =
        p.apply(Create.of(requests))
            .apply(
                BigQueryJobs.run()
                    .withRootUrl(BQ.rootUrl())
                    .withProject(P)
                    .withJobIdPrefix("once")
                    .withRunToken("tokyo")
                    .withPollBackoff(Duration.millis(20), Duration.millis(200)));
    PAssert.that(describe(result.succeeded(), "s")).containsInAnyOrder(expected);
    PAssert.that(result.succeededWithWarnings()).empty();
    PAssert.that(result.failed()).empty();
    PAssert.that(result.succeeded())
        .satisfies(
            rs -> {
              for (JobResult r : rs) {
                assertThat(r.getJobReference().getLocation(), equalTo("asia-northeast1"));
              }
              return null;
            });
    PipelineResult run = p.run();
    run.waitUntilFinish();

    assertThat(counter(run, "jobs_reattached"), greaterThan(0L));
    Map<String, Integer> executed = executionsOf("tokyo");
    assertThat(executed, aMapWithSize(12));
    assertThat(executed.values(), everyItem(equalTo(1)));
  }

  @Test
  public void oneExplicitJobIdForTwoRequestsStartsOneJob() {
    // Explicit IDs are the user's; two different requests with one ID must not share a job.
    JobRequest first = query("SELECT 'first' AS w", "first").withJobId("explicit_shared_id");
    JobRequest second = query("SELECT 'second' AS w", "second").withJobId("explicit_shared_id");
    BigQueryJobs.Result result = p.apply(Create.of(first, second)).apply(transform("explicit"));
    PAssert.that(result.succeededWithWarnings()).empty();
    collect(result.succeeded(), "explicitS");
    collect(result.failed(), "explicitF");
    p.run().waitUntilFinish();

    List<JobResult> succeeded = collected("explicitS");
    List<JobResult> failed = collected("explicitF");
    assertThat(succeeded, hasSize(1));
    assertThat(failed, hasSize(1));
    assertThat(failed.get(0).getErrorResult().getReason(), equalTo("duplicate"));
    assertThat(
        failed.get(0).getErrorResult().getMessage(),
        allOf(containsString("job ID collision"), containsString("explicit_shared_id")));
    assertThat(succeeded.get(0).getJobReference().getJobId(), equalTo("explicit_shared_id"));
    assertThat(executions(BQ.server(), P).get("explicit_shared_id"), equalTo(1));
  }

  private static List<JobRequest> mixedRequests() {
    return List.of(
        query("SELECT 1 AS a", "a"),
        query("SELECT 2 AS b", "b"),
        query("SELECT 3 AS c", "c"),
        query("SELECT * FROM ds.missing", "missing"), // a job that runs and fails
        JobRequest.of(new JobConfiguration()).withKey("invalid")); // never reaches BigQuery
  }

  private static PipelineResult runMixed(Pipeline pipeline, String bucket) {
    BigQueryJobs.Result result =
        pipeline.apply(Create.of(mixedRequests())).apply(transform("rerun"));
    PAssert.that(describe(result.succeeded(), "s"))
        .containsInAnyOrder("a:SUCCEEDED", "b:SUCCEEDED", "c:SUCCEEDED");
    PAssert.that(result.succeededWithWarnings()).empty();
    PAssert.that(describe(result.failed(), "f"))
        .containsInAnyOrder("missing:FAILED:notFound", "invalid:FAILED:invalid");
    collect(result.succeeded(), bucket + "s");
    collect(result.failed(), bucket + "f");
    PipelineResult run = pipeline.run();
    run.waitUntilFinish();
    return run;
  }

  private static Map<String, List<String>> attemptsByKey(String bucket) {
    Map<String, List<String>> out = new HashMap<>();
    for (String part : List.of("s", "f")) {
      for (JobResult r : collected(bucket + part)) {
        out.put(r.getKey(), r.getAttemptJobIds());
      }
    }
    return out;
  }

  @Test
  public void rerunningThePipelineWithTheSameRunTokenStartsNoNewJob() {
    PipelineResult first = runMixed(p, "first");
    assertThat(counter(first, "jobs_inserted"), equalTo(4L));
    assertThat(counter(first, "jobs_reattached"), equalTo(0L));
    Map<String, Integer> afterFirst = executionsOf("rerun");
    assertThat(afterFirst, aMapWithSize(4));
    long insertsAfterFirst = count(BQ.server(), "jobs.insert 200");

    // The same pipeline again, as after a crash or a manual rerun with the same token.
    Pipeline again = Pipeline.create(TestPipeline.testingPipelineOptions());
    PipelineResult second = runMixed(again, "second");
    assertThat(counter(second, "jobs_inserted"), equalTo(0L));
    assertThat(counter(second, "jobs_reattached"), equalTo(4L));
    assertThat(
        "no insert succeeded the second time",
        count(BQ.server(), "jobs.insert 200"),
        equalTo(insertsAfterFirst));
    assertThat(executionsOf("rerun"), equalTo(afterFirst));
    assertThat(afterFirst.values(), everyItem(equalTo(1)));
    // Same outcomes (PAssert above), for the same jobs.
    assertThat(attemptsByKey("second"), equalTo(attemptsByKey("first")));
  }

  @Test
  public void theSameStepAppliedTwiceStartsOneJobPerRequest() {
    // Two applications with one run token compute the same IDs, as a re-executed step would:
    // whichever inserts second meets 409 and reattaches.
    PCollection<JobRequest> requests = p.apply(Create.of(mixedRequests()));
    for (String step : List.of("A", "B")) {
      BigQueryJobs.Result result = requests.apply("Run" + step, transform("twice"));
      PAssert.that(describe(result.succeeded(), "s" + step))
          .containsInAnyOrder("a:SUCCEEDED", "b:SUCCEEDED", "c:SUCCEEDED");
      PAssert.that(result.succeededWithWarnings()).empty();
      PAssert.that(describe(result.failed(), "f" + step))
          .containsInAnyOrder("missing:FAILED:notFound", "invalid:FAILED:invalid");
      collect(result.succeeded(), "twice" + step + "s");
      collect(result.failed(), "twice" + step + "f");
    }
    PipelineResult run = p.run();
    run.waitUntilFinish();

    assertThat(counter(run, "jobs_inserted"), equalTo(4L));
    assertThat(counter(run, "jobs_reattached"), equalTo(4L));
    Map<String, Integer> executed = executionsOf("twice");
    assertThat(executed, aMapWithSize(4));
    assertThat(executed.values(), everyItem(equalTo(1)));
    assertThat(attemptsByKey("twiceB"), equalTo(attemptsByKey("twiceA")));
  }

  @Test
  public void anIdCollisionWithAForeignJobIsFailedDuplicateAndNeverReattached() throws Exception {
    JobRequest mine = query("SELECT 'mine' AS who", "collide");
    JobRequest alsoMine = query("SELECT 'also mine' AS who", "collide_labelled");
    // The IDs the transform will compute, taken by other jobs first.
    JobPreparer preparer = new JobPreparer(P, "US", "once");
    String id = preparer.prepare(mine, "collision", 0).baseJobId;
    String labelledId = preparer.prepare(alsoMine, "collision", 0).baseJobId;
    insertForeign(id, null);
    insertForeign(labelledId, "0123456789abcdef");

    BigQueryJobs.Result result =
        p.apply(Create.of(mine, alsoMine, query("SELECT 1 AS x", "innocent")))
            .apply(transform("collision"));
    PAssert.that(describe(result.succeeded(), "s")).containsInAnyOrder("innocent:SUCCEEDED");
    PAssert.that(result.succeededWithWarnings()).empty();
    PAssert.that(describe(result.failed(), "f"))
        .containsInAnyOrder("collide:FAILED:duplicate", "collide_labelled:FAILED:duplicate");
    PAssert.that(result.failed())
        .satisfies(
            results -> {
              for (JobResult r : results) {
                String jobId = r.getKey().equals("collide") ? id : labelledId;
                assertThat(
                    r.getErrorResult().getMessage(),
                    allOf(
                        containsString("job ID collision"),
                        containsString(P + ":US." + jobId),
                        containsString(r.getKey().equals("collide") ? "no bqjobs-fp" : "0123")));
                assertThat(r.getAttemptJobIds(), equalTo(List.of(jobId)));
              }
              return null;
            });
    PipelineResult run = p.run();
    run.waitUntilFinish();

    assertThat(counter(run, "jobs_reattached"), equalTo(0L));
    // The foreign jobs ran once each and are untouched.
    Map<String, Integer> executed = executions(BQ.server(), P);
    assertThat(executed.get(id), equalTo(1));
    assertThat(executed.get(labelledId), equalTo(1));
    Job foreign = BQ.client().jobs().get(P, id).setLocation("US").execute();
    assertThat(foreign.getConfiguration().getQuery().getQuery(), equalTo("SELECT 'foreign' AS x"));
  }

  /** Starts a job of someone else's under {@code jobId} and waits (server-side) until DONE. */
  private static void insertForeign(String jobId, String fingerprintLabel) throws Exception {
    JobConfiguration config =
        new JobConfiguration()
            .setQuery(
                new JobConfigurationQuery()
                    .setQuery("SELECT 'foreign' AS x")
                    .setUseLegacySql(false));
    if (fingerprintLabel != null) {
      config.setLabels(Map.of(Labels.FINGERPRINT_LABEL, fingerprintLabel));
    }
    BQ.client()
        .jobs()
        .insert(
            P,
            new Job()
                .setJobReference(
                    new JobReference().setProjectId(P).setJobId(jobId).setLocation("US"))
                .setConfiguration(config))
        .execute();
    boolean complete = false;
    for (int i = 0; !complete && i < 10; i++) {
      complete =
          Boolean.TRUE.equals(
              BQ.client()
                  .jobs()
                  .getQueryResults(P, jobId)
                  .setLocation("US")
                  .setTimeoutMs(9_000L)
                  .execute()
                  .getJobComplete());
    }
    assertThat(complete, is(true));
  }

  @Test
  public void identicalRequestsShareOneJob() {
    JobRequest keyed = query("SELECT 'shared' AS s", "shared");
    JobRequest unkeyed =
        JobRequest.of(
            new JobConfiguration()
                .setQuery(
                    new JobConfigurationQuery()
                        .setQuery("SELECT 'anonymous' AS s")
                        .setUseLegacySql(false)));
    // Same key, another configuration: another job, never silently the same one.
    JobRequest sameKeyOtherConfig = query("SELECT 'other' AS s", "shared");
    BigQueryJobs.Result result =
        p.apply(Create.of(keyed, keyed, keyed, unkeyed, unkeyed, sameKeyOtherConfig))
            .apply(transform("share"));
    PAssert.that(result.succeededWithWarnings()).empty();
    PAssert.that(result.failed()).empty();
    collect(result.succeeded(), "share");
    PipelineResult run = p.run();
    run.waitUntilFinish();

    List<JobResult> results = collected("share");
    assertThat(results, hasSize(6));
    Map<String, List<String>> idsBySql = new HashMap<>();
    for (JobResult r : results) {
      assertThat(r.getOutcome(), equalTo(JobResult.Outcome.SUCCEEDED));
      idsBySql
          .computeIfAbsent(
              r.getRequest().getConfiguration().getQuery().getQuery(), k -> new ArrayList<>())
          .add(r.getJobReference().getJobId());
    }
    assertThat(idsBySql.get("SELECT 'shared' AS s"), hasSize(3));
    assertThat(new HashSet<>(idsBySql.get("SELECT 'shared' AS s")), hasSize(1));
    assertThat(new HashSet<>(idsBySql.get("SELECT 'anonymous' AS s")), hasSize(1));
    assertThat(idsBySql.get("SELECT 'anonymous' AS s"), hasSize(2));
    assertThat(
        idsBySql.get("SELECT 'other' AS s").get(0),
        not(equalTo(idsBySql.get("SELECT 'shared' AS s").get(0))));
    // The unkeyed requests are keyed by their fingerprint.
    assertThat(
        keys(results).stream().filter(k -> !k.equals("shared")).distinct().count(), equalTo(1L));
    assertThat(counter(run, "jobs_inserted"), equalTo(3L));
    Map<String, Integer> executed = executionsOf("share");
    assertThat(executed, aMapWithSize(3));
    assertThat(executed.values(), everyItem(equalTo(1)));
    assertThat(results.get(0).getErrorResult(), nullValue());
  }
}
