package dev.bqjobs.transforms;

import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TupleTag;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Validates each request and gives it its job ID and shard. Bad requests leave here as FAILED
 * {@code invalid} results, before any call. The ID is a pure function of (run token, key,
 * fingerprint), and the default run token is read from the pipeline's job name at run time, never
 * fixed when the pipeline is built (a template launched twice must get two tokens).
 */
final class AssignJobIds extends DoFn<JobRequest, KV<Integer, PreparedJob>> {
  static final TupleTag<KV<Integer, PreparedJob>> PREPARED = new TupleTag<>() {};
  static final TupleTag<JobResult> INVALID = new TupleTag<>() {};

  private final JobPreparer preparer;
  private final @Nullable String runToken;
  private final int shards;
  private final JobMetrics metrics = new JobMetrics();

  AssignJobIds(JobPreparer preparer, @Nullable String runToken, int shards) {
    this.preparer = preparer;
    this.runToken = runToken;
    this.shards = shards;
  }

  @ProcessElement
  public void process(
      @Element JobRequest request,
      @Timestamp Instant timestamp,
      PipelineOptions options,
      MultiOutputReceiver out) {
    String problem;
    try {
      problem = preparer.problem(request);
    } catch (RuntimeException e) {
      problem = "cannot read the request: " + e; // a request is data: never fail the bundle
    }
    if (problem != null) {
      metrics.jobsFailed.inc();
      out.get(INVALID).output(preparer.invalid(request, problem));
      return;
    }
    String token = runToken != null ? runToken : JobIds.runTokenFromJobName(options.getJobName());
    PreparedJob job = preparer.prepare(request, token, timestamp.getMillis());
    // Identical requests get the same ID, hence the same shard: one shard call sees them all.
    out.get(PREPARED).output(KV.of(Hashing.stableBucket(job.baseJobId, shards), job));
  }
}
