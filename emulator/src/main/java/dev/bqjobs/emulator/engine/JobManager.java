package dev.bqjobs.emulator.engine;

import com.google.api.services.bigquery.model.ErrorProto;
import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobCancelResponse;
import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobConfigurationQuery;
import com.google.api.services.bigquery.model.JobList;
import com.google.api.services.bigquery.model.JobReference;
import com.google.api.services.bigquery.model.JobStatistics;
import com.google.api.services.bigquery.model.JobStatistics2;
import com.google.api.services.bigquery.model.JobStatus;
import com.google.api.services.bigquery.model.TableReference;
import dev.bqjobs.emulator.engine.Errors.JobFailure;
import dev.bqjobs.emulator.faults.FaultPlan;
import dev.bqjobs.emulator.http.ApiException;
import dev.bqjobs.emulator.http.JsonCodec;
import dev.bqjobs.emulator.iam.AccessControl;
import dev.bqjobs.emulator.sql.TranslatedStatement;
import dev.bqjobs.emulator.store.Catalog;
import dev.bqjobs.emulator.store.Locations;
import dev.bqjobs.emulator.store.MetadataStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Jobs as BigQuery runs them: jobs.insert answers at once (PENDING or RUNNING); at most {@code
 * maxRunningJobs} run at a time; a job stays RUNNING for its runtime (label {@value #RUNTIME_LABEL}
 * or the server's random range) without holding a thread, then executes on a small worker pool
 * inside a transaction that is committed only as the job turns DONE. A cancel stops a job at any
 * point before that commit and leaves no effects.
 */
public final class JobManager implements AutoCloseable {
  /** Job label that keeps a job RUNNING at least this many milliseconds. */
  public static final String RUNTIME_LABEL = "bqjobs-emulator-runtime-ms";

  private static final Logger LOG = Logger.getLogger(JobManager.class.getName());
  private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9_-]{1,1024}");
  private static final Pattern LABEL_KEY =
      Pattern.compile("[\\p{Ll}\\p{Lo}][\\p{Ll}\\p{Lo}\\p{N}_-]{0,62}");
  private static final Pattern LABEL_VALUE = Pattern.compile("[\\p{Ll}\\p{Lo}\\p{N}_-]{0,63}");
  private static final int MAX_LABELS = 64;
  private static final int DEFAULT_PAGE = 1000;

  private final Catalog catalog;
  private final EngineOptions options;
  private final LongSupplier clock;
  private final QueryRunner queries;
  private final DatasetChecks datasets;
  private final LoadRunner loads;
  private final ExtractRunner extracts;
  private final CopyRunner copies;
  private final ScheduledExecutorService timer;
  private final ExecutorService workers;
  private final Map<String, Map<String, JobRecord>> jobs = new ConcurrentHashMap<>();

  /** jobs.list's indexes (newest first; the jobs not DONE apart). */
  private final JobListing listing = new JobListing();

  private final ArrayDeque<JobRecord> pending = new ArrayDeque<>();
  private final Random runtimes;
  private final SecureRandom ids = new SecureRandom();
  private final AtomicLong sequence = new AtomicLong();
  private final Map<String, AtomicInteger> executions = new ConcurrentHashMap<>();
  private volatile String baseUrl = "http://127.0.0.1/";
  private volatile FaultPlan faults = FaultPlan.none();
  private int running; // guarded by pending

  public JobManager(Catalog catalog, EngineOptions options, LongSupplier clock) {
    this(catalog, options, clock, null);
  }

  /**
   * @param gcs where {@code gs://} URIs of load and extract jobs live; null fails such jobs
   */
  public JobManager(
      Catalog catalog,
      EngineOptions options,
      LongSupplier clock,
      dev.bqjobs.emulator.store.GcsPaths gcs) {
    this.catalog = catalog;
    this.datasets = new DatasetChecks(catalog);
    this.loads = new LoadRunner(catalog, datasets, gcs);
    this.extracts = new ExtractRunner(catalog, datasets, gcs);
    this.copies = new CopyRunner(catalog, datasets);
    this.options = options;
    this.clock = clock;
    this.queries = new QueryRunner(catalog, datasets);
    this.runtimes = new Random(options.seed);
    this.timer = Executors.newSingleThreadScheduledExecutor(daemon("bqjobs-emulator-timer"));
    this.workers =
        Executors.newFixedThreadPool(
            Math.max(2, Runtime.getRuntime().availableProcessors()),
            daemon("bqjobs-emulator-worker"));
  }

  /** Job outcome faults to inject (the {@code job:} rules of {@code --faults}). */
  public void setFaults(FaultPlan faults) {
    this.faults = faults;
  }

  /** Checks of the tables a job reads and writes against its principal's grants. */
  public void setAccessControl(AccessControl access) {
    datasets.setAccessControl(access);
  }

  /** The server's root URL, for selfLink. */
  public void setBaseUrl(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  // ---------------------------------------------------------------- insert

  /** jobs.insert. Returns the job as stored, or a dry run's answer (nothing stored). */
  public Job insert(String project, Job request) {
    return insert(project, request, null);
  }

  /**
   * jobs.insert on behalf of {@code principal} (null when access control is off): the job reports
   * the principal as its user, and the tables it touches are checked against the principal's grants
   * when it runs.
   */
  public Job insert(String project, Job request, String principal) {
    Catalog.validateProjectId(project);
    JobConfiguration config = request.getConfiguration();
    if (config == null) {
      throw ApiException.required("Required parameter is missing: configuration");
    }
    int kinds =
        (config.getQuery() != null ? 1 : 0)
            + (config.getLoad() != null ? 1 : 0)
            + (config.getExtract() != null ? 1 : 0)
            + (config.getCopy() != null ? 1 : 0);
    if (kinds != 1) {
      throw ApiException.invalid(
          "Job configuration must contain exactly one job-specific configuration object (e.g.,"
              + " query, load, extract, copy), but there were "
              + kinds
              + ".");
    }
    JobReference ref =
        request.getJobReference() == null ? new JobReference() : request.getJobReference();
    if (ref.getProjectId() != null && !ref.getProjectId().equals(project)) {
      throw ApiException.invalid(
          "Project ID in jobReference ("
              + ref.getProjectId()
              + ") does not match the project of the request URL ("
              + project
              + ").");
    }
    String jobId = ref.getJobId();
    if (jobId == null) {
      jobId = "job_" + randomId();
    } else if (!JOB_ID.matcher(jobId).matches()) {
      throw ApiException.invalid(
          "Invalid job ID \""
              + abbreviate(jobId)
              + "\". Job IDs must be alphanumeric (plus underscores and dashes) and must be at"
              + " most 1024 characters long.");
    }
    validateLabels(config.getLabels());
    long runtimeMs = runtimeOf(config.getLabels());
    if (config.getJobTimeoutMs() != null && config.getJobTimeoutMs() <= 0) {
      throw ApiException.invalid(
          "Invalid jobTimeoutMs " + config.getJobTimeoutMs() + ": it must be positive.");
    }

    JobConfigurationQuery query = config.getQuery();
    TranslatedStatement statement = null;
    StringBuilder translationError = new StringBuilder();
    if (query != null) {
      if (query.getQuery() == null || query.getQuery().isBlank()) {
        throw ApiException.required("Required parameter is missing: configuration.query.query");
      }
      if (!QueryRunner.isLegacy(query)) {
        statement = QueryRunner.translate(query.getQuery(), translationError);
      }
      QueryRunner.validateAtInsert(query, statement);
    } else {
      validateNonQuery(project, jobId, config);
    }

    String location = Locations.normalize(ref.getLocation());
    if (location == null) {
      location =
          query != null
              ? queries.inferLocation(project, query, statement)
              : datasets.inferLocation(project, config);
    }

    long now = clock.getAsLong();
    if (Boolean.TRUE.equals(config.getDryRun())) {
      return dryRun(project, location, config, now, principal);
    }

    Job job = new Job();
    job.setKind("bigquery#job");
    job.setJobReference(
        new JobReference().setProjectId(project).setJobId(jobId).setLocation(location));
    job.setId(project + ":" + location + "." + jobId);
    job.setSelfLink(selfLink(project, jobId, location));
    job.setUserEmail(principal == null ? options.userEmail : principal);
    if (principal != null) {
      job.setPrincipalSubject("user:" + principal);
    }
    JobConfiguration storedConfig = JsonCodec.copy(config);
    storedConfig.setJobType(jobType(config));
    if (query != null && storedConfig.getQuery().getPriority() == null) {
      storedConfig.getQuery().setPriority("INTERACTIVE");
    }
    job.setConfiguration(storedConfig);
    job.setStatus(new JobStatus().setState("PENDING"));
    job.setStatistics(new JobStatistics().setCreationTime(now));

    Map<String, JobRecord> projectJobs =
        jobs.computeIfAbsent(project, p -> new ConcurrentHashMap<>());
    JobRecord record =
        new JobRecord(
            project,
            jobId,
            location,
            sequence.incrementAndGet(),
            runtimeMs,
            job,
            statement,
            translationError.length() == 0 ? null : translationError.toString(),
            principal);
    JobRecord existing = projectJobs.putIfAbsent(jobId, record);
    if (existing != null) {
      throw ApiException.duplicate("Already Exists: Job " + existing.fullId());
    }
    listing.added(record);
    synchronized (record) {
      persist(record);
    }
    LOG.fine(() -> "job inserted: " + record.fullId());
    synchronized (pending) {
      pending.add(record);
    }
    // jobs.insert answers PENDING or RUNNING, as BigQuery does. A job without a runtime can run to
    // DONE on a worker before admit() returns, so keep the answer taken before it could start.
    Job answer = snapshot(record);
    admit();
    Job latest = snapshot(record);
    return "DONE".equals(latest.getStatus().getState()) ? answer : latest;
  }

  /** What BigQuery refuses with HTTP 400 at jobs.insert for load, extract and copy jobs. */
  private void validateNonQuery(String project, String jobId, JobConfiguration config) {
    if (config.getLoad() != null) {
      loads.validateAtInsert(project, jobId, config.getLoad());
    } else if (config.getExtract() != null) {
      ExtractRunner.validateAtInsert(config.getExtract());
    } else {
      CopyRunner.validateAtInsert(config.getCopy());
    }
  }

  /**
   * jobs.insert of a load job whose single source is {@code data}, uploaded by the client (media
   * upload). The file belongs to the job from here on and is deleted when the job ends.
   */
  public Job insertUpload(String project, Job request, java.nio.file.Path data, String principal) {
    Job job = JsonCodec.copy(request);
    if (job.getConfiguration() == null || job.getConfiguration().getLoad() == null) {
      LoadRunner.deleteQuietly(data);
      throw ApiException.invalid("An upload must carry a load job configuration.");
    }
    JobReference ref = job.getJobReference() == null ? new JobReference() : job.getJobReference();
    if (ref.getJobId() == null) {
      ref.setJobId("job_" + randomId()); // the upload is keyed by the job ID before insert
    }
    job.setJobReference(ref);
    return loads.withUpload(project, ref.getJobId(), data, () -> insert(project, job, principal));
  }

  private static String jobType(JobConfiguration config) {
    if (config.getQuery() != null) {
      return "QUERY";
    }
    if (config.getLoad() != null) {
      return "LOAD";
    }
    if (config.getExtract() != null) {
      return "EXTRACT";
    }
    return "COPY";
  }

  private Job dryRun(
      String project, String location, JobConfiguration config, long now, String principal) {
    if (config.getQuery() == null) {
      throw ApiException.invalid("Dry runs are only supported for query jobs by the local server.");
    }
    JobStatistics2 stats = queries.dryRun(project, location, config.getQuery(), principal);
    Job job = new Job();
    job.setKind("bigquery#job");
    job.setJobReference(new JobReference().setProjectId(project).setLocation(location));
    job.setUserEmail(options.userEmail);
    JobConfiguration echoed = JsonCodec.copy(config);
    echoed.setJobType("QUERY");
    job.setConfiguration(echoed);
    job.setStatus(new JobStatus().setState("DONE"));
    job.setStatistics(
        new JobStatistics()
            .setCreationTime(now)
            .setTotalBytesProcessed(stats.getTotalBytesProcessed())
            .setQuery(stats));
    return job;
  }

  private static void validateLabels(Map<String, String> labels) {
    if (labels == null) {
      return;
    }
    if (labels.size() > MAX_LABELS) {
      throw ApiException.invalid(
          "Too many labels: "
              + labels.size()
              + ". A job can have at most "
              + MAX_LABELS
              + " labels.");
    }
    for (Map.Entry<String, String> e : labels.entrySet()) {
      if (!LABEL_KEY.matcher(e.getKey()).matches()) {
        throw ApiException.invalid(
            "Invalid label key \""
                + abbreviate(e.getKey())
                + "\": keys must start with a lowercase letter and contain at most 63 lowercase"
                + " letters, digits, underscores and dashes.");
      }
      String value = e.getValue() == null ? "" : e.getValue();
      if (!LABEL_VALUE.matcher(value).matches()) {
        throw ApiException.invalid(
            "Invalid value \""
                + abbreviate(value)
                + "\" for label \""
                + e.getKey()
                + "\": values contain at most 63 lowercase letters, digits, underscores and"
                + " dashes.");
      }
    }
  }

  private long runtimeOf(Map<String, String> labels) {
    String value = labels == null ? null : labels.get(RUNTIME_LABEL);
    if (value != null) {
      try {
        long ms = Long.parseLong(value);
        if (ms >= 0) {
          return ms;
        }
      } catch (NumberFormatException e) {
        // answered below
      }
      throw ApiException.invalid(
          "Label "
              + RUNTIME_LABEL
              + " must be an integer number of milliseconds, got \""
              + value
              + "\".");
    }
    if (options.maxRuntimeMs == 0) {
      return 0;
    }
    synchronized (runtimes) {
      return options.minRuntimeMs
          + (long) (runtimes.nextDouble() * (options.maxRuntimeMs - options.minRuntimeMs));
    }
  }

  // ---------------------------------------------------------------- scheduling

  /** Starts pending jobs while running slots are free. */
  private void admit() {
    List<JobRecord> toStart = new ArrayList<>();
    synchronized (pending) {
      while (running < options.maxRunningJobs && !pending.isEmpty()) {
        JobRecord next = pending.poll();
        synchronized (next) {
          if (next.state != JobRecord.State.PENDING) {
            continue; // cancelled while it waited
          }
          next.state = JobRecord.State.RUNNING;
        }
        running++;
        toStart.add(next);
      }
    }
    for (JobRecord record : toStart) {
      start(record);
    }
  }

  private void start(JobRecord record) {
    long now = clock.getAsLong();
    long delay = record.runtimeMs;
    boolean timesOut = false;
    synchronized (record) {
      record.job.getStatus().setState("RUNNING");
      record.job.getStatistics().setStartTime(now);
      persist(record);
      Long timeout = record.job.getConfiguration().getJobTimeoutMs();
      if (timeout != null) {
        long left = record.job.getStatistics().getCreationTime() + timeout - now;
        if (left < delay) {
          delay = Math.max(0, left);
          timesOut = true;
        }
      }
      final boolean timeoutFirst = timesOut;
      try {
        record.wake =
            timer.schedule(() -> dispatch(record, timeoutFirst), delay, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        // the server is shutting down; the job will never run
      }
    }
  }

  private void dispatch(JobRecord record, boolean timedOut) {
    try {
      workers.execute(() -> runToDone(record, timedOut));
    } catch (RejectedExecutionException e) {
      // shutting down
    }
  }

  private void runToDone(JobRecord record, boolean timedOut) {
    Execution execution = null;
    ErrorProto failure = null;
    try {
      synchronized (record) {
        if (record.state == JobRecord.State.DONE) {
          return;
        }
      }
      if (timedOut) {
        Long timeout = record.job.getConfiguration().getJobTimeoutMs();
        failure =
            Errors.of(
                "timeout",
                "Job execution was cancelled: Job timed out after "
                    + (timeout / 1000.0)
                    + " sec (jobTimeoutMs)");
      } else {
        executions
            .computeIfAbsent(record.project + ":" + record.jobId, k -> new AtomicInteger())
            .incrementAndGet();
        String injected = faults.jobFault(record.project, record.jobId);
        if (injected != null) {
          failure = Errors.of(injected, injectedMessage(injected));
        } else {
          execution = execute(record);
        }
      }
    } catch (JobFailure f) {
      failure = f.error;
      synchronized (record) {
        record.failureErrors = f.errors;
      }
    } catch (RuntimeException | Error e) {
      LOG.log(Level.WARNING, "job " + record.fullId() + " failed inside the server", e);
      failure = Errors.of("backendError", "Backend error: " + e);
    }
    finish(record, execution, failure);
  }

  private static String injectedMessage(String reason) {
    switch (reason) {
      case "jobRateLimitExceeded":
        return "Job exceeded rate limits: Your project exceeded quota for concurrent jobs."
            + " Retry the job with a new job ID. (injected fault)";
      case "jobInternalError":
      case "jobBackendError":
        return "The job encountered an internal error during execution and was unable to"
            + " complete successfully. Retry the job with a new job ID. (injected fault)";
      default:
        return "Backend error. Job aborted. Retry the job. (injected fault)";
    }
  }

  private Execution execute(JobRecord record) throws JobFailure {
    JobConfiguration config = record.job.getConfiguration();
    if (config.getQuery() != null) {
      return queries.run(record, config.getQuery());
    }
    if (config.getLoad() != null) {
      return loads.run(record, config.getLoad());
    }
    if (config.getExtract() != null) {
      return extracts.run(record, config.getExtract());
    }
    return copies.run(record, config.getCopy());
  }

  private void finish(JobRecord record, Execution execution, ErrorProto failure) {
    boolean storedWithEffects = false;
    try {
      synchronized (record) {
        if (record.state == JobRecord.State.DONE) {
          if (execution != null) {
            execution.rollback();
          }
          return;
        }
        if (record.cancelRequested) {
          if (execution != null) {
            execution.rollback();
          }
          failure = stopped();
        } else if (execution != null) {
          try {
            storedWithEffects = storeDoneWithEffects(record, execution);
            execution.commit();
            for (TableReference t : execution.writtenTables) {
              catalog.touch(t.getProjectId(), t.getDatasetId(), t.getTableId());
            }
          } catch (SQLException e) {
            execution.rollback();
            storedWithEffects = false;
            failure = QueryRunner.failureOf(e, record.location).error;
          }
        }
        markDone(record, execution, failure, storedWithEffects);
      }
    } finally {
      if (execution != null) {
        execution.close();
      }
      synchronized (pending) {
        running--;
      }
      admit();
    }
  }

  /** Must hold the record's monitor. */
  private void markDone(JobRecord record, Execution execution, ErrorProto failure) {
    markDone(record, execution, failure, false);
  }

  /**
   * Must hold the record's monitor. {@code alreadyStored}: the DONE record was committed with the
   * job's effects.
   */
  private void markDone(
      JobRecord record, Execution execution, ErrorProto failure, boolean alreadyStored) {
    applyDone(record.job, execution, failure, clock.getAsLong());
    if (failure != null
        && record.failureErrors.size() > 1
        && record.failureErrors.get(0) == failure) {
      record.job.getStatus().setErrors(record.failureErrors); // e.g. the bad rows of a load
    }
    record.state = JobRecord.State.DONE;
    listing.done(record);
    if (!alreadyStored) {
      persist(record);
    }
    record.done.complete(null);
    LOG.fine(
        () -> "job done: " + record.fullId() + (failure == null ? "" : " " + failure.getReason()));
  }

  /** Turns {@code job} DONE with the execution's statistics or the failure. */
  private static void applyDone(Job job, Execution execution, ErrorProto failure, long now) {
    JobStatistics stats = job.getStatistics();
    if (stats.getStartTime() == null) {
      stats.setStartTime(now);
    }
    stats.setEndTime(Math.max(now, stats.getStartTime()));
    JobStatus status = new JobStatus().setState("DONE");
    if (failure != null) {
      status.setErrorResult(failure);
      status.setErrors(List.of(failure));
      JobConfigurationQuery query = job.getConfiguration().getQuery();
      if (query != null && stats.getQuery() == null) {
        // BigQuery reports the statement type of a failed query whenever it parsed; clients use
        // it to tell a single atomic statement (safe to rerun) from a script.
        String statementType = QueryRunner.statementTypeOrNull(query);
        if (statementType != null) {
          stats.setQuery(new JobStatistics2().setStatementType(statementType));
        }
      }
    } else if (execution != null) {
      stats.setLoad(execution.loadStatistics);
      stats.setExtract(execution.extractStatistics);
      stats.setCopy(execution.copyStatistics);
      if (!execution.warnings.isEmpty()) {
        status.setErrors(execution.warnings);
      }
      stats.setTotalBytesProcessed(execution.totalBytesProcessed);
      if (execution.queryStatistics != null) {
        stats.setQuery(execution.queryStatistics);
      }
      if (execution.resultTable != null && job.getConfiguration().getQuery() != null) {
        job.getConfiguration().getQuery().setDestinationTable(execution.resultTable);
      }
    }
    job.setStatus(status);
    job.setEtag(etag(job));
  }

  /**
   * Writes the job's DONE record inside the execution's open transaction, so the record and the
   * effects commit together. DuckDB refuses writes to two databases in one transaction, so a job
   * whose effects live in another project's database is recorded right after its commit instead.
   */
  private boolean storeDoneWithEffects(JobRecord record, Execution execution) {
    MetadataStore metadata = catalog.metadata();
    if (metadata == null) {
      return false;
    }
    Job preview = JsonCodec.copy(record.job);
    applyDone(preview, execution, null, clock.getAsLong());
    try {
      metadata.putJob(
          execution.connection,
          record.project,
          preview,
          executionCount(record),
          record.runtimeMs,
          record.principal,
          record.sequence);
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  /** Writes the job's current record on its own (no-op without a data folder). */
  private void persist(JobRecord record) {
    MetadataStore metadata = catalog.metadata();
    if (metadata == null) {
      return;
    }
    try {
      metadata.putJob(
          null,
          record.project,
          record.job,
          executionCount(record),
          record.runtimeMs,
          record.principal,
          record.sequence);
    } catch (SQLException e) {
      LOG.log(Level.WARNING, "cannot persist job " + record.fullId(), e);
    }
  }

  private int executionCount(JobRecord record) {
    AtomicInteger n = executions.get(record.project + ":" + record.jobId);
    return n == null ? 0 : n.get();
  }

  /**
   * Loads the jobs of a data folder after a restart. Jobs that were PENDING or RUNNING when the
   * server stopped end DONE with errorResult {@code backendError}, which BigQuery documents as
   * retryable: none vanish, none run twice.
   */
  public void recover() {
    MetadataStore metadata = catalog.metadata();
    if (metadata == null) {
      return;
    }
    long maxSequence = 0;
    for (String project : catalog.projects()) {
      List<MetadataStore.StoredJob> stored;
      try {
        stored = metadata.loadJobs(project);
      } catch (SQLException e) {
        throw new IllegalStateException("cannot load the jobs of project " + project + ": " + e, e);
      }
      for (MetadataStore.StoredJob s : stored) {
        JobReference ref = s.job.getJobReference();
        JobRecord record =
            new JobRecord(
                project,
                ref.getJobId(),
                ref.getLocation(),
                s.sequence,
                s.runtimeMs,
                s.job,
                null,
                null,
                s.principal);
        if (s.executions > 0) {
          executions.put(project + ":" + ref.getJobId(), new AtomicInteger(s.executions));
        }
        synchronized (record) {
          if (!"DONE".equals(s.job.getStatus().getState())) {
            markDone(
                record,
                null,
                Errors.of(
                    "backendError",
                    "The job was interrupted because the server stopped while it ran; it left no"
                        + " effects. Retry it."));
          } else {
            record.state = JobRecord.State.DONE;
            record.done.complete(null);
          }
        }
        jobs.computeIfAbsent(project, p -> new ConcurrentHashMap<>()).put(ref.getJobId(), record);
        listing.added(record);
        maxSequence = Math.max(maxSequence, s.sequence);
      }
    }
    sequence.set(Math.max(sequence.get(), maxSequence));
  }

  private static ErrorProto stopped() {
    return Errors.of("stopped", "Job execution was cancelled: User requested cancellation");
  }

  // ---------------------------------------------------------------- reads

  /** jobs.get. A location other than the job's is answered like a missing job, as BigQuery does. */
  public Job get(String project, String jobId, String location) {
    return snapshot(find(project, jobId, location));
  }

  JobRecord find(String project, String jobId, String location) {
    Map<String, JobRecord> projectJobs = jobs.get(project);
    JobRecord record = projectJobs == null ? null : projectJobs.get(jobId);
    String wanted = Locations.normalize(location);
    if (record == null
        || (wanted != null && !wanted.equals(record.location))
        || (wanted == null && !record.location.equals("US") && !record.location.equals("EU"))) {
      String shownLocation = wanted != null ? wanted : "US";
      throw ApiException.notFound("Not found: Job " + project + ":" + shownLocation + "." + jobId);
    }
    return record;
  }

  private Job snapshot(JobRecord record) {
    synchronized (record) {
      if (record.state == JobRecord.State.DONE) {
        return JsonCodec.read(doneJson(record), Job.class);
      }
      record.job.setEtag(etag(record.job));
      return JsonCodec.copy(record.job);
    }
  }

  /** Must hold the record's monitor, the record DONE. */
  private static String doneJson(JobRecord record) {
    if (record.doneJson == null) {
      if (record.job.getEtag() == null) {
        record.job.setEtag(etag(record.job));
      }
      record.doneJson = JsonCodec.write(record.job);
    }
    return record.doneJson;
  }

  /**
   * jobs.get's answer as JSON: the same resource as {@link #get}, without a copy; a DONE job's JSON
   * is made once.
   */
  public String getJson(String project, String jobId, String location) {
    JobRecord record = find(project, jobId, location);
    synchronized (record) {
      if (record.state == JobRecord.State.DONE) {
        return doneJson(record);
      }
      record.job.setEtag(etag(record.job));
      return JsonCodec.write(record.job);
    }
  }

  /**
   * Waits up to {@code timeoutMs} for the job to be DONE; returns its snapshot either way. Used by
   * getQueryResults and jobs.query, whose waits BigQuery keeps under about ten seconds.
   */
  public Job await(String project, String jobId, String location, long timeoutMs) {
    JobRecord record = find(project, jobId, location);
    if (timeoutMs > 0) {
      try {
        record.done.get(timeoutMs, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        // answered with jobComplete=false
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException e) {
        // never completed exceptionally
      }
    }
    return snapshot(record);
  }

  /** jobs.list, newest first, paged by an opaque token; {@code onlyUser} (or null) filters. */
  public JobList list(
      String project,
      String onlyUser,
      List<String> stateFilter,
      long maxResults,
      String pageToken,
      boolean minimal,
      Long minCreationTime,
      Long maxCreationTime) {
    Catalog.validateProjectId(project);
    return listing.list(
        project,
        onlyUser,
        stateFilter,
        maxResults,
        pageToken,
        minimal,
        minCreationTime,
        maxCreationTime,
        this::snapshot);
  }

  // ---------------------------------------------------------------- cancel, delete

  /** jobs.cancel: asynchronous and best effort; a DONE job is returned unchanged. */
  public JobCancelResponse cancel(String project, String jobId, String location) {
    JobRecord record = find(project, jobId, location);
    boolean finishNow = false;
    synchronized (record) {
      if (record.state == JobRecord.State.DONE) {
        return response(record);
      }
      record.cancelRequested = true;
      if (record.state == JobRecord.State.PENDING) {
        record.state = JobRecord.State.DONE;
        markDone(record, null, stopped());
        record.state = JobRecord.State.DONE;
      } else if (record.wake != null && record.wake.cancel(false)) {
        finishNow = true; // its runtime had not run out: nothing executed yet
      }
      // else it is executing: the worker sees cancelRequested and rolls back before DONE
    }
    if (finishNow) {
      finish(record, null, stopped());
    }
    synchronized (pending) {
      pending.remove(record);
    }
    return response(record);
  }

  private JobCancelResponse response(JobRecord record) {
    return new JobCancelResponse().setKind("bigquery#jobCancelResponse").setJob(snapshot(record));
  }

  /** jobs.delete: removes a finished job's metadata. */
  public void delete(String project, String jobId, String location) {
    JobRecord record = find(project, jobId, location);
    synchronized (record) {
      if (record.state != JobRecord.State.DONE) {
        throw ApiException.invalid(
            "Job "
                + record.fullId()
                + " is still "
                + record.state
                + "; only finished jobs can be deleted.");
      }
    }
    jobs.get(project).remove(jobId, record);
    listing.removed(record);
    if (catalog.metadata() != null) {
      catalog.metadata().removeJob(project, jobId);
    }
  }

  // ---------------------------------------------------------------- stats

  /** Executions per job ({@code project:jobId}): 1 for every job that ran, more would be a bug. */
  public Map<String, Integer> executionsPerJob() {
    Map<String, Integer> out = new HashMap<>();
    executions.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  /** The runtime each job was scheduled to stay RUNNING ({@code project:jobId} -> ms). */
  public Map<String, Long> scheduledRuntimes() {
    Map<String, Long> out = new HashMap<>();
    for (Map<String, JobRecord> projectJobs : jobs.values()) {
      for (JobRecord r : projectJobs.values()) {
        out.put(r.project + ":" + r.jobId, r.runtimeMs);
      }
    }
    return out;
  }

  /** Counts of jobs by state. */
  public Map<String, Integer> countsByState() {
    Map<String, Integer> out = new HashMap<>();
    for (Map<String, JobRecord> projectJobs : jobs.values()) {
      for (JobRecord r : projectJobs.values()) {
        synchronized (r) {
          out.merge(r.state.name(), 1, Integer::sum);
        }
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- helpers

  private String selfLink(String project, String jobId, String location) {
    return baseUrl + "bigquery/v2/projects/" + project + "/jobs/" + jobId + "?location=" + location;
  }

  private String randomId() {
    byte[] bytes = new byte[18];
    ids.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).replace('-', '_');
  }

  private static String etag(Job job) {
    try {
      MessageDigest md = MessageDigest.getInstance("MD5");
      byte[] digest =
          md.digest(
              (job.getId()
                      + "|"
                      + job.getStatus().getState()
                      + "|"
                      + job.getStatistics().getEndTime())
                  .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "...(" + s.length() + " characters)";
  }

  @Override
  public void close() {
    timer.shutdownNow();
    workers.shutdownNow();
    try {
      workers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
