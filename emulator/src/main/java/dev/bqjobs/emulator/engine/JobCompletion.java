package dev.bqjobs.emulator.engine;

import com.google.api.services.bigquery.model.ErrorProto;
import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobStatistics;
import com.google.api.services.bigquery.model.JobStatus;
import dev.bqjobs.emulator.wire.JsonCodec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * Turns a job DONE: its final status (errorResult or warnings), its statistics (each kind writes
 * its own), its etag, and the stored record, then wakes whoever waits for it.
 */
final class JobCompletion {
  private static final Logger LOG = Logger.getLogger(JobCompletion.class.getName());

  private final JobRepository repository;
  private final LongSupplier clock;

  JobCompletion(JobRepository repository, LongSupplier clock) {
    this.repository = repository;
    this.clock = clock;
  }

  /** The errorResult of a cancelled job. */
  static ErrorProto stopped() {
    return Errors.of("stopped", "Job execution was cancelled: User requested cancellation");
  }

  /** Must hold the record's monitor. */
  void markDone(JobRecord record, Execution execution, ErrorProto failure) {
    markDone(record, execution, failure, false);
  }

  /**
   * Must hold the record's monitor. {@code alreadyStored}: the DONE record was committed with the
   * job's effects ({@link #persistWithEffects}).
   */
  void markDone(JobRecord record, Execution execution, ErrorProto failure, boolean alreadyStored) {
    applyDone(record.job, record.kind, execution, failure, clock.getAsLong());
    if (failure != null
        && record.failureErrors.size() > 1
        && record.failureErrors.get(0) == failure) {
      record.job.getStatus().setErrors(record.failureErrors); // e.g. the bad rows of a load
    }
    record.state = JobRecord.State.DONE;
    repository.listing().done(record);
    if (!alreadyStored) {
      repository.persist(record);
    }
    record.done.complete(null);
    LOG.fine(
        () -> "job done: " + record.fullId() + (failure == null ? "" : " " + failure.getReason()));
  }

  /**
   * Writes the job's DONE record inside the execution's open transaction, so the record and the
   * effects commit together; false when it must be written after the commit instead.
   */
  boolean persistWithEffects(JobRecord record, Execution execution) {
    Job preview = JsonCodec.copy(record.job);
    applyDone(preview, record.kind, execution, null, clock.getAsLong());
    return repository.persistWith(execution.connection, record, preview);
  }

  /** Turns {@code job} DONE with the execution's statistics or the failure. */
  private static void applyDone(
      Job job, JobKind kind, Execution execution, ErrorProto failure, long now) {
    JobStatistics stats = job.getStatistics();
    if (stats.getStartTime() == null) {
      stats.setStartTime(now);
    }
    stats.setEndTime(Math.max(now, stats.getStartTime()));
    JobStatus status = new JobStatus().setState("DONE");
    if (failure != null) {
      status.setErrorResult(failure);
      status.setErrors(List.of(failure));
      kind.describeFailure(job);
    } else if (execution != null) {
      if (!execution.warnings.isEmpty()) {
        status.setErrors(execution.warnings);
      }
      stats.setTotalBytesProcessed(execution.totalBytesProcessed);
      kind.describeSuccess(job, execution);
    }
    job.setStatus(status);
    job.setEtag(etag(job));
  }

  /** A job's etag: it changes whenever its state or end time does. */
  static String etag(Job job) {
    try {
      MessageDigest md = MessageDigest.getInstance("MD5");
      byte[] digest =
          md.digest(
              (job.getId()
                      + "|"
                      + job.getStatus().getState()
                      + "|"
                      + job.getStatistics().getEndTime())
                  .getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
