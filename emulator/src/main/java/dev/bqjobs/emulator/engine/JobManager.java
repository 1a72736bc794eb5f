package dev.bqjobs.emulator.engine;

import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobCancelResponse;
import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobList;
import com.google.api.services.bigquery.model.JobReference;
import dev.bqjobs.emulator.engine.JobKind.Prepared;
import dev.bqjobs.emulator.errors.BigQueryError;
import dev.bqjobs.emulator.faults.FaultPlan;
import dev.bqjobs.emulator.iam.AccessControl;
import dev.bqjobs.emulator.store.Catalog;
import dev.bqjobs.emulator.store.GcsPaths;
import dev.bqjobs.emulator.store.Locations;
import dev.bqjobs.emulator.wire.JsonCodec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * The jobs API of the engine: jobs.insert answers at once (PENDING or RUNNING) and the {@link
 * JobScheduler} runs the job later; reads, cancel and delete go through the {@link JobRepository}.
 * What differs per job type is each {@link JobKind}'s; this class never asks a job's type.
 */
public final class JobManager implements AutoCloseable {
  /** Job label that keeps a job RUNNING at least this many milliseconds. */
  public static final String RUNTIME_LABEL = "bqjobs-emulator-runtime-ms";

  private static final Logger LOG = Logger.getLogger(JobManager.class.getName());

  private final LongSupplier clock;
  private final DatasetChecks datasets;
  private final LoadRunner loads;
  private final JobKinds kinds;
  private final InsertChecks checks;
  private final JobRepository repository;
  private final JobCompletion completion;
  private final JobScheduler scheduler;
  private final JobListing listing;
  private final JobResources resources;

  public JobManager(Catalog catalog, EngineOptions options, LongSupplier clock) {
    this(catalog, options, clock, null);
  }

  /**
   * @param gcs where {@code gs://} URIs of load and extract jobs live; null fails such jobs
   */
  public JobManager(Catalog catalog, EngineOptions options, LongSupplier clock, GcsPaths gcs) {
    this.clock = clock;
    this.datasets = new DatasetChecks(catalog);
    this.loads = new LoadRunner(catalog, datasets, gcs);
    this.kinds =
        new JobKinds(
            List.of(
                new QueryKind(new QueryRunner(catalog, datasets)),
                new LoadKind(loads),
                new ExtractKind(new ExtractRunner(catalog, datasets, gcs)),
                new CopyKind(new CopyRunner(catalog, datasets))));
    this.checks = new InsertChecks(options);
    this.repository = new JobRepository(catalog);
    this.completion = new JobCompletion(repository, clock);
    this.scheduler = new JobScheduler(catalog, options, clock, repository, completion);
    this.listing = repository.listing();
    this.resources = new JobResources(options.userEmail);
  }

  /** Job outcome faults to inject (the {@code job:} rules of {@code --faults}). */
  public void setFaults(FaultPlan faults) {
    scheduler.setFaults(faults);
  }

  /** Checks of the tables a job reads and writes against its principal's grants. */
  public void setAccessControl(AccessControl access) {
    datasets.setAccessControl(access);
  }

  /** The server's root URL, for selfLink. */
  public void setBaseUrl(String baseUrl) {
    resources.setBaseUrl(baseUrl);
  }

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
    JobConfiguration config = InsertChecks.configuration(request.getConfiguration());
    JobKind kind = kinds.of(config);
    JobReference ref =
        request.getJobReference() == null ? new JobReference() : request.getJobReference();
    String jobId = checks.jobId(project, ref);
    InsertChecks.labels(config.getLabels());
    long runtimeMs = checks.runtimeOf(config.getLabels());
    InsertChecks.timeout(config);
    Prepared prepared = kind.prepare(project, jobId, config);

    String location = Locations.normalize(ref.getLocation());
    if (location == null) {
      location = datasets.locationOfFirst(kind.tablesTouched(project, config, prepared), project);
    }
    long now = clock.getAsLong();
    if (Boolean.TRUE.equals(config.getDryRun())) {
      return resources.dryRunAnswer(
          kind, project, location, JsonCodec.copy(config), now, principal);
    }

    Job job =
        resources.newJob(kind, project, jobId, location, JsonCodec.copy(config), now, principal);
    JobRecord record =
        new JobRecord(
            project,
            jobId,
            location,
            repository.nextSequence(),
            runtimeMs,
            kind,
            job,
            prepared.statement,
            prepared.translationError,
            principal);
    repository.add(record);
    LOG.fine(() -> "job inserted: " + record.fullId());
    // jobs.insert answers PENDING or RUNNING, as BigQuery does. A job without a runtime can run to
    // DONE on a worker before submit() returns, so keep the answer taken before it could start.
    Job answer = repository.snapshot(record);
    scheduler.submit(record);
    Job latest = repository.snapshot(record);
    return "DONE".equals(latest.getStatus().getState()) ? answer : latest;
  }

  /**
   * jobs.insert of a load job whose single source is {@code data}, uploaded by the client (media
   * upload). The file belongs to the job from here on and is deleted when the job ends.
   */
  public Job insertUpload(String project, Job request, Path data, String principal) {
    Job job = JsonCodec.copy(request);
    if (job.getConfiguration() == null || job.getConfiguration().getLoad() == null) {
      LoadSources.deleteQuietly(data);
      throw BigQueryError.invalid("An upload must carry a load job configuration.");
    }
    JobReference ref = job.getJobReference() == null ? new JobReference() : job.getJobReference();
    if (ref.getJobId() == null) {
      ref.setJobId(checks.newJobId()); // the upload is keyed by the job ID before insert
    }
    job.setJobReference(ref);
    return loads.withUpload(project, ref.getJobId(), data, () -> insert(project, job, principal));
  }

  /** Loads the jobs of a data folder after a restart (see {@link JobRepository#recover}). */
  public void recover() {
    repository.recover(kinds, completion);
  }

  /** jobs.get. A location other than the job's is answered like a missing job, as BigQuery does. */
  public Job get(String project, String jobId, String location) {
    return repository.snapshot(repository.find(project, jobId, location));
  }

  /**
   * jobs.get's answer as JSON: the same resource as {@link #get}, without a copy; a DONE job's JSON
   * is made once.
   */
  public String getJson(String project, String jobId, String location) {
    return repository.json(repository.find(project, jobId, location));
  }

  /**
   * Waits up to {@code timeoutMs} for the job to be DONE; returns its snapshot either way. Used by
   * getQueryResults and jobs.query, whose waits BigQuery keeps under about ten seconds.
   */
  public Job await(String project, String jobId, String location, long timeoutMs) {
    JobRecord record = repository.find(project, jobId, location);
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
    return repository.snapshot(record);
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
    return listing.list(
        project,
        onlyUser,
        stateFilter,
        maxResults,
        pageToken,
        minimal,
        minCreationTime,
        maxCreationTime,
        repository::snapshot);
  }

  /** jobs.cancel: asynchronous and best effort; a DONE job is returned unchanged. */
  public JobCancelResponse cancel(String project, String jobId, String location) {
    JobRecord record = repository.find(project, jobId, location);
    scheduler.cancel(record);
    return new JobCancelResponse()
        .setKind("bigquery#jobCancelResponse")
        .setJob(repository.snapshot(record));
  }

  /** jobs.delete: removes a finished job's metadata. */
  public void delete(String project, String jobId, String location) {
    JobRecord record = repository.find(project, jobId, location);
    synchronized (record) {
      if (record.state != JobRecord.State.DONE) {
        throw BigQueryError.invalid(
            "Job "
                + record.fullId()
                + " is still "
                + record.state
                + "; only finished jobs can be deleted.");
      }
    }
    repository.remove(record);
  }

  /** Executions per job ({@code project:jobId}): 1 for every job that ran, more would be a bug. */
  public Map<String, Integer> executionsPerJob() {
    return repository.executionsPerJob();
  }

  /** The runtime each job was scheduled to stay RUNNING ({@code project:jobId} -> ms). */
  public Map<String, Long> scheduledRuntimes() {
    return repository.scheduledRuntimes();
  }

  /** Counts of jobs by state. */
  public Map<String, Integer> countsByState() {
    return repository.countsByState();
  }

  @Override
  public void close() {
    scheduler.close();
  }
}
