package dev.bqjobs.transforms;

import static java.util.Objects.requireNonNull;

import com.google.auth.Credentials;
import com.google.auto.value.AutoValue;
import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.util.Collections;
import java.util.Map;
import java.util.UUID;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.options.PipelineOptions;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * run (no job type or several, an invalid explicit job ID, invalid labels, more than 62 labels so
 * that our labels {@code bqjobs-fp} and {@code bqjobs-key} have no room, no project, a malformed
 * project ID such as {@code projects/my-proj} or a malformed location) becomes a FAILED result with
 * reason {@code invalid} before any call to BigQuery. An unexpected error while running one request
 * (a client library surprise) becomes that request's FAILED result ({@code internalError} or {@code
 * unknownState}); the other requests go on.
 *
 * <p>The <b>key</b> ({@link JobRequest#withKey}) is the request's identity. Requests with the same
 * key and configuration are one job: they share it, and a rerun of the pipeline with the same run
 * token reattaches to it. To run one configuration twice, give two keys. Without a key, the key is
 * the configuration's fingerprint (so identical configurations are one job).
 *
 * <h2>Job IDs</h2>
 *
 * <p>{@code <prefix>_<run token>_<hash of (run token, key, fingerprint)>}, or the request's own
 * {@link JobRequest#withJobId explicit ID}. A re-executed step computes the same ID: the ID is a
 * pure function of the run token, key and fingerprint. Reruns of retryable job failures append
 * {@code -r2}, {@code -r3}, ...
 *
 * <p>The default run token is unique per launch: the job name, the launch's UTC time and 8 random
 * hex characters (e.g. {@code nightly-load_20261202T063842Z_9f3ab2c1}), drawn once at run time (a
 * singleton side input, so every re-executed step sees the same value; never when the pipeline or a
 * template is built), and shared by every BigQueryJobs step of the pipeline. Two launches never
 * share job IDs, whatever their job name: a pipeline relaunched daily under a fixed {@code
 * --jobName} runs its jobs every day. Only {@link Run#withRunToken} makes launches share IDs.
 *
 * <p><b>Migration note</b> (from versions whose default token was the job name): a relaunch after a
 * failure (an Airflow retry, YARN {@code maxAppAttempts > 1}, a restarted driver) used to reattach
 * to the jobs the failed launch started, and now runs them again. To keep reattaching, pass a
 * schedule-derived token, e.g. {@code withRunToken("nightly_2026_12_02")} or {@code
 * --runToken=nightly_2026_12_02} for the command.
 *
 * <h2>Guarantees</h2>
 *
 * <ol>
 *   <li>A re-executed step (bundle retry, lost worker, recomputed shuffle) never starts a second
 *       job for the same request: it computes the same job ID, meets HTTP 409, and reattaches.
 *   <li>With the same run token ({@link Run#withRunToken}), rerunning a whole pipeline starts no
 *       job that already exists with the same configuration: it reattaches and reports that job's
 *       result (metric {@code jobs_reattached}).
 *   <li>Two different requests never silently share a job: after a 409 the existing job's labels
 *       {@code bqjobs-fp} (the configuration's fingerprint) and {@code bqjobs-key} (a hash of the
 *       request's key and base job ID) are compared first; a mismatch is a FAILED result with
 *       reason {@code duplicate} saying "job ID collision". So an explicit ID equal to another
 *       request's rerun ID ({@code load_x-r2}) cannot share that job. Jobs made by versions without
 *       {@code bqjobs-key} are compared by fingerprint alone. Job IDs are unique per project: the
 *       same explicit ID in two projects is two jobs. (A job that itself fails with reason {@code
 *       duplicate}, e.g. WRITE_EMPTY into a non-empty table, is an ordinary failed job.)
 *   <li>Every input element produces exactly one {@link JobResult} in exactly one output; nothing
 *       is dropped and no exception escapes for a bad request or a failed job.
 *   <li>Every result tells the truth. A job whose state cannot be learned (an outage of jobs.get,
 *       an insert whose answer may have been lost) is never reported FAILED while it may still run:
 *       the calls are retried until the job's deadline, then it is cancelled and polled to DONE.
 *       Only a state that stays unknown to the very end (the deadline plus 10 minutes after the
 *       cancel), a jobs.get 404 that persists, or a permanent jobs.get error (e.g. {@code
 *       accessDenied}) ends as FAILED with reason {@code unknownState}, after one cancel, with a
 *       message saying the job may still be running and how to find it (project, location, job ID):
 *       never as a BigQuery failure. A retryable job failure is rerun under a new ID only for
 *       atomic jobs (see below).
 *   <li>Polling never runs forever: permanent errors end it, and at the job timeout the job is
 *       cancelled and polled to DONE. A job stopped that way is FAILED with reason {@code timeout};
 *       one that finished before the cancel took effect keeps its outcome. {@code
 *       configuration.jobTimeoutMs} is set too, so BigQuery itself stops a job whose pipeline died.
 *       An insert that cannot have reached BigQuery (every attempt refused the connection or could
 *       not resolve the host) fails after 8 attempts, so a wrong endpoint does not hang.
 * </ol>
 *
 * <h2>Errors and retries</h2>
 *
 * <p>Transient request failures (HTTP 5xx, 429, {@code backendError}, {@code internalError}, {@code
 * badGateway}, {@code rateLimitExceeded}, timeouts, connection resets, lost responses) are retried
 * with the same job ID, with exponential backoff (1 s growing to 32 s) and jitter. For a job that
 * may exist (an insert whose answer may have been lost, jobs.get, jobs.cancel) they are retried
 * until the job's deadline, as guarantee 5 says; jobs.get's {@code quotaExceeded} is waited out the
 * same way. An insert that BigQuery refused before creating the job (rate limits) or that never
 * reached it (connection refused, unknown host) is retried up to 8 times, and the result says the
 * job was not started. A {@code rateLimitExceeded} refusal also halves the JVM's rate limit for
 * that kind of call (recovering a tenth of it per quiet second) and gets three times as many
 * attempts, so a project quota tighter than {@link Run#withMaxInsertsPerSecond} slows the run down
 * rather than failing requests. On insert, {@code invalid}, {@code invalidQuery}, {@code notFound},
 * {@code accessDenied}, {@code billingNotEnabled} and {@code quotaExceeded} fail at once.
 *
 * <p>A job that ends with a retryable {@code errorResult} ({@code backendError}, {@code
 * internalError}, {@code jobBackendError}, {@code jobInternalError}, {@code jobRateLimitExceeded},
 * {@code rateLimitExceeded}) is rerun under a derived ID up to {@link Run#withMaxJobAttempts}, but
 * only if it is atomic: loads, copies, extracts, and queries that BigQuery reports as a single
 * statement (a {@code statistics.query.statementType} that is not {@code SCRIPT}, no child jobs:
 * SELECT, DML, DDL). A multi-statement script commits each statement on its own, so running it
 * again could apply its first statements twice: it is FAILED with BigQuery's reason and a message
 * saying it was not rerun and why. A failed extract may have written some of its files; its rerun
 * writes the same destination URIs again, replacing files of the same names, so a file that only
 * the failed attempt wrote (e.g. a higher-numbered shard of a wildcard URI) stays behind: extract
 * into a fresh prefix per run when that matters. {@link JobResult#getAttemptJobIds()} lists every
 * attempt. A dry run is final at insert (SUCCEEDED with its statistics, or FAILED) and never
 * polled.
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
 *   <li>{@link Run#withCredentialFactory}: credentials built on the worker. Default: against
 *       BigQuery, the worker's {@code GcpOptions} credential, as Beam's BigQueryIO uses it ({@code
 *       --credentialFactoryClass}, {@code --impersonateServiceAccount}, Application Default
 *       Credentials); against a custom root URL, none. Nothing secret is serialised into the
 *       pipeline graph, templates or staged files ({@link Run#withCredentials} is deprecated: it
 *       does serialise them).
 *   <li>{@link Run#withRunToken}: drawn per launch at run time (job name, UTC time, random part).
 *   <li>{@link Run#withMaxConcurrentJobs}: 100 running for the whole transform, split evenly over
 *       the shards; the shards running in one JVM share their slots.
 *   <li>{@link Run#withMaxQueuedJobs}: a quarter of the concurrent jobs, inserted beyond them for
 *       BigQuery to queue (0: {@code withMaxConcurrentJobs} is the exact cap on jobs not DONE).
 *   <li>{@link Run#withNumShards}: 10 (at most the maximum concurrent jobs). Each shard's call
 *       holds its share of the concurrent jobs, so a runner should run all shards at once: the
 *       DirectRunner runs only 3 calls at a time unless {@code --targetParallelism} is at least
 *       {@link Run#shardCount()} (the {@code bqjobs} command sets it).
 *   <li>{@link Run#withPollBackoff}: first poll after 1 s, growing 1.5 times per poll up to 30 s,
 *       when jobs are polled one by one. While at least 4 jobs of a project are in flight in a JVM
 *       (or fewer, all started within twice the mean runtime of finished jobs: a run's last jobs),
 *       their ends are detected together instead: every 0.5 s (or a sixteenth of the mean runtime
 *       of finished jobs, at most 4 s) one shard lists the caller's PENDING and RUNNING jobs
 *       ({@code jobs.list}, {@code projection=minimal}), and each job missing from the list is
 *       fetched with one jobs.get, which decides (the list is only a hint). Each job then keeps a
 *       slow backstop poll (from twice the mean runtime of finished jobs and the job's age, 1 to 5
 *       min). Listing needs {@code bigquery.jobs.list} (not in {@code roles/bigquery.jobUser}): on
 *       403 the JVM polls that project's jobs one by one. A failed list backs off up to 8 s; about
 *       50 JVMs under one principal reach jobs.list's 100 requests per second. With {@link
 *       Run#withLeanResults} the list asks for DONE jobs instead ({@code stateFilter=done}, {@code
 *       projection=full}, from a few seconds before the oldest job in flight) and a job's entry
 *       there is its final state: no jobs.get at all while the list detects completion.
 *   <li>{@link Run#withJobTimeout}: 6 hours (BigQuery's own limit) per attempt, from its insert.
 *   <li>{@link Run#withMaxJobAttempts}: 3, counting the first.
 *   <li>{@link Run#withErrorHandler}: none; failures go to {@code failed()} only.
 *   <li>{@link Run#withMaxInsertsPerSecond}: 98 (jobs.insert and jobs.cancel), just under
 *       BigQuery's per-user 100 per second, so one worker uses the quota: a second's worth at once,
 *       then 98 per second (a token bucket, as the quota admits calls); halved on each {@code
 *       rateLimitExceeded} and recovered step by step (AIMD), so a fleet backs off; {@link
 *       Run#withMaxGetsPerSecond}: 500. These limits are per JVM: BigQuery's quotas are per user
 *       (about 100 inserts and 1,000 gets per second), so N workers may reach N times the limits.
 *       The insert rate also bounds throughput: jobs start at most at {@code
 *       min(maxInsertsPerSecond, maxConcurrentJobs / mean runtime)} per second. A shard waiting for
 *       a rate slot keeps polling its other jobs meanwhile.
 *   <li>{@link Run#withLeanResults}: off; on, each result's job leaves out the query plan and
 *       timeline.
 * </ul>
 *
 * <h2>Memory</h2>
 *
 * <p>A shard's call holds only its jobs in flight, but runners hold its requests and results. On
 * the DirectRunner, which clones and encodes whatever a step reads or writes, a shard travels as
 * compressed blocks of its requests' encodings (decoded one at a time as jobs start), and the job
 * step is a splittable DoFn that lets the runner checkpoint it after every 1,000 results, so
 * results are committed in blocks and the next call takes over the jobs in flight: one shard of
 * 100,000 small queries completes within 512 MB of heap. A shard of fewer results runs in one call.
 * Spark buffers all outputs of a partition of a multi-output step in memory, and recomputes the
 * step per output if its cache is lost; a result costs about its encoded size (the request and the
 * job as BigQuery returned it: 1 to 5 KB for a query, mostly the query plan) a few times over. Size
 * {@link Run#withNumShards} so that one shard's results fit a Spark executor's memory with room to
 * spare, and use {@link Run#withLeanResults} for many queries.
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

  private static final Logger LOG = LoggerFactory.getLogger(BigQueryJobs.class);
  private static final AtomicBoolean WARNED_SERIALISED_CREDENTIALS = new AtomicBoolean();

  /** Per pipeline under construction: the view of its launch's run token (weak: no leak). */
  private static final Map<Pipeline, PCollectionView<String>> LAUNCH_RUN_TOKENS =
      Collections.synchronizedMap(new WeakHashMap<>());

  /**
   * Builds credentials on the worker (see {@link Run#withCredentialFactory}). Serialised with the
   * pipeline: hold where to find a secret, never the secret.
   */
  @FunctionalInterface
  public interface CredentialFactory extends Serializable {
    /**
     * The credentials for every call of this worker's JVM, or null for none; {@code options} are
     * the worker's pipeline options (null only when called outside a pipeline).
     */
    @Nullable Credentials create(@Nullable PipelineOptions options) throws IOException;
  }

  static final String DEFAULT_JOB_ID_PREFIX = "bqjobs";
  static final int DEFAULT_MAX_CONCURRENT_JOBS = 100;
  static final int DEFAULT_NUM_SHARDS = 10;
  static final Duration DEFAULT_POLL_INITIAL = Duration.standardSeconds(1);
  static final Duration DEFAULT_POLL_MAX = Duration.standardSeconds(30);
  static final Duration DEFAULT_JOB_TIMEOUT = Duration.standardHours(6);
  static final int DEFAULT_MAX_JOB_ATTEMPTS = 3;
  // Just under BigQuery's per-user jobs.insert rate (100/s): the insert rate bounds a fleet's
  // throughput, so one worker uses the quota fully; AIMD on rateLimitExceeded shares it in a fleet.
  // 2% under: the limiter's one-second burst then leaves the quota's bucket 2 calls of slack plus
  // 2 per second for network jitter (none refused in the benchmark); 95 left a second unused in
  // a 20 s run.
  static final double DEFAULT_MAX_INSERTS_PER_SECOND = 98;

  /** The default queue allowance: this share of {@code maxConcurrentJobs}, at most 1,000. */
  static final double DEFAULT_QUEUED_SHARE = 0.25;

  /** About BigQuery's interactive query queue per project and region. */
  static final int MAX_QUEUED_JOBS = 1_000;

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
        .setLeanResults(false)
        .setTimeSource(TimeSource.System.INSTANCE)
        .setResultsPerCheckpoint(RunJobs.Checkpointing.RESULTS_PER_CHECKPOINT)
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

    abstract @Nullable CredentialFactory getCredentialFactory();

    abstract @Nullable String getRunToken();

    abstract int getMaxConcurrentJobs();

    abstract int getNumShards();

    /** Null: the default, {@link #maxQueuedJobs()}. */
    abstract @Nullable Integer getMaxQueuedJobs();

    /**
     * The jobs inserted beyond {@link #withMaxConcurrentJobs} for BigQuery to queue: the option's
     * value, or by default a quarter of the concurrent jobs (at most 1,000).
     */
    int maxQueuedJobs() {
      return getMaxQueuedJobs() != null
          ? getMaxQueuedJobs()
          : Math.min(MAX_QUEUED_JOBS, (int) (getMaxConcurrentJobs() * DEFAULT_QUEUED_SHARE));
    }

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

    abstract boolean getLeanResults();

    /** Where FAILED results also go; Beam's no-op {@link DefaultErrorHandler} by default. */
    abstract ErrorHandler<BadRecord, ?> getBadRecordErrorHandler();

    /** Test hook: replaces the BigQuery client. */
    abstract JobService.@Nullable Factory getJobServiceFactory();

    /** Test hook: a virtual clock. */
    abstract TimeSource getTimeSource();

    /** Test hook: results a DirectRunner call emits before it accepts a checkpoint. */
    abstract int getResultsPerCheckpoint();

    abstract Builder toBuilder();

    @AutoValue.Builder
    abstract static class Builder {
      abstract Builder setProject(String project);

      abstract Builder setLocation(String location);

      abstract Builder setJobIdPrefix(String prefix);

      abstract Builder setRootUrl(String rootUrl);

      abstract Builder setCredentials(Credentials credentials);

      abstract Builder setCredentialFactory(CredentialFactory factory);

      abstract Builder setRunToken(String runToken);

      abstract Builder setMaxConcurrentJobs(int max);

      abstract Builder setNumShards(int shards);

      abstract Builder setMaxQueuedJobs(Integer queued);

      abstract Builder setPollInitialInterval(Duration initial);

      abstract Builder setPollMaxInterval(Duration max);

      abstract Builder setJobTimeout(Duration timeout);

      abstract Builder setMaxJobAttempts(int attempts);

      abstract Builder setMaxInsertsPerSecond(double rate);

      abstract Builder setMaxGetsPerSecond(double rate);

      abstract Builder setLeanResults(boolean lean);

      abstract Builder setBadRecordErrorHandler(ErrorHandler<BadRecord, ?> handler);

      abstract Builder setJobServiceFactory(JobService.Factory factory);

      abstract Builder setTimeSource(TimeSource time);

      abstract Builder setResultsPerCheckpoint(int results);

      abstract Run build();
    }

    /** The project that runs jobs for requests that name none. Default: none. */
    public Run withProject(String project) {
      checkArgument(
          project != null && !project.trim().isEmpty(),
          "withProject(" + quote(project) + "): the project must not be null or empty");
      String problem = ResourceNames.problemWithProject(project);
      checkArgument(problem == null, "withProject(" + quote(project) + "): " + problem);
      return toBuilder().setProject(project).build();
    }

    /** The location (e.g. {@code EU}) for requests that name none. Default: none. */
    public Run withLocation(String location) {
      checkArgument(
          location != null && !location.trim().isEmpty(),
          "withLocation(" + quote(location) + "): the location must not be null or empty");
      String problem = ResourceNames.problemWithLocation(location);
      checkArgument(problem == null, "withLocation(" + quote(location) + "): " + problem);
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
     * Builds the credentials sent with every call on the worker, to any root URL, e.g. {@code
     * options -> ServiceAccountCredentials.fromStream(...)} reading a key file that exists on the
     * workers. The factory is serialised into the pipeline, so it should hold where to find the
     * secret, never the secret itself. Default: against BigQuery, the worker's {@code GcpOptions}
     * credential ({@code --credentialFactoryClass}, {@code --impersonateServiceAccount},
     * Application Default Credentials), as Beam's BigQueryIO uses it; against a custom root URL,
     * none.
     */
    public Run withCredentialFactory(CredentialFactory factory) {
      checkArgument(
          factory != null, "withCredentialFactory(null): the credential factory must not be null");
      return toBuilder().setCredentialFactory(factory).build();
    }

    /**
     * The credentials sent with every call, to any root URL.
     *
     * @deprecated the credentials are serialised into the pipeline (for a service account, its
     *     private key), so they land in the Dataflow job graph, staged files and templates. Use
     *     {@link #withCredentialFactory} or the default ({@code GcpOptions} on the worker).
     */
    @Deprecated
    public Run withCredentials(Credentials credentials) {
      checkArgument(credentials != null, "withCredentials(null): credentials must not be null");
      if (WARNED_SERIALISED_CREDENTIALS.compareAndSet(false, true)) {
        LOG.warn(
            "BigQueryJobs.run().withCredentials(...) serialises the credentials (for a service"
                + " account, its private key) into the pipeline, its templates and staged files;"
                + " use withCredentialFactory(...) or --credentialFactoryClass /"
                + " --impersonateServiceAccount instead");
      }
      return toBuilder().setCredentials(credentials).build();
    }

    /**
     * Fixes the run token in generated job IDs (1 to 256 letters, digits, {@code _} or {@code -}).
     * Rerunning the pipeline with the same token reattaches to the jobs it already started instead
     * of starting them again; derive it from the schedule ({@code nightly_2026_12_02}) so that a
     * retried launch reattaches and the next day's runs again. Default: drawn per launch at run
     * time (job name, UTC time, 8 random hex characters), so launches never share jobs.
     */
    public Run withRunToken(String runToken) {
      return toBuilder().setRunToken(JobIds.checkRunToken(runToken)).build();
    }

    /**
     * The most jobs running at once for the whole transform. Default 100. With {@link
     * #withMaxQueuedJobs} (default: a quarter of this) the transform keeps up to {@code
     * maxConcurrentJobs + maxQueuedJobs} jobs not yet DONE, so BigQuery's own queue starts the next
     * job the moment a slot frees; give {@code withMaxQueuedJobs(0)} when this number must be a
     * hard cap (e.g. DML's 2 running and 20 queued statements per table). The total is split over
     * the shards, and the shards running in one JVM share it: a shard that has started all its
     * requests lends its unused slots to the others.
     */
    public Run withMaxConcurrentJobs(int maxConcurrentJobs) {
      checkArgument(
          maxConcurrentJobs >= 1,
          "withMaxConcurrentJobs(" + maxConcurrentJobs + "): must be at least 1");
      return toBuilder().setMaxConcurrentJobs(maxConcurrentJobs).build();
    }

    /**
     * How many jobs to keep inserted beyond {@link #withMaxConcurrentJobs}, for BigQuery to queue
     * (it queues interactive queries above a project's concurrency, up to about 1,000 per project
     * and region) and start the moment a slot frees, instead of waiting for our next poll to see a
     * job end. {@code maxConcurrentJobs + maxQueuedJobs} caps the jobs not yet DONE; 0 makes {@code
     * maxConcurrentJobs} that cap exactly. Default: a quarter of {@code maxConcurrentJobs}, at most
     * 1,000. The allowance adapts: each insert BigQuery refuses with {@code rateLimitExceeded} (its
     * rate and queue limits) halves what is left of a shard's queue slots, and one slot comes back
     * per share of accepted inserts; the running part is never cut.
     */
    public Run withMaxQueuedJobs(int maxQueuedJobs) {
      checkArgument(
          maxQueuedJobs >= 0 && maxQueuedJobs <= MAX_QUEUED_JOBS,
          "withMaxQueuedJobs(" + maxQueuedJobs + "): must be between 0 and " + MAX_QUEUED_JOBS);
      return toBuilder().setMaxQueuedJobs(maxQueuedJobs).build();
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
     * times longer (with jitter) up to {@code max}. Default 1 s and 30 s. It applies when jobs are
     * polled one by one (few jobs in flight, or {@code jobs.list} refused or failing); while the
     * JVM's {@code jobs.list} detects job ends, each job's polls are a slower backstop, never
     * sooner than this schedule (see the class documentation).
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
     * The most jobs.insert (and jobs.cancel) calls per second in one JVM. Default 98, just under
     * BigQuery's per-user quota of 100 per second, so one worker uses it fully: a token bucket
     * holding one second of calls, so a second's worth goes at once after an idle second (as the
     * quota admits them) and then the calls are spaced by the rate. On {@code rateLimitExceeded}
     * the rate halves (at most once a second) and recovers by a tenth per quiet second, so several
     * workers under one principal (N workers may reach N times this rate) back off to share the
     * quota. The sustained job rate is {@code min(maxInsertsPerSecond, (maxConcurrentJobs +
     * maxQueuedJobs) / mean runtime)}.
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
     * Drops {@code statistics.query.queryPlan} and {@code statistics.query.timeline} from the job
     * in each result, keeping everything else (status, totals, destination table). A query's plan
     * and timeline are most of a result's size (a four-stage query's result encodes to 4,351 bytes,
     * 834 without them, measured by {@code LeanResultsTest}); leaving them out matters when a shard
     * runs many jobs: Spark buffers all outputs of a partition in memory.
     *
     * <p>Lean results also let completion detection take each job's final state from a {@code
     * jobs.list} of DONE jobs with {@code projection=full} (status with its warnings and errors,
     * statistics, configuration) instead of one jobs.get per job: the result's job then has no
     * {@code etag} or {@code selfLink}, and its statistics are what the list gives. Default: off,
     * {@link JobResult#getJob()} is the job as jobs.get returned it.
     */
    public Run withLeanResults() {
      return toBuilder().setLeanResults(true).build();
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

    /**
     * Visible for testing: how many results a call of the DirectRunner's checkpointing job step
     * emits before it accepts a checkpoint (see {@link ShardTracker}); 0 accepts every one.
     */
    Run withResultsPerCheckpoint(int results) {
      return toBuilder().setResultsPerCheckpoint(results).build();
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
      int share = Math.max(1, (getMaxConcurrentJobs() + maxQueuedJobs()) / shards);
      int runningShare = Math.max(1, getMaxConcurrentJobs() / shards);
      RunSettings settings =
          new RunSettings(
                  share,
                  getPollInitialInterval().getMillis(),
                  getPollMaxInterval().getMillis(),
                  getJobTimeout().getMillis(),
                  getMaxJobAttempts(),
                  getMaxInsertsPerSecond(),
                  getMaxGetsPerSecond())
              .withLeanResults(getLeanResults())
              .withSharedBudget(UUID.randomUUID().toString())
              // share >= runningShare >= 1, so at least one running slot is never queue allowance
              .withQueuedShare(share - runningShare);
      JobService.Factory factory =
          getJobServiceFactory() != null
              ? getJobServiceFactory()
              : new BigqueryJobService.Factory(
                  getRootUrl(), getCredentialFactory(), getCredentials());

      PCollectionView<String> runTokenView =
          getRunToken() == null ? launchRunToken(input.getPipeline()) : null;
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

      PCollection<KV<Integer, PreparedJob>> prepared =
          assigned
              .get(AssignJobIds.PREPARED)
              .setCoder(KvCoder.of(VarIntCoder.of(), PreparedJob.Coder.of()))
              // Each result goes out at its request's own timestamp, which is never earlier
              // than the group's earliest.
              .apply(
                  "KeepEarliestTimestamp",
                  Window.<KV<Integer, PreparedJob>>configure()
                      .withTimestampCombiner(TimestampCombiner.EARLIEST));
      TupleTagList others = TupleTagList.of(RunJobs.SUCCEEDED_WITH_WARNINGS).and(RunJobs.FAILED);
      PCollectionTuple ran;
      if (RunJobs.checkpoints(input.getPipeline().getOptions().getRunner())) {
        // The DirectRunner: shards travel as blocks of encodings (never as groups of request
        // objects, which it would clone in every step), run by the checkpointing step; see RunJobs.
        KvCoder<Integer, PackedShard> packedCoder =
            KvCoder.of(VarIntCoder.of(), PackedShard.Coder.of());
        ran =
            prepared
                .apply("PackShards", ParDo.of(new PackShards.InBundles()))
                .setCoder(packedCoder)
                .apply("GroupByShard", GroupByKey.create())
                .apply("JoinPackedShards", ParDo.of(new PackShards.Join()))
                .setCoder(packedCoder)
                .apply(
                    "RunJobs",
                    ParDo.of(
                            new RunJobs.Checkpointing(
                                factory, settings, getTimeSource(), getResultsPerCheckpoint()))
                        .withOutputTags(RunJobs.SUCCEEDED, others));
      } else {
        ran =
            prepared
                .apply("GroupByShard", GroupByKey.create())
                .apply(
                    "RunJobs",
                    ParDo.of(new RunJobs.WholeShard(factory, settings, getTimeSource()))
                        .withOutputTags(RunJobs.SUCCEEDED, others));
      }

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

    /**
     * The run token drawn once per launch, shared by every BigQueryJobs step of the pipeline (one
     * launch, one token: the command's stages and a user's chained steps show the same token in
     * their job IDs).
     */
    private static PCollectionView<String> launchRunToken(Pipeline pipeline) {
      return LAUNCH_RUN_TOKENS.computeIfAbsent(
          pipeline,
          p ->
              p.apply("BigQueryJobsRunTokenSeed", Create.of(0))
                  .apply("BigQueryJobsReadRunToken", ParDo.of(new AssignJobIds.ReadRunToken()))
                  .apply("BigQueryJobsRunToken", View.asSingleton()));
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
                          ? "given (serialised)"
                          : getCredentialFactory() != null
                              ? "factory on the worker"
                              : BigqueryJobService.DEFAULT_ROOT_URL.equals(getRootUrl())
                                  ? "GcpOptions on the worker"
                                  : "none")
                  .withLabel("Credentials"))
          .add(
              DisplayData.item(
                      "runToken", getRunToken() != null ? getRunToken() : "(drawn per launch)")
                  .withLabel("Run token"))
          .add(DisplayData.item("maxConcurrentJobs", getMaxConcurrentJobs()))
          .add(DisplayData.item("numShards", getNumShards()))
          .add(DisplayData.item("maxQueuedJobs", maxQueuedJobs()))
          .add(DisplayData.item("pollInitialInterval", getPollInitialInterval()))
          .add(DisplayData.item("pollMaxInterval", getPollMaxInterval()))
          .add(DisplayData.item("jobTimeout", getJobTimeout()))
          .add(DisplayData.item("maxJobAttempts", getMaxJobAttempts()))
          .add(DisplayData.item("maxInsertsPerSecond", getMaxInsertsPerSecond()))
          .add(DisplayData.item("maxGetsPerSecond", getMaxGetsPerSecond()))
          .add(DisplayData.item("leanResults", getLeanResults()))
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
