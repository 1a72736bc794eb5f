package dev.bqjobs.transforms;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.splittabledofn.RestrictionTracker;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TupleTag;
import org.joda.time.Instant;

/**
 * Runs one shard's requests after the GroupByKey: streams through the shard's iterable with a
 * sliding window of in-flight jobs ({@link ShardRunner}) and routes each result by outcome, at its
 * request's own timestamp.
 *
 * <p>Two forms, chosen when the pipeline is built ({@link #checkpoints}):
 *
 * <ul>
 *   <li>{@link WholeShard}: one call runs the whole shard, grouped as request objects. Runners that
 *       stream a call's outputs onward (Dataflow) or buffer a partition's outputs anyway (Spark)
 *       need nothing more, and a splittable step would cost Spark an extra shuffle of every shard.
 *   <li>{@link Checkpointing}, on the DirectRunner: a splittable DoFn over a {@link PackedShard}
 *       (see {@link PackShards}) whose restriction is the shard's progress ({@link ShardProgress}).
 *       The DirectRunner holds every output of a call, with copies for its immutability checks,
 *       until the call ends; the call accepts a checkpoint after every {@link
 *       Checkpointing#RESULTS_PER_CHECKPOINT} results, so the results emitted so far are committed
 *       and a shard of 100,000 requests holds no more results than a shard of 1,000. The call that
 *       resumes the shard takes over the checkpointed call's {@link ShardRunner} ({@link
 *       ParkedRunners}), jobs in flight and all; a piece resumed anywhere else admits the owed
 *       requests again, which meet their own jobs by ID and reattach.
 * </ul>
 *
 * <p>A re-executed shard recomputes nothing random: it re-inserts the same IDs, meets 409s,
 * reattaches by fingerprint and re-emits the same results.
 */
abstract class RunJobs<InputT> extends DoFn<InputT, JobResult> {
  static final TupleTag<JobResult> SUCCEEDED = new TupleTag<>() {};
  static final TupleTag<JobResult> SUCCEEDED_WITH_WARNINGS = new TupleTag<>() {};
  static final TupleTag<JobResult> FAILED = new TupleTag<>() {};

  private final JobService.Factory serviceFactory;
  final RunSettings settings;
  final TimeSource time;
  private final JobMetrics metrics = new JobMetrics();

  private transient JobService service;
  private transient RateLimiter inserts;
  private transient RateLimiter gets;

  RunJobs(JobService.Factory serviceFactory, RunSettings settings, TimeSource time) {
    this.serviceFactory = serviceFactory;
    this.settings = settings;
    this.time = time;
  }

  /** Whether the job step checkpoints on this runner: on the DirectRunner (see above). */
  static boolean checkpoints(Class<?> runner) {
    return runner.getSimpleName().equals("DirectRunner");
  }

  @Setup
  public void setup() {
    inserts = RateLimiter.perJvm("jobs.insert", settings.insertsPerSecond, time);
    gets = RateLimiter.perJvm("jobs.get", settings.getsPerSecond, time);
  }

  @Teardown
  public void teardown() {
    if (service != null) {
      service.close();
    }
  }

  ShardRunner newRunner(PipelineOptions options) throws IOException {
    if (service == null) {
      // Built on the worker from its options: no credentials travel with the pipeline.
      service = serviceFactory.create(options);
    }
    return new ShardRunner(
        service,
        settings,
        time,
        inserts,
        gets,
        metrics,
        () -> ThreadLocalRandom.current().nextDouble(),
        settings.budgetId == null ? JobBudget.unshared() : JobBudget.perJvm(settings.budgetId),
        settings.budgetId);
  }

  /** Routes each result by outcome, at its request's own timestamp. */
  static ShardRunner.Output route(MultiOutputReceiver out) {
    return (request, result) ->
        out.get(tagFor(result.getOutcome()))
            .outputWithTimestamp(result, new Instant(request.timestampMillis));
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

  /** Runs a whole shard in one call. */
  static final class WholeShard extends RunJobs<KV<Integer, Iterable<PreparedJob>>> {
    WholeShard(JobService.Factory serviceFactory, RunSettings settings, TimeSource time) {
      super(serviceFactory, settings, time);
    }

    @ProcessElement
    public void process(
        @Element KV<Integer, Iterable<PreparedJob>> shard,
        PipelineOptions options,
        MultiOutputReceiver out)
        throws IOException, InterruptedException {
      newRunner(options).run(shard.getValue().iterator(), route(out));
    }
  }

  /** Runs a shard in calls the runner may checkpoint (see the class documentation). */
  @DoFn.BoundedPerElement
  static final class Checkpointing extends RunJobs<KV<Integer, PackedShard>> {
    /**
     * Results a call emits before it accepts a checkpoint: few enough to hold (a few KB each, with
     * the DirectRunner's copies), many enough that small shards run in one call (see {@link
     * ShardTracker} for what each checkpoint costs).
     */
    static final int RESULTS_PER_CHECKPOINT = 1_000;

    private final int resultsPerCheckpoint;

    Checkpointing(
        JobService.Factory serviceFactory,
        RunSettings settings,
        TimeSource time,
        int resultsPerCheckpoint) {
      super(serviceFactory, settings, time);
      this.resultsPerCheckpoint = resultsPerCheckpoint;
    }

    @GetInitialRestriction
    public ShardProgress initialRestriction(@Element KV<Integer, PackedShard> shard) {
      return ShardProgress.all(shard.getValue().size());
    }

    @NewTracker
    public ShardTracker newTracker(@Restriction ShardProgress restriction) {
      return new ShardTracker(restriction, resultsPerCheckpoint);
    }

    @GetRestrictionCoder
    public ShardProgress.Coder restrictionCoder() {
      return ShardProgress.Coder.of();
    }

    @GetSize
    public double size(@Restriction ShardProgress restriction) {
      return restriction.remaining();
    }

    @ProcessElement
    public ProcessContinuation process(
        @Element KV<Integer, PackedShard> shard,
        RestrictionTracker<ShardProgress, Long> tracker,
        PipelineOptions options,
        MultiOutputReceiver out)
        throws IOException, InterruptedException {
      ShardProgress progress = tracker.currentRestriction();
      String parkingKey =
          settings.budgetId == null ? null : settings.budgetId + "/" + shard.getKey();
      ShardRunner runner = parkingKey == null ? null : ParkedRunners.take(parkingKey, progress);

      // Requests are decoded from the packed shard only when admitted.
      PackedShard packed = shard.getValue();
      if (runner == null) {
        List<PreparedJob> owed = new ArrayList<>(progress.owed.length);
        for (long index : progress.owed) {
          owed.add(packed.get((int) index));
        }
        runner = newRunner(options);
        runner.resume(owed, progress.owed, progress.next);
      }
      Iterator<PreparedJob> requests =
          packed.subList((int) progress.next, packed.size()).iterator();

      boolean complete =
          runner.run(
              requests,
              route(out),
              new ShardRunner.Claims() {
                @Override
                public boolean admit(long index) {
                  return tracker.tryClaim(ShardTracker.admit(index));
                }

                @Override
                public boolean emit(long index) {
                  return tracker.tryClaim(ShardTracker.emit(index));
                }

                @Override
                public boolean mayContinue() {
                  return tracker.tryClaim(ShardTracker.MAY_CONTINUE);
                }
              });
      if (!complete) {
        // A claim was refused: the runner took a checkpoint whose residual is this runner's state.
        if (parkingKey != null) {
          ParkedRunners.park(parkingKey, runner, time.nowMillis());
        } else {
          runner.abandon();
        }
      }
      // After a refused claim the residual is already the runner's: stop() either way.
      return ProcessContinuation.stop();
    }
  }
}
