package dev.bqjobs.transforms;

import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Validates each request and gives it its job ID and shard. Bad requests leave here as FAILED
 * {@code invalid} results, before any call. The ID is a pure function of (run token, key,
 * fingerprint), and the default run token is read from the pipeline's job name at run time, never
 * fixed when the pipeline is built (a template launched twice must get two tokens).
 *
 * <p>The default token reaches this DoFn as a singleton side input computed once per run ({@link
 * ReadRunToken}): a job name left to its default is generated lazily and may differ between
 * deserialised copies of the options, which would give one request two IDs.
 */
final class AssignJobIds extends DoFn<JobRequest, KV<Integer, PreparedJob>> {
  static final TupleTag<KV<Integer, PreparedJob>> PREPARED = new TupleTag<>() {};
  static final TupleTag<JobResult> INVALID = new TupleTag<>() {};

  private final JobPreparer preparer;
  private final @Nullable String runToken;
  private final @Nullable PCollectionView<String> runTokenView;
  private final int shards;
  private final JobMetrics metrics = new JobMetrics();

  /** Exactly one of {@code runToken} (configured) and {@code runTokenView} (default) is set. */
  AssignJobIds(
      JobPreparer preparer,
      @Nullable String runToken,
      @Nullable PCollectionView<String> runTokenView,
      int shards) {
    this.preparer = preparer;
    this.runToken = runToken;
    this.runTokenView = runTokenView;
    this.shards = shards;
  }

  /** Reads the default run token from the job name once per run, at run time. */
  static final class ReadRunToken extends DoFn<Integer, String> {
    @ProcessElement
    public void process(PipelineOptions options, OutputReceiver<String> out) {
      out.output(JobIds.runTokenFromJobName(options.getJobName()));
    }
  }

  @ProcessElement
  public void process(
      @Element JobRequest request,
      @Timestamp Instant timestamp,
      ProcessContext context,
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
    String token = runToken != null ? runToken : context.sideInput(runTokenView);
    PreparedJob job = preparer.prepare(request, token, timestamp.getMillis());
    // Identical requests get the same ID, hence the same shard: one shard call sees them all.
    out.get(PREPARED).output(KV.of(Hashing.stableBucket(job.baseJobId, shards), job));
  }
}
