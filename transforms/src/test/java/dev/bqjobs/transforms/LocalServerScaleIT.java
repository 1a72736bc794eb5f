package dev.bqjobs.transforms;

import static dev.bqjobs.transforms.LocalServerSupport.collect;
import static dev.bqjobs.transforms.LocalServerSupport.collected;
import static dev.bqjobs.transforms.LocalServerSupport.countAll;
import static dev.bqjobs.transforms.LocalServerSupport.executions;
import static dev.bqjobs.transforms.LocalServerSupport.query;
import static dev.bqjobs.transforms.LocalServerSupport.stats;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.aMapWithSize;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import com.google.api.services.bigquery.model.JobStatistics;
import com.google.gson.JsonObject;
import dev.bqjobs.emulator.LocalBigQueryRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.joda.time.Duration;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * 500 jobs at once against a server that would run them all: the transform's own caps hold, seen
 * from the server side. In-flight jobs: from each job's server timestamps (creation to end) and
 * from sampling the server's jobsByState during the run. Request rates: from the server's creation
 * times of the jobs (inserts) and from sampling its request counters (gets).
 */
public class LocalServerScaleIT {
  private static final Logger LOG = LoggerFactory.getLogger(LocalServerScaleIT.class);

  static final String P = "scale-project";
  static final int JOBS = 500;
  static final int MAX_CONCURRENT = 50;
  static final double INSERTS_PER_SECOND = 50;
  static final double GETS_PER_SECOND = 100;

  @ClassRule
  public static final LocalBigQueryRule BQ =
      new LocalBigQueryRule(
          b ->
              b.maxRunningJobs(1_000)
                  .jobRuntime(java.time.Duration.ofMillis(500), java.time.Duration.ofMillis(800)));

  @Rule public final transient TestPipeline p = TestPipeline.fromOptions(options());

  private static PipelineOptions options() {
    PipelineOptions options = TestPipeline.testingPipelineOptions();
    // Enough DoFn threads for all 10 shard calls at once (the default on 2 cores is 3), so the
    // transform-wide cap, not the runner, is what limits the jobs in flight.
    options.as(DirectOptions.class).setTargetParallelism(10);
    return options;
  }

  /** One sample of the server: time, jobs not DONE, jobs.get requests so far. */
  private static final class Sample {
    final long atMillis;
    final int notDone;
    final long gets;

    Sample(long atMillis, int notDone, long gets) {
      this.atMillis = atMillis;
      this.notDone = notDone;
      this.gets = gets;
    }
  }

  @Test
  public void fiveHundredJobsKeepTheConcurrencyAndRateCaps() throws Exception {
    List<JobRequest> requests = new ArrayList<>();
    for (int i = 0; i < JOBS; i++) {
      requests.add(query("SELECT " + i + " AS n", "k" + i));
    }
    BigQueryJobs.Result result =
        p.apply(Create.of(requests))
            .apply(
                BigQueryJobs.run()
                    .withRootUrl(BQ.rootUrl())
                    .withProject(P)
                    .withLocation("US")
                    .withRunToken("scale")
                    .withMaxConcurrentJobs(MAX_CONCURRENT)
                    .withMaxQueuedJobs(0)
                    .withMaxInsertsPerSecond(INSERTS_PER_SECOND)
                    .withMaxGetsPerSecond(GETS_PER_SECOND)
                    .withPollBackoff(Duration.millis(700), Duration.millis(2000)));
    PAssert.thatSingleton(result.succeeded().apply("CountSucceeded", Count.globally()))
        .isEqualTo((long) JOBS);
    PAssert.that(result.succeededWithWarnings()).empty();
    PAssert.that(result.failed()).empty();
    collect(result.succeeded(), "scale");

    List<Sample> samples = java.util.Collections.synchronizedList(new ArrayList<>());
    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
    sampler.scheduleAtFixedRate(
        () -> {
          JsonObject s = stats(BQ.server());
          JsonObject byState = s.getAsJsonObject("jobsByState");
          int notDone =
              (byState.has("PENDING") ? byState.get("PENDING").getAsInt() : 0)
                  + (byState.has("RUNNING") ? byState.get("RUNNING").getAsInt() : 0);
          samples.add(
              new Sample(System.currentTimeMillis(), notDone, countAll(BQ.server(), "jobs.get")));
        },
        0,
        20,
        TimeUnit.MILLISECONDS);
    long started = System.currentTimeMillis();
    PipelineResult run;
    try {
      run = p.run();
      run.waitUntilFinish();
    } finally {
      sampler.shutdownNow();
      sampler.awaitTermination(10, TimeUnit.SECONDS);
    }
    long elapsed = System.currentTimeMillis() - started;

    List<JobResult> results = collected("scale");
    assertThat(results, hasSize(JOBS));
    Map<String, Integer> executed = executions(BQ.server(), P);
    assertThat(executed, aMapWithSize(JOBS));
    assertThat(executed.values(), everyItem(equalTo(1)));

    // In flight on the server, from each job's own timestamps: [creationTime, endTime]. The
    // transform holds a job from before its insert until after it saw DONE, so this can never
    // exceed the cap. At equal milliseconds an end counts first: a shard starts its next job only
    // after it has seen the previous one DONE.
    List<long[]> events = new ArrayList<>();
    List<Long> creations = new ArrayList<>();
    for (JobResult r : results) {
      JobStatistics s = r.getStatistics();
      events.add(new long[] {s.getCreationTime(), +1});
      events.add(new long[] {s.getEndTime(), -1});
      creations.add(s.getCreationTime());
    }
    events.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
    int inFlight = 0;
    int maxInFlight = 0;
    for (long[] e : events) {
      inFlight += (int) e[1];
      maxInFlight = Math.max(maxInFlight, inFlight);
    }
    int maxSampled = 0;
    synchronized (samples) {
      for (Sample s : samples) {
        maxSampled = Math.max(maxSampled, s.notDone);
      }
    }

    // Inserts: the most job creations in any 1 s window, and the overall rate.
    creations.sort(Long::compare);
    int maxInsertsPerWindow = 0;
    for (int i = 0, j = 0; i < creations.size(); i++) {
      while (creations.get(i) - creations.get(j) >= 1_000) {
        j++;
      }
      maxInsertsPerWindow = Math.max(maxInsertsPerWindow, i - j + 1);
    }
    double insertSpanSeconds = (creations.get(JOBS - 1) - creations.get(0)) / 1000.0;
    double insertRate = (JOBS - 1) / insertSpanSeconds;
    // The limiters are token buckets of one second (as BigQuery's per-second quotas): a second's
    // calls at once, then the rate. So beyond the first burst, the calls keep to the rate.
    double insertRateAfterBurst = (JOBS - INSERTS_PER_SECOND) / insertSpanSeconds;

    // Gets: the most jobs.get in any window of at most 1 s between two samples.
    long maxGetsPerWindow = 0;
    long totalGets;
    synchronized (samples) {
      for (int i = 0, j = 0; i < samples.size(); i++) {
        while (samples.get(i).atMillis - samples.get(j).atMillis > 1_000) {
          j++;
        }
        maxGetsPerWindow = Math.max(maxGetsPerWindow, samples.get(i).gets - samples.get(j).gets);
      }
      totalGets = countAll(BQ.server(), "jobs.get");
    }
    LOG.info(
        "{} jobs in {} ms: max in flight {} (server timestamps), {} (sampled, {} samples);"
            + " inserts max {} per 1 s window, {} per s overall; jobs.get {} in total, max {} per"
            + " 1 s window",
        JOBS,
        elapsed,
        maxInFlight,
        maxSampled,
        samples.size(),
        maxInsertsPerWindow,
        String.format("%.1f", insertRate),
        totalGets,
        maxGetsPerWindow);

    assertThat(
        "jobs in flight (server timestamps)", maxInFlight, lessThanOrEqualTo(MAX_CONCURRENT));
    assertThat("jobs not DONE (sampled)", maxSampled, lessThanOrEqualTo(MAX_CONCURRENT));
    // The window slides over all shards together: far more than one shard's share (5) is in flight
    // (42 of 50 on a loaded 2-core machine; jobs of about 1 s from insert to seen DONE at up to 50
    // inserts per second would otherwise exceed 50).
    assertThat("jobs in flight (server timestamps)", maxInFlight, greaterThan(MAX_CONCURRENT / 2));
    // Rates over the whole run, beyond one second's burst, stay under the caps. A 1 s window holds
    // at most the burst plus a second at the rate, but the server stamps calls when it handles
    // them: allow 250 ms of server-side queueing (calls delayed, then handled together) on a
    // shared 2-core machine.
    assertThat(
        "inserts per second overall, beyond the first second's burst (" + insertRate + " in all)",
        insertRateAfterBurst,
        lessThanOrEqualTo(INSERTS_PER_SECOND));
    assertThat(
        "gets per second overall, beyond the first second's burst",
        (totalGets - GETS_PER_SECOND) * 1000.0 / elapsed,
        lessThanOrEqualTo(GETS_PER_SECOND));
    assertThat(
        "inserts per 1 s window",
        (double) maxInsertsPerWindow,
        lessThanOrEqualTo(INSERTS_PER_SECOND * 2.25 + 1));
    assertThat(
        "gets per 1 s window",
        (double) maxGetsPerWindow,
        lessThanOrEqualTo(GETS_PER_SECOND * 2.25 + 1));
  }

  @Test
  public void aServerRateQuotaIsBackedOffNotFailed() {
    // BigQuery's per-user quotas are below what these caps allow: the server answers 403
    // rateLimitExceeded, which is retried with backoff (same job ID), never a failure.
    BQ.server().setQuotas("jobs.insert=10,jobs.get=20");
    PipelineResult run;
    long started = System.currentTimeMillis();
    try {
      List<JobRequest> requests = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        requests.add(query("SELECT " + i + " AS q", "q" + i));
      }
      BigQueryJobs.Result result =
          p.apply(Create.of(requests))
              .apply(
                  BigQueryJobs.run()
                      .withRootUrl(BQ.rootUrl())
                      .withProject("quota-project")
                      .withLocation("US")
                      .withRunToken("quota")
                      .withPollBackoff(Duration.millis(50), Duration.millis(500)));
      PAssert.thatSingleton(result.succeeded().apply("CountSucceeded", Count.globally()))
          .isEqualTo(40L);
      PAssert.that(result.succeededWithWarnings()).empty();
      PAssert.that(result.failed()).empty();
      run = p.run();
      run.waitUntilFinish();
    } finally {
      BQ.server().setQuotas("");
    }
    long elapsed = System.currentTimeMillis() - started;
    long refused =
        LocalServerSupport.count(BQ.server(), "jobs.insert 403")
            + LocalServerSupport.count(BQ.server(), "jobs.get 403");
    LOG.info(
        "40 jobs under server quotas in {} ms: {} requests refused with 403, {} retries",
        elapsed,
        refused,
        LocalServerSupport.counter(run, "request_retries"));
    assertThat(refused, greaterThan(0L));
    assertThat(LocalServerSupport.counter(run, "request_retries"), greaterThan(0L));
    Map<String, Integer> executed = executions(BQ.server(), "quota-project");
    assertThat(executed, aMapWithSize(40));
    assertThat(executed.values(), everyItem(equalTo(1)));
  }
}
