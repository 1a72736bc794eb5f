package dev.bqjobs.transforms;

import java.security.SecureRandom;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validates each request and gives it its job ID and shard. Bad requests leave here as FAILED
 * {@code invalid} results, before any call. The ID is a pure function of (run token, key,
 * fingerprint), and the default run token is drawn per launch at run time, never fixed when the
 * pipeline is built (a template launched twice must get two tokens, and so must a pipeline
 * relaunched daily under a fixed job name).
 *
 * <p>The default token reaches this DoFn as a singleton side input computed once per run ({@link
 * ReadRunToken}): anything drawn per DoFn instance would give one request two IDs when a step is
 * re-executed.
 */
final class AssignJobIds extends DoFn<JobRequest, KV<Integer, PreparedJob>> {
  private static final Logger LOG = LoggerFactory.getLogger(AssignJobIds.class);

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

  /**
   * Draws the default run token once per launch, at run time: the job name, the UTC time and 8
   * random hex characters. It runs on one element and reaches every shard through a singleton side
   * input, which runners compute once per run (DirectRunner and Spark on the driver, Dataflow
   * materialised once), so a re-executed step reads the same token and computes the same IDs.
   */
  static final class ReadRunToken extends DoFn<Integer, String> {
    private static final SecureRandom RANDOM = new SecureRandom();

    @ProcessElement
    public void process(PipelineOptions options, OutputReceiver<String> out) {
      String token =
          JobIds.runTokenForLaunch(
              options.getJobName(),
              System.currentTimeMillis(),
              String.format("%08x", RANDOM.nextInt()));
      LOG.info("Run token of this launch: {} (pass withRunToken to reattach later)", token);
      out.output(token);
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
    PreparedJob job;
    try {
      job = preparer.prepare(request, token, timestamp.getMillis());
    } catch (RuntimeException e) {
      metrics.jobsFailed.inc();
      out.get(INVALID).output(preparer.invalid(request, "cannot read the request: " + e));
      return;
    }
    // Identical requests get the same ID, hence the same shard: one shard call sees them all.
    out.get(PREPARED).output(KV.of(Hashing.stableBucket(job.baseJobId, shards), job));
  }
}
