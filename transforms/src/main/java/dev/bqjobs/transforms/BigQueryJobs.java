package dev.bqjobs.transforms;

import static java.util.Objects.requireNonNull;

import com.google.auth.Credentials;
import com.google.auto.value.AutoValue;
import java.net.URI;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.errorhandling.BadRecord;
import org.apache.beam.sdk.transforms.errorhandling.ErrorHandler;
import org.apache.beam.sdk.transforms.errorhandling.ErrorHandler.DefaultErrorHandler;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.WindowingStrategy;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;

/**
 * Runs BigQuery jobs (query, load, extract, copy) from a Beam pipeline, each exactly once, and
 * routes every request's result by outcome.
 *
 * <h2>Usage</h2>
 *
 * <pre>{@code
 * PCollection<JobRequest> requests = p.apply(Create.of(
 *     JobRequest.of(new JobConfiguration().setQuery(new JobConfigurationQuery()
 *         .setQuery("SELECT ...").setUseLegacySql(false))).withKey("daily_report")));
 *
 * BigQueryJobs.Result result = requests.apply(BigQueryJobs.run()
 *     .withProject("my-project")         // default for requests that name none
 *     .withLocation("EU")                // default location
 *     .withJobIdPrefix("daily_import")); // readable prefix of generated IDs
 *
 * result.succeeded();              // PCollection<JobResult>: DONE, no errors
 * result.succeededWithWarnings();  // DONE, no errorResult, some status.errors (e.g. bad rows)
 * result.failed();                 // DONE with errorResult, or could not run; see getErrorResult()
 * }</pre>
 *
 * <p>Set {@code useLegacySql(false)} on queries: the REST API defaults to legacy SQL when it is
 * absent.
 *
 * <h2>Requests and keys</h2>
 *
 * <p>A {@link JobRequest} is data: building one never throws for bad content. A request that cannot
 * run (no job type or several, an invalid explicit job ID, invalid labels, more than 63 labels so
 * that the fingerprint label {@code bqjobs-fp} has no room, no project) becomes a FAILED result
 * with reason {@code invalid} before any call to BigQuery.
 *
 * <p>The <b>key</b> ({@link JobRequest#withKey}) is the request's identity. Requests with the same
 * key and configuration are one job: they share it, and a rerun of the pipeline with the same run
 * token reattaches to it. To run one configuration twice, give two keys. Without a key, the key is
 * the configuration's fingerprint (so identical configurations are one job).
 *
 * <h2>Job IDs</h2>
 *
 * <p>{@code <prefix>_<run token>_<hash of (run token, key, fingerprint)>}, or the request's own
 * {@link JobRequest#withJobId explicit ID}. Nothing random, no wall clock: a re-executed step
 * computes the same ID. Reruns of retryable job failures append {@code -r2}, {@code -r3}, ... The
 * default run token is the pipeline's job name ({@code PipelineOptions.getJobName()}, unique per
 * run and per template launch, with a readable timestamp), read at run time and sanitised.
 *
 * <h2>Guarantees</h2>
 *
 * <ol>
 *   <li>A re-executed step (bundle retry, lost worker, recomputed shuffle) never starts a second
 *       job for the same request: it computes the same job ID, meets HTTP 409, and reattaches.
 *   <li>With the same run token ({@link Run#withRunToken}), rerunning a whole pipeline starts no
 *       job that already exists with the same configuration: it reattaches and reports that job's
 *       result (metric {@code jobs_reattached}).
 *   <li>Two different requests never silently share a job: after a 409 the existing job's
 *       fingerprint label is compared first; a mismatch is a FAILED result with reason {@code
 *       duplicate} saying "job ID collision". (A job that itself fails with reason {@code
 *       duplicate}, e.g. WRITE_EMPTY into a non-empty table, is an ordinary failed job.)
 *   <li>Every input element produces exactly one {@link JobResult} in exactly one output; nothing
 *       is dropped and no exception escapes for a bad request or a failed job.
 *   <li>Polling never runs forever: permanent errors end it, request retries are bounded, and at
 *       the job timeout the job is cancelled and polled to DONE. A job stopped that way is FAILED
 *       with reason {@code timeout}; one that finished before the cancel took effect keeps its
 *       outcome. {@code configuration.jobTimeoutMs} is set too, so BigQuery itself stops a job
 *       whose pipeline died.
 * </ol>
 *
 * <h2>Errors and retries</h2>
 *
 * <p>Transient request failures (HTTP 5xx, 429, {@code backendError}, {@code internalError}, {@code
 * badGateway}, {@code rateLimitExceeded}, timeouts, connection resets, lost responses) are retried
 * with the same job ID, with exponential backoff and jitter, up to 8 times; a {@code
 * rateLimitExceeded} refusal also halves the JVM's rate limit for that kind of call (recovering a
 * tenth of it per quiet second) and gets three times as many attempts, so a project quota tighter
 * than {@link Run#withMaxInsertsPerSecond} slows the run down rather than failing requests. {@code
 * invalid}, {@code invalidQuery}, {@code notFound}, {@code accessDenied}, {@code billingNotEnabled}
 * and {@code quotaExceeded} fail at once. A job that ends with a retryable {@code errorResult}
 * ({@code backendError}, {@code internalError}, {@code jobBackendError}, {@code jobInternalError},
 * {@code jobRateLimitExceeded}, {@code rateLimitExceeded}) is rerun under a derived ID up to {@link
 * Run#withMaxJobAttempts}; {@link JobResult#getAttemptJobIds()} lists every attempt. A dry run is
 * final at insert (SUCCEEDED with its statistics, or FAILED) and never polled.
 *
 * <h2>Beam error handlers</h2>
 *
 * <p>Pipelines that already send bad records to a dead-letter sink through Beam's {@link
 * ErrorHandler} can hand it to the transform: every FAILED result is then <b>also</b> sent to the
 * handler as a {@link BadRecord}. {@code failed()} still receives every FAILED result, so guarantee
 * 4 is unchanged (each input in exactly one of the three outputs); the handler gets a copy.
 *
 * <pre>{@code
 * try (BadRecordErrorHandler<?> deadLetters =
 *     p.registerBadRecordErrorHandler(new WriteDeadLetters())) {
 *   requests.apply(BigQueryJobs.run().withProject("my-project").withErrorHandler(deadLetters));
 * } // close the handler before p.run(): Beam rejects a pipeline with an open handler
 * }</pre>
 *
 * <p>Each bad record's {@code record} holds the request as JSON ({@code
 * getHumanReadableJsonRecord()}: {@code key}, the last attempt's {@code jobId}, {@code projectId},
 * {@code location}, {@code attemptJobIds} and the {@code request} itself) and the request encoded
 * with {@link JobRequestCoder} ({@code getEncodedRecord()}); its {@code failure} description is
 * {@code "<reason>: <message> (job PROJECT:LOCATION.JOB_ID; attempts: ...)"} with BigQuery's reason
 * and message (or ours, e.g. {@code invalid}, {@code timeout}), or {@code (no job ran)}. Without a
 * handler nothing extra is built.
 *
 * <h2>Execution</h2>
 *
 * <p>Requests are keyed by shard (a stable hash of the job ID) and grouped once; each shard's call
 * keeps a sliding window of jobs in flight, starting the next as soon as one ends and polling all
 * of them from one thread with per-job exponential backoff (first poll soon, interval capped), so
 * short jobs finish fast and long ones cost few calls. Results keep their request's timestamp.
 *
 * <h2>Options and defaults</h2>
 *
 * <ul>
 *   <li>{@link Run#withProject}: none; each request must then name its project.
 *   <li>{@link Run#withLocation}: none; BigQuery infers it (US by default) and we poll where it
 *       says the job is.
 *   <li>{@link Run#withJobIdPrefix}: {@code bqjobs}.
 *   <li>{@link Run#withRootUrl}: {@code https://bigquery.googleapis.com/}.
 *   <li>{@link Run#withCredentials}: Application Default Credentials against BigQuery; none against
 *       a custom root URL unless given (given credentials are sent to any root URL).
 *   <li>{@link Run#withRunToken}: the pipeline's job name, read at run time.
 *   <li>{@link Run#withMaxConcurrentJobs}: 100 in flight for the whole transform, split evenly over
 *       the shards.
 *   <li>{@link Run#withNumShards}: 10 (at most the maximum concurrent jobs). Each shard's call
 *       holds its share of the concurrent jobs, so a runner should run all shards at once: the
 *       DirectRunner runs only 3 calls at a time unless {@code --targetParallelism} is at least
 *       {@link Run#shardCount()} (the {@code bqjobs} command sets it).
 *   <li>{@link Run#withPollBackoff}: first poll after 1 s, growing 1.5 times per poll up to 30 s.
 *   <li>{@link Run#withJobTimeout}: 6 hours (BigQuery's own limit) per attempt, from its insert.
 *   <li>{@link Run#withMaxJobAttempts}: 3, counting the first.
 *   <li>{@link Run#withErrorHandler}: none; failures go to {@code failed()} only.
 *   <li>{@link Run#withMaxInsertsPerSecond}: 80 (jobs.insert and jobs.cancel); {@link
 *       Run#withMaxGetsPerSecond}: 500. These limits are per JVM: BigQuery's quotas are per user
 *       (about 100 inserts and 1,000 gets per second), so N workers may reach N times the limits.
 *       The insert rate also bounds throughput: jobs start at most at {@code
 *       min(maxInsertsPerSecond, maxConcurrentJobs / mean runtime)} per second. A shard waiting for
 *       a rate slot keeps polling its other jobs meanwhile.
 * </ul>
 *
 * <h2>Limits</h2>
 *
 * <p>Bounded input only (batch); unbounded input is rejected when the pipeline is built. Only the
 * global window is supported; other windowing is rejected.
 *
 * <h2>Observability</h2>
 *
 * <p>Beam metrics in namespace {@code bqjobs}: counters {@code jobs_inserted}, {@code
 * jobs_reattached}, {@code jobs_succeeded}, {@code jobs_succeeded_with_warnings}, {@code
 * jobs_failed}, {@code request_retries}, {@code job_reruns}, {@code polls}; distribution {@code
 * job_runtime_ms}. Each job's start and end is logged at INFO with its ID; polls are not.
 */
public final class BigQueryJobs {
  private BigQueryJobs() {}

  static final String DEFAULT_JOB_ID_PREFIX = "bqjobs";
  static final int DEFAULT_MAX_CONCURRENT_JOBS = 100;
  static final int DEFAULT_NUM_SHARDS = 10;
  static final Duration DEFAULT_POLL_INITIAL = Duration.standardSeconds(1);
  static final Duration DEFAULT_POLL_MAX = Duration.standardSeconds(30);
  static final Duration DEFAULT_JOB_TIMEOUT = Duration.standardHours(6);
  static final int DEFAULT_MAX_JOB_ATTEMPTS = 3;
  // 80% of BigQuery's per-user jobs.insert rate (about 100/s): below the quota, so a single
  // worker never meets rateLimitExceeded, yet close to it, since the insert rate bounds throughput.
  static final double DEFAULT_MAX_INSERTS_PER_SECOND = 80;
  static final double DEFAULT_MAX_GETS_PER_SECOND = 500;

  /** The transform with every default set; see the class documentation. */
  public static Run run() {
    return new AutoValue_BigQueryJobs_Run.Builder()
        .setJobIdPrefix(DEFAULT_JOB_ID_PREFIX)
        .setRootUrl(BigqueryJobService.DEFAULT_ROOT_URL)
        .setMaxConcurrentJobs(DEFAULT_MAX_CONCURRENT_JOBS)
        .setNumShards(DEFAULT_NUM_SHARDS)
        .setPollInitialInterval(DEFAULT_POLL_INITIAL)
        .setPollMaxInterval(DEFAULT_POLL_MAX)
        .setJobTimeout(DEFAULT_JOB_TIMEOUT)
        .setMaxJobAttempts(DEFAULT_MAX_JOB_ATTEMPTS)
        .setMaxInsertsPerSecond(DEFAULT_MAX_INSERTS_PER_SECOND)
        .setMaxGetsPerSecond(DEFAULT_MAX_GETS_PER_SECOND)
        .setTimeSource(TimeSource.System.INSTANCE)
        .setBadRecordErrorHandler(new DefaultErrorHandler<>())
        .build();
  }

  /** Runs each {@link JobRequest} as a BigQuery job; see {@link BigQueryJobs}. */
  @AutoValue
  public abstract static class Run extends PTransform<PCollection<JobRequest>, Result> {
    private static final long serialVersionUID = 1L;

    abstract @Nullable String getProject();

    abstract @Nullable String getLocation();

    abstract String getJobIdPrefix();

    abstract String getRootUrl();

    abstract @Nullable Credentials getCredentials();

    abstract @Nullable String getRunToken();

    abstract int getMaxConcurrentJobs();

    abstract int getNumShards();

    /**
     * How many shard calls this transform runs: {@link #withNumShards} capped at {@link
     * #withMaxConcurrentJobs}. Each holds its share of the concurrent jobs, so the runner should be
     * able to run this many calls at once (on the DirectRunner: {@code --targetParallelism}).
     */
    public int shardCount() {
      return Math.min(getNumShards(), getMaxConcurrentJobs());
    }

    abstract Duration getPollInitialInterval();

    abstract Duration getPollMaxInterval();

    abstract Duration getJobTimeout();

    abstract int getMaxJobAttempts();

    abstract double getMaxInsertsPerSecond();

    abstract double getMaxGetsPerSecond();

    /** Where FAILED results also go; Beam's no-op {@link DefaultErrorHandler} by default. */
    abstract ErrorHandler<BadRecord, ?> getBadRecordErrorHandler();

    /** Test hook: replaces the BigQuery client. */
    abstract JobService.@Nullable Factory getJobServiceFactory();

    /** Test hook: a virtual clock. */
    abstract TimeSource getTimeSource();

    abstract Builder toBuilder();

    @AutoValue.Builder
    abstract static class Builder {
      abstract Builder setProject(String project);

      abstract Builder setLocation(String location);

      abstract Builder setJobIdPrefix(String prefix);

      abstract Builder setRootUrl(String rootUrl);

      abstract Builder setCredentials(Credentials credentials);

      abstract Builder setRunToken(String runToken);

      abstract Builder setMaxConcurrentJobs(int max);

      abstract Builder setNumShards(int shards);

      abstract Builder setPollInitialInterval(Duration initial);

      abstract Builder setPollMaxInterval(Duration max);

      abstract Builder setJobTimeout(Duration timeout);

      abstract Builder setMaxJobAttempts(int attempts);

      abstract Builder setMaxInsertsPerSecond(double rate);

      abstract Builder setMaxGetsPerSecond(double rate);

      abstract Builder setBadRecordErrorHandler(ErrorHandler<BadRecord, ?> handler);

      abstract Builder setJobServiceFactory(JobService.Factory factory);

      abstract Builder setTimeSource(TimeSource time);

      abstract Run build();
    }

    /** The project that runs jobs for requests that name none. Default: none. */
    public Run withProject(String project) {
      checkArgument(
          project != null && !project.trim().isEmpty(),
          "withProject(" + quote(project) + "): the project must not be null or empty");
      return toBuilder().setProject(project).build();
    }

    /** The location (e.g. {@code EU}) for requests that name none. Default: none. */
    public Run withLocation(String location) {
      checkArgument(
          location != null && !location.trim().isEmpty(),
          "withLocation(" + quote(location) + "): the location must not be null or empty");
      return toBuilder().setLocation(location).build();
    }

    /**
     * The readable start of generated job IDs: 1 to 256 letters, digits, {@code _} or {@code -}.
     * Default {@code bqjobs}.
     */
    public Run withJobIdPrefix(String prefix) {
      return toBuilder().setJobIdPrefix(JobIds.checkPrefix(prefix)).build();
    }

    /**
     * The BigQuery endpoint, e.g. a local server's {@code http://127.0.0.1:PORT/}. Default {@code
     * https://bigquery.googleapis.com/}. Without {@link #withCredentials}, no credentials are sent
     * to a custom root URL.
     */
    public Run withRootUrl(String rootUrl) {
      checkArgument(rootUrl != null, "withRootUrl(null): the root URL must not be null");
      URI uri;
      try {
        uri = URI.create(rootUrl);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "withRootUrl(" + quote(rootUrl) + "): not a URL: " + e.getMessage(), e);
      }
      checkArgument(
          ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
              && uri.getHost() != null,
          "withRootUrl(" + quote(rootUrl) + "): an http or https URL with a host is required");
      return toBuilder().setRootUrl(rootUrl.endsWith("/") ? rootUrl : rootUrl + "/").build();
    }

    /**
     * The credentials sent with every call, to any root URL. Default: Application Default
     * Credentials for BigQuery, none for a custom root URL. They must be serialisable (Google's
     * credential classes are) and are never logged.
     */
    public Run withCredentials(Credentials credentials) {
      checkArgument(credentials != null, "withCredentials(null): credentials must not be null");
      return toBuilder().setCredentials(credentials).build();
    }

    /**
     * Fixes the run token in generated job IDs (1 to 256 letters, digits, {@code _} or {@code -}).
     * Rerunning the pipeline with the same token reattaches to the jobs it already started instead
     * of starting them again. Default: the pipeline's job name, read at run time.
     */
    public Run withRunToken(String runToken) {
      return toBuilder().setRunToken(JobIds.checkRunToken(runToken)).build();
    }

    /**
     * The most jobs in flight for the whole transform, split evenly over the shards. Default 100.
     */
    public Run withMaxConcurrentJobs(int maxConcurrentJobs) {
      checkArgument(
          maxConcurrentJobs >= 1,
          "withMaxConcurrentJobs(" + maxConcurrentJobs + "): must be at least 1");
      return toBuilder().setMaxConcurrentJobs(maxConcurrentJobs).build();
    }

    /**
     * How many shards (parallel calls, each with its own window of jobs in flight) the requests are
     * spread over; capped at {@link #withMaxConcurrentJobs}. Default 10. Give at least the number
     * of workers that should run jobs.
     */
    public Run withNumShards(int numShards) {
      checkArgument(numShards >= 1, "withNumShards(" + numShards + "): must be at least 1");
      return toBuilder().setNumShards(numShards).build();
    }

    /**
     * Per-job poll backoff: the first poll {@code initial} after the insert, each next interval 1.5
     * times longer (with jitter) up to {@code max}. Default 1 s and 30 s.
     */
    public Run withPollBackoff(Duration initial, Duration max) {
      checkArgument(
          initial != null && initial.getMillis() > 0,
          "withPollBackoff(" + initial + ", " + max + "): the initial interval must be positive");
      checkArgument(
          max != null && max.isLongerThan(initial) || initial.equals(max),
          "withPollBackoff("
              + initial
              + ", "
              + max
              + "): the maximum interval must be at least the initial one");
      return toBuilder().setPollInitialInterval(initial).setPollMaxInterval(max).build();
    }

    /**
     * How long an attempt may run, from its insert; then it is cancelled and polled to DONE. Also
     * sent as {@code configuration.jobTimeoutMs} (the smaller of it and the request's own). Default
     * 6 hours.
     */
    public Run withJobTimeout(Duration jobTimeout) {
      checkArgument(
          jobTimeout != null && jobTimeout.getMillis() > 0,
          "withJobTimeout(" + jobTimeout + "): the timeout must be positive");
      return toBuilder().setJobTimeout(jobTimeout).build();
    }

    /**
     * How many times a job may run when it keeps failing retryably, counting the first. Default 3;
     * at most 100.
     */
    public Run withMaxJobAttempts(int maxJobAttempts) {
      checkArgument(
          maxJobAttempts >= 1 && maxJobAttempts <= JobIds.MAX_ATTEMPTS,
          "withMaxJobAttempts(" + maxJobAttempts + "): must be between 1 and 100");
      return toBuilder().setMaxJobAttempts(maxJobAttempts).build();
    }

    /**
     * The most jobs.insert (and jobs.cancel) calls per second in one JVM. Default 80. BigQuery's
     * quota is per user (about 100 per second): N workers may reach N times this rate.
     */
    public Run withMaxInsertsPerSecond(double rate) {
      checkArgument(
          rate > 0 && !Double.isInfinite(rate),
          "withMaxInsertsPerSecond(" + rate + "): must be a positive number");
      return toBuilder().setMaxInsertsPerSecond(rate).build();
    }

    /**
     * The most jobs.get calls per second in one JVM. Default 500. BigQuery's quota is per user
     * (about 1,000 per second): N workers may reach N times this rate.
     */
    public Run withMaxGetsPerSecond(double rate) {
      checkArgument(
          rate > 0 && !Double.isInfinite(rate),
          "withMaxGetsPerSecond(" + rate + "): must be a positive number");
      return toBuilder().setMaxGetsPerSecond(rate).build();
    }

    /**
     * Also sends every FAILED result to {@code errorHandler} as a Beam {@link BadRecord}, the way
     * Beam's own IOs report bad records (see "Beam error handlers" in {@link BigQueryJobs}). {@code
     * failed()} keeps every FAILED result, so each input is still in exactly one of the three
     * outputs. Apply the transform while the handler is open (inside its try-with-resources block);
     * one handler may serve several transforms. Default: none.
     */
    public Run withErrorHandler(ErrorHandler<BadRecord, ?> errorHandler) {
      checkArgument(
          errorHandler != null, "withErrorHandler(null): the error handler must not be null");
      // DefaultErrorHandler is Beam's no-op placeholder: its isClosed() throws by design.
      checkArgument(
          errorHandler instanceof DefaultErrorHandler || !errorHandler.isClosed(),
          "withErrorHandler("
              + errorHandler.getClass().getSimpleName()
              + "): the error handler is already closed; apply the transform inside the"
              + " handler's try-with-resources block, before it is closed");
      return toBuilder().setBadRecordErrorHandler(errorHandler).build();
    }

    /** Visible for testing: replaces the BigQuery client (e.g. with an in-memory fake). */
    Run withJobServiceFactory(JobService.Factory factory) {
      return toBuilder().setJobServiceFactory(requireNonNull(factory)).build();
    }

    /** Visible for testing: a virtual clock, so tests never really sleep. */
    Run withTimeSource(TimeSource time) {
      return toBuilder().setTimeSource(requireNonNull(time)).build();
    }

    @Override
    public Result expand(PCollection<JobRequest> input) {
      checkArgument(
          input.isBounded() == PCollection.IsBounded.BOUNDED,
          "BigQueryJobs.run() supports bounded input only; " + input.getName() + " is unbounded");
      WindowingStrategy<?, ?> windowing = input.getWindowingStrategy();
      checkArgument(
          windowing.getWindowFn() instanceof GlobalWindows,
          "BigQueryJobs.run() supports the global window only; "
              + input.getName()
              + " is windowed by "
              + windowing.getWindowFn()
              + ": apply it before windowing, or re-window into the global window");

      int shards = shardCount();
      RunSettings settings =
          new RunSettings(
              Math.max(1, getMaxConcurrentJobs() / shards),
              getPollInitialInterval().getMillis(),
              getPollMaxInterval().getMillis(),
              getJobTimeout().getMillis(),
              getMaxJobAttempts(),
              getMaxInsertsPerSecond(),
              getMaxGetsPerSecond());
      JobService.Factory factory =
          getJobServiceFactory() != null
              ? getJobServiceFactory()
              : new BigqueryJobService.Factory(getRootUrl(), getCredentials());

      PCollectionView<String> runTokenView = null;
      if (getRunToken() == null) {
        runTokenView =
            input
                .getPipeline()
                .apply("RunTokenSeed", Create.of(0))
                .apply("ReadRunToken", ParDo.of(new AssignJobIds.ReadRunToken()))
                .apply("RunTokenView", View.asSingleton());
      }
      ParDo.MultiOutput<JobRequest, KV<Integer, PreparedJob>> assign =
          ParDo.of(
                  new AssignJobIds(
                      new JobPreparer(getProject(), getLocation(), getJobIdPrefix()),
                      getRunToken(),
                      runTokenView,
                      shards))
              .withOutputTags(AssignJobIds.PREPARED, TupleTagList.of(AssignJobIds.INVALID));
      if (runTokenView != null) {
        assign = assign.withSideInputs(runTokenView);
      }
      PCollectionTuple assigned = input.apply("AssignJobIds", assign);
      PCollection<JobResult> invalid =
          assigned.get(AssignJobIds.INVALID).setCoder(JobResultCoder.of());

      PCollectionTuple ran =
          assigned
              .get(AssignJobIds.PREPARED)
              .setCoder(KvCoder.of(VarIntCoder.of(), PreparedJob.Coder.of()))
              // Each result goes out at its request's own timestamp, which is never earlier
              // than the group's earliest.
              .apply(
                  "KeepEarliestTimestamp",
                  Window.<KV<Integer, PreparedJob>>configure()
                      .withTimestampCombiner(TimestampCombiner.EARLIEST))
              .apply("GroupByShard", GroupByKey.create())
              .apply(
                  "RunJobs",
                  ParDo.of(new RunJobs(factory, settings, getTimeSource()))
                      .withOutputTags(
                          RunJobs.SUCCEEDED,
                          TupleTagList.of(RunJobs.SUCCEEDED_WITH_WARNINGS).and(RunJobs.FAILED)));

      PCollection<JobResult> succeeded = restore(ran.get(RunJobs.SUCCEEDED), windowing);
      PCollection<JobResult> warnings =
          restore(ran.get(RunJobs.SUCCEEDED_WITH_WARNINGS), windowing);
      PCollection<JobResult> failed =
          PCollectionList.of(restore(ran.get(RunJobs.FAILED), windowing))
              .and(invalid)
              .apply("Failed", Flatten.pCollections())
              .setCoder(JobResultCoder.of());
      // A copy of the failures for the user's handler; failed() itself is unchanged. Skipped for
      // the no-op default, so a pipeline without a handler gets no extra step.
      if (!(getBadRecordErrorHandler() instanceof DefaultErrorHandler)) {
        getBadRecordErrorHandler()
            .addErrorCollection(
                failed
                    .apply("FailedToBadRecords", ParDo.of(new FailedToBadRecord()))
                    .setCoder(BadRecord.getCoder(input.getPipeline())));
      }
      return new Result(input.getPipeline(), succeeded, warnings, failed);
    }

    private static PCollection<JobResult> restore(
        PCollection<JobResult> results, WindowingStrategy<?, ?> original) {
      return results.setCoder(JobResultCoder.of()).setWindowingStrategyInternal(original);
    }

    @Override
    public void populateDisplayData(DisplayData.Builder builder) {
      super.populateDisplayData(builder);
      builder
          .addIfNotNull(DisplayData.item("project", getProject()).withLabel("Default project"))
          .addIfNotNull(DisplayData.item("location", getLocation()).withLabel("Default location"))
          .add(DisplayData.item("jobIdPrefix", getJobIdPrefix()).withLabel("Job ID prefix"))
          .add(DisplayData.item("rootUrl", getRootUrl()).withLabel("BigQuery root URL"))
          .add(
              DisplayData.item(
                      "credentials",
                      getCredentials() != null
                          ? "given"
                          : BigqueryJobService.DEFAULT_ROOT_URL.equals(getRootUrl())
                              ? "application default"
                              : "none")
                  .withLabel("Credentials"))
          .add(
              DisplayData.item("runToken", getRunToken() != null ? getRunToken() : "(job name)")
                  .withLabel("Run token"))
          .add(DisplayData.item("maxConcurrentJobs", getMaxConcurrentJobs()))
          .add(DisplayData.item("numShards", getNumShards()))
          .add(DisplayData.item("pollInitialInterval", getPollInitialInterval()))
          .add(DisplayData.item("pollMaxInterval", getPollMaxInterval()))
          .add(DisplayData.item("jobTimeout", getJobTimeout()))
          .add(DisplayData.item("maxJobAttempts", getMaxJobAttempts()))
          .add(DisplayData.item("maxInsertsPerSecond", getMaxInsertsPerSecond()))
          .add(DisplayData.item("maxGetsPerSecond", getMaxGetsPerSecond()))
          .addIfNotNull(
              DisplayData.item(
                      "errorHandler",
                      getBadRecordErrorHandler() instanceof DefaultErrorHandler
                          ? null
                          : getBadRecordErrorHandler().getClass().getName())
                  .withLabel("Bad record error handler"));
    }
  }

  /** The three outputs of {@link Run}; every input is in exactly one of them. */
  public static final class Result implements POutput {
    private final Pipeline pipeline;
    private final PCollection<JobResult> succeeded;
    private final PCollection<JobResult> succeededWithWarnings;
    private final PCollection<JobResult> failed;

    Result(
        Pipeline pipeline,
        PCollection<JobResult> succeeded,
        PCollection<JobResult> succeededWithWarnings,
        PCollection<JobResult> failed) {
      this.pipeline = pipeline;
      this.succeeded = succeeded;
      this.succeededWithWarnings = succeededWithWarnings;
      this.failed = failed;
    }

    /** Jobs that ended DONE without {@code errorResult} and without {@code errors}. */
    public PCollection<JobResult> succeeded() {
      return succeeded;
    }

    /** Jobs that ended DONE without {@code errorResult} but with {@code status.errors}. */
    public PCollection<JobResult> succeededWithWarnings() {
      return succeededWithWarnings;
    }

    /**
     * Jobs that failed, and requests that could not run; see {@link JobResult#getErrorResult}. All
     * of them, also with {@link Run#withErrorHandler}, which receives a copy of each.
     */
    public PCollection<JobResult> failed() {
      return failed;
    }

    @Override
    public Pipeline getPipeline() {
      return pipeline;
    }

    @Override
    public Map<TupleTag<?>, PValue> expand() {
      return Map.of(
          RunJobs.SUCCEEDED, succeeded,
          RunJobs.SUCCEEDED_WITH_WARNINGS, succeededWithWarnings,
          RunJobs.FAILED, failed);
    }

    @Override
    public void finishSpecifyingOutput(
        String transformName, PInput input, PTransform<?, ?> transform) {}
  }

  private static void checkArgument(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }

  private static String quote(@Nullable String value) {
    return value == null ? "null" : "\"" + value + "\"";
  }
}
