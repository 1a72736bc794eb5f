package dev.bqjobs.transforms;

import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobList;
import java.io.IOException;
import java.io.Serializable;
import org.apache.beam.sdk.options.PipelineOptions;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The three BigQuery calls the transform makes. One implementation talks HTTP ({@link
 * BigqueryJobService}); tests use an in-memory fake. Implementations do not retry: the {@link
 * RetryClassifier} decides, so a retried insert always reuses its job ID.
 *
 * <p>Every method throws {@link JobServiceException} for an HTTP error answer and a plain {@link
 * IOException} for a transport failure.
 */
interface JobService extends AutoCloseable {

  /** jobs.insert; the job carries its {@code jobReference} (project, job ID, location). */
  Job insert(String projectId, Job job) throws IOException;

  /** jobs.get at the job's location (null: let BigQuery look in US and EU). */
  Job get(String projectId, String jobId, @Nullable String location) throws IOException;

  /** jobs.cancel: asynchronous and best effort; returns the job as it was at the request. */
  Job cancel(String projectId, String jobId, @Nullable String location) throws IOException;

  /**
   * One page of jobs.list: the caller's jobs still PENDING or RUNNING, created at or after {@code
   * minCreationTime} (epoch ms), {@code projection=minimal}. Needs {@code bigquery.jobs.list}; an
   * implementation without it answers 403 {@code accessDenied}, and callers poll per job instead.
   */
  default JobList listActive(String projectId, long minCreationTime, @Nullable String pageToken)
      throws IOException {
    throw new JobServiceException(403, "accessDenied", "jobs.list is not available here");
  }

  /**
   * One page of jobs.list: the caller's jobs DONE, created at or after {@code minCreationTime}
   * (epoch ms), {@code projection=full} (each with its {@code status}, statistics and
   * configuration). Same permission and fallback as {@link #listActive}.
   */
  default JobList listDone(String projectId, long minCreationTime, @Nullable String pageToken)
      throws IOException {
    throw new JobServiceException(403, "accessDenied", "jobs.list is not available here");
  }

  @Override
  default void close() {}

  /** Makes a service on the worker (clients are not serialisable). */
  interface Factory extends Serializable {
    JobService create() throws IOException;

    /**
     * With the worker's options, from which credentials are built there; default {@link #create()}.
     */
    default JobService create(PipelineOptions options) throws IOException {
      return create();
    }
  }
}
