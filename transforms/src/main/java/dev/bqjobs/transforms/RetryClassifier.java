package dev.bqjobs.transforms;

import com.google.api.services.bigquery.model.ErrorProto;
import java.io.IOException;
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
 *       derived ID (the old ID is taken).
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
      if ("quotaExceeded".equals(reason)) {
        return false; // a longer-term quota: waiting minutes inside a bundle helps nobody
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

  static boolean isAlreadyExists(Throwable error) {
    return error instanceof JobServiceException
        && ((JobServiceException) error).getStatusCode() == 409;
  }

  static boolean isNotFound(Throwable error) {
    return error instanceof JobServiceException
        && ((JobServiceException) error).getStatusCode() == 404;
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
