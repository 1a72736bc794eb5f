package dev.bqjobs.transforms;

import static dev.bqjobs.transforms.LocalServerSupport.collect;
import static dev.bqjobs.transforms.LocalServerSupport.collected;
import static dev.bqjobs.transforms.LocalServerSupport.counter;
import static dev.bqjobs.transforms.LocalServerSupport.executions;
import static dev.bqjobs.transforms.LocalServerSupport.query;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.nullValue;

import com.google.api.services.bigquery.model.ErrorProto;
import com.google.api.services.bigquery.model.Job;
import dev.bqjobs.emulator.LocalBigQueryRule;
import java.util.ArrayList;
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
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.values.PCollectionList;
import org.joda.time.Duration;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * Reruns of jobs that end DONE with a retryable errorResult. The server draws each job's fault from
 * its job ID, so every rerun ({@code -r2}, {@code -r3}) gets an independent draw.
 */
public class LocalServerRerunsIT {
  static final String P = "rerun-project";

  @ClassRule
  public static final LocalBigQueryRule BQ =
      new LocalBigQueryRule(b -> b.faults("job:backendError=0.5"));

  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static BigQueryJobs.Run transform(String runToken, int maxAttempts) {
    return BigQueryJobs.run()
        .withRootUrl(BQ.rootUrl())
        .withProject(P)
        .withLocation("US")
        .withJobIdPrefix("rerun")
        .withRunToken(runToken)
        .withMaxJobAttempts(maxAttempts)
        // The DirectRunner runs about 3 shard calls at once here: fewer, fuller shards keep the
        // reruns' backoffs overlapping instead of queueing shard after shard.
        .withNumShards(3)
        .withPollBackoff(Duration.millis(20), Duration.millis(200));
  }

  private static List<JobRequest> requests(int n) {
    List<JobRequest> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(query("SELECT " + i + " AS n", "k" + i));
    }
    return out;
  }

  private static Map<String, Integer> executionsOf(String runToken) {
    return executions(BQ.server(), P).entrySet().stream()
        .filter(e -> e.getKey().startsWith("rerun_" + runToken + "_"))
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
  }

  /**
   * Runs {@code n} requests with {@code maxAttempts}; checks attempts against the server's view.
   */
  private List<JobResult> runAndCheck(String token, int n, int maxAttempts) throws Exception {
    return runAndCheck(p, token, token, n, maxAttempts, null);
  }

  /**
   * As above on {@code pipeline}, collecting into {@code bucket}; {@code run} receives the
   * pipeline's result (for its metrics) when not null.
   */
  private static List<JobResult> runAndCheck(
      Pipeline pipeline,
      String token,
      String bucket,
      int n,
      int maxAttempts,
      java.util.function.Consumer<PipelineResult> onResult)
      throws Exception {
    BigQueryJobs.Result result =
        pipeline.apply(Create.of(requests(n))).apply(transform(token, maxAttempts));
    PAssert.that(result.succeededWithWarnings()).empty();
    PAssert.that(result.succeeded())
        .satisfies(
            rs -> {
              rs.forEach(r -> assertThat(r.getErrorResult(), nullValue()));
              return null;
            });
    PAssert.that(result.failed())
        .satisfies(
            rs -> {
              for (JobResult r : rs) {
                assertThat(r.getErrorResult().getReason(), equalTo("backendError"));
                assertThat(r.getAttemptJobIds(), hasSize(maxAttempts));
              }
              return null;
            });
    collect(
        PCollectionList.of(result.succeeded()).and(result.failed()).apply(Flatten.pCollections()),
        bucket);
    PipelineResult run = pipeline.run();
    run.waitUntilFinish();
    if (onResult != null) {
      onResult.accept(run);
    }

    List<JobResult> results = collected(bucket);
    assertThat(results, hasSize(n));
    assertThat(results.stream().map(JobResult::getKey).collect(Collectors.toSet()), hasSize(n));
    Map<String, Integer> executed = executionsOf(token);
    assertThat("each attempt ID executed once", executed.values(), everyItem(equalTo(1)));
    Set<String> attemptIds = new HashSet<>();
    long reruns = 0;
    for (JobResult r : results) {
      List<String> ids = r.getAttemptJobIds();
      assertThat(ids.size(), lessThanOrEqualTo(maxAttempts));
      String base = ids.get(0);
      for (int i = 0; i < ids.size(); i++) {
        assertThat(ids.get(i), equalTo(i == 0 ? base : base + "-r" + (i + 1)));
      }
      assertThat(r.getJobReference().getJobId(), equalTo(ids.get(ids.size() - 1)));
      // Every attempt before the last ended DONE with the retryable error, on the server.
      for (String earlier : ids.subList(0, ids.size() - 1)) {
        Job job = BQ.client().jobs().get(P, earlier).setLocation("US").execute();
        ErrorProto error = job.getStatus().getErrorResult();
        assertThat(error.getReason(), equalTo("backendError"));
      }
      attemptIds.addAll(ids);
      reruns += ids.size() - 1;
    }
    assertThat(
        "the server ran exactly the listed attempts", executed.keySet(), equalTo(attemptIds));
    assertThat(counter(run, "job_reruns"), equalTo(reruns));
    return results;
  }

  @Test
  public void retryableFailuresAreRerunUnderDerivedIdsUpToMaxAttempts() throws Exception {
    List<JobResult> results = runAndCheck("three", 40, 3);
    // With p = 0.5 per attempt and these (deterministic) IDs, some jobs needed reruns and some
    // failed all three attempts.
    assertThat(
        results.stream().filter(r -> r.getAttemptJobIds().size() > 1).count(), greaterThan(0L));
    assertThat(
        results.stream()
            .filter(r -> r.getOutcome() == JobResult.Outcome.SUCCEEDED)
            .filter(r -> r.getAttemptJobIds().size() > 1)
            .count(),
        greaterThan(0L));
    assertThat(
        results.stream().filter(r -> r.getOutcome() == JobResult.Outcome.FAILED).count(),
        greaterThan(0L));
  }

  @Test
  public void rerunningThePipelineReattachesToEveryAttemptAndStartsNoJob() throws Exception {
    List<JobResult> first = runAndCheck(p, "again", "again1", 12, 3, null);
    Map<String, Integer> executedBefore = executionsOf("again");
    long[] inserted = new long[2];
    List<JobResult> second =
        runAndCheck(
            Pipeline.create(TestPipeline.testingPipelineOptions()),
            "again",
            "again2",
            12,
            3,
            run -> {
              inserted[0] = counter(run, "jobs_inserted");
              inserted[1] = counter(run, "jobs_reattached");
            });
    assertThat("no job started the second time", inserted[0], equalTo(0L));
    long attempts = first.stream().mapToLong(r -> r.getAttemptJobIds().size()).sum();
    assertThat("every attempt reattached", inserted[1], equalTo(attempts));
    assertThat(executionsOf("again"), equalTo(executedBefore));
    assertThat(summary(second), equalTo(summary(first)));
  }

  /** key -> outcome and attempts. */
  private static Map<String, String> summary(List<JobResult> results) {
    return results.stream()
        .collect(
            Collectors.toMap(JobResult::getKey, r -> r.getOutcome() + " " + r.getAttemptJobIds()));
  }

  @Test
  public void oneAttemptMeansNoRerun() throws Exception {
    List<JobResult> results = runAndCheck("one", 20, 1);
    assertThat(
        results.stream().filter(r -> r.getOutcome() == JobResult.Outcome.FAILED).count(),
        greaterThan(0L));
    assertThat(results.stream().allMatch(r -> r.getAttemptJobIds().size() == 1), equalTo(true));
  }
}
