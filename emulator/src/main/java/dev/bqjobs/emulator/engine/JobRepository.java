package dev.bqjobs.emulator.engine;

import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobReference;
import dev.bqjobs.emulator.errors.BigQueryError;
import dev.bqjobs.emulator.store.Catalog;
import dev.bqjobs.emulator.store.Locations;
import dev.bqjobs.emulator.store.MetadataStore;
import dev.bqjobs.emulator.wire.JsonCodec;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Every job the server knows, by project and ID, with its copy in the data folder's metadata store
 * (when there is one) and its recovery after a restart. Hands out jobs only as snapshots.
 */
final class JobRepository {
  private static final Logger LOG = Logger.getLogger(JobRepository.class.getName());

  private final Catalog catalog;
  private final Map<String, Map<String, JobRecord>> jobs = new ConcurrentHashMap<>();
  private final AtomicLong sequence = new AtomicLong();
  private final Map<String, AtomicInteger> executions = new ConcurrentHashMap<>();

  /** jobs.list's indexes (newest first; the jobs not DONE apart), kept with the map. */
  private final JobListing listing = new JobListing();

  JobRepository(Catalog catalog) {
    this.catalog = catalog;
  }

  /** The next insertion number: jobs.list orders and pages by it. */
  long nextSequence() {
    return sequence.incrementAndGet();
  }

  /** Stores a new job and persists it; 409 {@code duplicate} if its ID is taken. */
  void add(JobRecord record) {
    Map<String, JobRecord> projectJobs =
        jobs.computeIfAbsent(record.project, p -> new ConcurrentHashMap<>());
    JobRecord existing = projectJobs.putIfAbsent(record.jobId, record);
    if (existing != null) {
      throw BigQueryError.duplicate("Already Exists: Job " + existing.fullId());
    }
    listing.added(record);
    synchronized (record) {
      persist(record);
    }
  }

  JobListing listing() {
    return listing;
  }

  /** A job by ID. A location other than the job's is answered like a missing job, as BigQuery. */
  JobRecord find(String project, String jobId, String location) {
    Map<String, JobRecord> projectJobs = jobs.get(project);
    JobRecord record = projectJobs == null ? null : projectJobs.get(jobId);
    String wanted = Locations.normalize(location);
    if (record == null
        || (wanted != null && !wanted.equals(record.location))
        || (wanted == null && !record.location.equals("US") && !record.location.equals("EU"))) {
      String shownLocation = wanted != null ? wanted : "US";
      throw BigQueryError.notFound("Not found: Job " + project + ":" + shownLocation + "." + jobId);
    }
    return record;
  }

  /** The jobs of a project, in no order. */
  List<JobRecord> inProject(String project) {
    return new ArrayList<>(jobs.getOrDefault(project, Map.of()).values());
  }

  /** Forgets a finished job and its stored copy. */
  void remove(JobRecord record) {
    jobs.get(record.project).remove(record.jobId, record);
    listing.removed(record);
    if (catalog.metadata() != null) {
      catalog.metadata().removeJob(record.project, record.jobId);
    }
  }

  /** A copy of the job as clients see it now. */
  Job snapshot(JobRecord record) {
    synchronized (record) {
      if (record.state == JobRecord.State.DONE) {
        return JsonCodec.read(doneJson(record), Job.class);
      }
      record.job.setEtag(JobCompletion.etag(record.job));
      return JsonCodec.copy(record.job);
    }
  }

  /** The job as JSON, without a copy; a DONE job's JSON is made once. */
  String json(JobRecord record) {
    synchronized (record) {
      if (record.state == JobRecord.State.DONE) {
        return doneJson(record);
      }
      record.job.setEtag(JobCompletion.etag(record.job));
      return JsonCodec.write(record.job);
    }
  }

  /** Must hold the record's monitor, the record DONE. */
  private static String doneJson(JobRecord record) {
    if (record.doneJson == null) {
      if (record.job.getEtag() == null) {
        record.job.setEtag(JobCompletion.etag(record.job));
      }
      record.doneJson = JsonCodec.write(record.job);
    }
    return record.doneJson;
  }

  /** Counts one more execution of the job (more than one would be a bug). */
  void countExecution(JobRecord record) {
    executions
        .computeIfAbsent(record.project + ":" + record.jobId, k -> new AtomicInteger())
        .incrementAndGet();
  }

  private int executionCount(JobRecord record) {
    AtomicInteger n = executions.get(record.project + ":" + record.jobId);
    return n == null ? 0 : n.get();
  }

  /** Writes the job's current record on its own (no-op without a data folder). */
  void persist(JobRecord record) {
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

  /**
   * Writes {@code done} (the job as it will be at DONE) inside the open transaction of {@code
   * connection}, so the record and the job's effects commit together. DuckDB refuses writes to two
   * databases in one transaction, so a job whose effects live in another project's database is
   * recorded right after its commit instead: false then.
   */
  boolean persistWith(Connection connection, JobRecord record, Job done) {
    MetadataStore metadata = catalog.metadata();
    if (metadata == null) {
      return false;
    }
    try {
      metadata.putJob(
          connection,
          record.project,
          done,
          executionCount(record),
          record.runtimeMs,
          record.principal,
          record.sequence);
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  /**
   * Loads the jobs of a data folder after a restart. Jobs that were PENDING or RUNNING when the
   * server stopped end DONE with errorResult {@code backendError}, which BigQuery documents as
   * retryable: none vanish, none run twice.
   */
  void recover(JobKinds kinds, JobCompletion completion) {
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
                kinds.of(s.job.getConfiguration()),
                s.job,
                null,
                null,
                s.principal);
        if (s.executions > 0) {
          executions.put(project + ":" + ref.getJobId(), new AtomicInteger(s.executions));
        }
        synchronized (record) {
          if (!"DONE".equals(s.job.getStatus().getState())) {
            completion.markDone(
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

  /** Executions per job ({@code project:jobId}): 1 for every job that ran, more would be a bug. */
  Map<String, Integer> executionsPerJob() {
    Map<String, Integer> out = new HashMap<>();
    executions.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  /** The runtime each job was scheduled to stay RUNNING ({@code project:jobId} -> ms). */
  Map<String, Long> scheduledRuntimes() {
    Map<String, Long> out = new HashMap<>();
    for (Map<String, JobRecord> projectJobs : jobs.values()) {
      for (JobRecord r : projectJobs.values()) {
        out.put(r.project + ":" + r.jobId, r.runtimeMs);
      }
    }
    return out;
  }

  /** Counts of jobs by state. */
  Map<String, Integer> countsByState() {
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
}
