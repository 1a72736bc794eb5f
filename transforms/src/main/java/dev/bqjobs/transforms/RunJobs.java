package dev.bqjobs.transforms;

import java.io.IOException;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TupleTag;
import org.joda.time.Instant;

/**
 * Runs one shard's requests after the GroupByKey: streams through the shard's iterable with a
 * sliding window of in-flight jobs ({@link ShardRunner}) and routes each result by outcome, at its
 * request's own timestamp.
 *
 * <p>A re-executed shard recomputes nothing random: it re-inserts the same IDs, meets 409s,
 * reattaches by fingerprint and re-emits the same results.
 */
final class RunJobs extends DoFn<KV<Integer, Iterable<PreparedJob>>, JobResult> {
  static final TupleTag<JobResult> SUCCEEDED = new TupleTag<>() {};
  static final TupleTag<JobResult> SUCCEEDED_WITH_WARNINGS = new TupleTag<>() {};
  static final TupleTag<JobResult> FAILED = new TupleTag<>() {};

  private final JobService.Factory serviceFactory;
  private final RunSettings settings;
  private final TimeSource time;
  private final JobMetrics metrics = new JobMetrics();

  private transient JobService service;
  private transient RateLimiter inserts;
  private transient RateLimiter gets;

  RunJobs(JobService.Factory serviceFactory, RunSettings settings, TimeSource time) {
    this.serviceFactory = serviceFactory;
    this.settings = settings;
    this.time = time;
  }

  @Setup
  public void setup() {
    inserts = RateLimiter.perJvm("jobs.insert", settings.insertsPerSecond, time);
    gets = RateLimiter.perJvm("jobs.get", settings.getsPerSecond, time);
  }

  @ProcessElement
  public void process(
      @Element KV<Integer, Iterable<PreparedJob>> shard,
      PipelineOptions options,
      MultiOutputReceiver out)
      throws IOException, InterruptedException {
    if (service == null) {
      // Built on the worker from its options: no credentials travel with the pipeline.
      service = serviceFactory.create(options);
    }
    ShardRunner runner =
        new ShardRunner(
            service,
            settings,
            time,
            inserts,
            gets,
            metrics,
            () -> ThreadLocalRandom.current().nextDouble(),
            settings.budgetId == null ? JobBudget.unshared() : JobBudget.perJvm(settings.budgetId),
            settings.budgetId);
    runner.run(
        shard.getValue().iterator(),
        (request, result) ->
            out.get(tagFor(result.getOutcome()))
                .outputWithTimestamp(result, new Instant(request.timestampMillis)));
  }

  @Teardown
  public void teardown() {
    if (service != null) {
      service.close();
    }
  }

  static TupleTag<JobResult> tagFor(JobResult.Outcome outcome) {
    switch (outcome) {
      case SUCCEEDED:
        return SUCCEEDED;
      case SUCCEEDED_WITH_WARNINGS:
        return SUCCEEDED_WITH_WARNINGS;
      default:
        return FAILED;
    }
  }
}
