package dev.bqjobs.transforms;

import com.google.api.services.bigquery.model.ErrorProto;
import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobStatistics;
import com.google.api.services.bigquery.model.JobStatistics2;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Set;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Decides what a failure means, following BigQuery's error table. Two levels:
 *
 * <ul>
 *   <li>A failed <b>request</b> (insert, get, cancel) that is transient is retried with the same
 *       job ID: the insert's outcome is unknown, and only reusing the ID keeps the start exactly
 *       once.
 *   <li>A <b>job</b> that ended DONE with a retryable {@code errorResult} is rerun under a new,
 *       derived ID (the old ID is taken), but only if it is atomic: a multi-statement script
 *       commits each statement on its own, so running it again would apply its first statements
 *       twice.
 * </ul>
 */
final class RetryClassifier {
  private RetryClassifier() {}

  private static final Set<String> TRANSIENT_REASONS =
      Set.of(
          "backendError",
          "internalError",
          "badGateway",
          "rateLimitExceeded",
          "tableUnavailable",
          // The job was created but failed inside: retrying the insert meets a 409 and reattaches
          // to the failed job, whose errorResult then takes the rerun path.
          "jobBackendError",
          "jobInternalError",
          "jobRateLimitExceeded");

  private static final Set<String> RERUN_REASONS =
      Set.of(
          "backendError",
          "internalError",
          "jobBackendError",
          "jobInternalError",
          "jobRateLimitExceeded",
          "rateLimitExceeded");

  /** True if the same request should be sent again (after backoff). */
  static boolean isTransient(Throwable error) {
    if (error instanceof JobServiceException) {
      JobServiceException e = (JobServiceException) error;
      int code = e.getStatusCode();
      String reason = e.getReason();
      if (isQuotaExceeded(error)) {
        return false; // a longer-term quota: not retried as a request (jobs.get waits it out)
      }
      if (reason != null && TRANSIENT_REASONS.contains(reason)) {
        return true;
      }
      return code >= 500 || code == 429 || code == 408;
    }
    // No answer at all: timeouts, connection resets, lost responses.
    return error instanceof IOException;
  }

  /**
   * True if BigQuery refused the call for its short-term rate limit (403/429 {@code
   * rateLimitExceeded}, or a bare 429): the caller should slow down, not only retry.
   */
  static boolean isRateLimited(Throwable error) {
    if (!(error instanceof JobServiceException)) {
      return false;
    }
    JobServiceException e = (JobServiceException) error;
    return "rateLimitExceeded".equals(e.getReason()) || e.getStatusCode() == 429;
  }

  /** BigQuery's longer-term quota ({@code quotaExceeded}), as opposed to its rate limit. */
  static boolean isQuotaExceeded(Throwable error) {
    return error instanceof JobServiceException
        && "quotaExceeded".equals(((JobServiceException) error).getReason());
  }

  static boolean isAlreadyExists(Throwable error) {
    return error instanceof JobServiceException
        && ((JobServiceException) error).getStatusCode() == 409;
  }

  static boolean isNotFound(Throwable error) {
    return error instanceof JobServiceException
        && ((JobServiceException) error).getStatusCode() == 404;
  }

  /**
   * True if a jobs.insert that failed this way may still have created the job: the request may have
   * reached BigQuery and only the answer was lost (timeouts, resets, 5xx). False when it cannot
   * have reached BigQuery (connection refused, unknown host, connect timeout) or when BigQuery
   * answered with a refusal that precedes creating the job (rate limits). Such an insert must not
   * be given up while the job could be running.
   */
  static boolean mayHaveCreatedJob(Throwable insertError) {
    if (insertError instanceof JobServiceException) {
      return !isRateLimited(insertError) && isTransient(insertError);
    }
    return !cannotHaveReachedServer(insertError);
  }

  /** True for transport failures that happen before any byte of the request is sent. */
  static boolean cannotHaveReachedServer(Throwable error) {
    for (Throwable e = error; e != null; e = e.getCause()) {
      if (e instanceof ConnectException
          || e instanceof UnknownHostException
          || e instanceof NoRouteToHostException) {
        return true;
      }
      if (e instanceof SocketTimeoutException
          && e.getMessage() != null
          && e.getMessage().toLowerCase(Locale.ROOT).contains("connect timed out")) {
        return true;
      }
      if (e.getCause() == e) {
        break;
      }
    }
    return false;
  }

  /**
   * Why a failed job must not run again under a new ID, or null if it may. Loads, copies and
   * extracts are atomic, and so is a single query statement (SELECT, DML, DDL). A multi-statement
   * script ({@code statementType} {@code SCRIPT}, or child jobs) commits each statement on its own;
   * a query whose statement type BigQuery did not report cannot be shown to be a single statement.
   */
  static @Nullable String whyNotRerunnable(Job job) {
    if (job.getConfiguration() == null || job.getConfiguration().getQuery() == null) {
      return null;
    }
    JobStatistics statistics = job.getStatistics();
    JobStatistics2 query = statistics == null ? null : statistics.getQuery();
    String statementType = query == null ? null : query.getStatementType();
    if (statistics != null && statistics.getNumChildJobs() != null) {
      return "it is a multi-statement script ("
          + statistics.getNumChildJobs()
          + " child jobs): its statements commit one by one, so a rerun could apply the earlier"
          + " ones twice";
    }
    if ("SCRIPT".equals(statementType)) {
      return "it is a multi-statement script: its statements commit one by one, so a rerun could"
          + " apply the earlier ones twice";
    }
    if (statementType == null) {
      return "BigQuery reported no statement type, so it cannot be shown to be a single atomic"
          + " statement";
    }
    return null;
  }

  /** True if a job that ended with this errorResult should run again under a new ID. */
  static boolean isRerunnable(@Nullable ErrorProto errorResult) {
    return errorResult != null
        && errorResult.getReason() != null
        && RERUN_REASONS.contains(errorResult.getReason());
  }

  /** The reason to report for a request that failed for good. */
  static String reasonOf(Throwable error) {
    if (error instanceof JobServiceException) {
      String reason = ((JobServiceException) error).getReason();
      if (reason != null) {
        return reason;
      }
      int code = ((JobServiceException) error).getStatusCode();
      return code >= 500 ? "backendError" : code == 404 ? "notFound" : "invalid";
    }
    return "backendError";
  }
}
