package dev.bqjobs.emulator.engine;

import com.google.api.services.bigquery.model.Job;
import dev.bqjobs.emulator.sql.TranslatedStatement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * One job's server-side state. The {@link Job} resource is guarded by this object's monitor and
 * handed out only as copies, so clients never see a half-updated job.
 */
final class JobRecord {
  enum State {
    PENDING,
    RUNNING,
    DONE
  }

  final String project;
  final String jobId;
  final String location;
  final long sequence;
  final long runtimeMs;

  /** What the job's type decides: how it runs and what its statistics say. */
  final JobKind kind;

  /** The parsed query of a query job, or null (not a query, or the SQL did not translate). */
  final TranslatedStatement statement;

  /** Why the SQL did not translate, or null. */
  final String translationError;

  /** Who inserted the job (access control on), or null. */
  final String principal;

  final CompletableFuture<Void> done = new CompletableFuture<>();

  // guarded by this
  Job job;
  State state = State.PENDING;

  /**
   * The DONE job's JSON, made at its first read: a DONE job never changes again, so jobs.get of a
   * finished job (the most frequent request of every poller) serialises nothing.
   */
  String doneJson;

  boolean cancelRequested;

  /** status.errors of the job's failure when it has details (the bad rows of a load). */
  java.util.List<com.google.api.services.bigquery.model.ErrorProto> failureErrors =
      java.util.List.of();

  ScheduledFuture<?> wake;

  JobRecord(
      String project,
      String jobId,
      String location,
      long sequence,
      long runtimeMs,
      JobKind kind,
      Job job,
      TranslatedStatement statement,
      String translationError,
      String principal) {
    this.project = project;
    this.jobId = jobId;
    this.location = location;
    this.sequence = sequence;
    this.runtimeMs = runtimeMs;
    this.kind = kind;
    this.job = job;
    this.statement = statement;
    this.translationError = translationError;
    this.principal = principal;
  }

  String fullId() {
    return project + ":" + location + "." + jobId;
  }
}
