package dev.bqjobs.transforms;

import java.io.IOException;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * An HTTP error answer from BigQuery: status code, the first error's reason (e.g. {@code
 * backendError}, {@code duplicate}) and message. Transport failures (timeouts, resets, lost
 * responses) are plain {@link IOException}s instead: they carry no answer.
 */
class JobServiceException extends IOException {
  private static final long serialVersionUID = 1L;

  private final int statusCode;
  private final @Nullable String reason;

  JobServiceException(int statusCode, @Nullable String reason, String message) {
    super(message);
    this.statusCode = statusCode;
    this.reason = reason;
  }

  int getStatusCode() {
    return statusCode;
  }

  @Nullable String getReason() {
    return reason;
  }

  @Override
  public String toString() {
    return "HTTP " + statusCode + " " + reason + ": " + getMessage();
  }
}
