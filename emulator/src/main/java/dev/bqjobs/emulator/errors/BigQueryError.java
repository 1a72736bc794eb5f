package dev.bqjobs.emulator.errors;

/**
 * An error as BigQuery reports it, without HTTP: a kind, a reason ({@code invalid}, {@code
 * notFound}, ...), a message and optionally a location (the field or argument at fault). The store,
 * the engine, access control and fault injection throw it; only the HTTP layer maps it to a status
 * code and BigQuery's error envelope, so the layers below know nothing of HTTP.
 */
public final class BigQueryError extends RuntimeException {
  private final ErrorKind kind;
  private final String reason;
  private final String location;

  public BigQueryError(ErrorKind kind, String reason, String message) {
    this(kind, reason, message, null);
  }

  public BigQueryError(ErrorKind kind, String reason, String message, String location) {
    super(message);
    this.kind = kind;
    this.reason = reason;
    this.location = location;
  }

  public ErrorKind kind() {
    return kind;
  }

  public String reason() {
    return reason;
  }

  /** The field or argument at fault, or null. */
  public String location() {
    return location;
  }

  public static BigQueryError invalid(String message) {
    return new BigQueryError(ErrorKind.INVALID_ARGUMENT, "invalid", message);
  }

  public static BigQueryError invalidQuery(String message) {
    return new BigQueryError(ErrorKind.INVALID_ARGUMENT, "invalidQuery", message);
  }

  public static BigQueryError required(String message) {
    return new BigQueryError(ErrorKind.INVALID_ARGUMENT, "required", message);
  }

  public static BigQueryError notFound(String message) {
    return new BigQueryError(ErrorKind.NOT_FOUND, "notFound", message);
  }

  public static BigQueryError duplicate(String message) {
    return new BigQueryError(ErrorKind.ALREADY_EXISTS, "duplicate", message);
  }

  public static BigQueryError resourceInUse(String message) {
    return new BigQueryError(ErrorKind.INVALID_ARGUMENT, "resourceInUse", message);
  }

  public static BigQueryError accessDenied(String message) {
    return new BigQueryError(ErrorKind.PERMISSION_DENIED, "accessDenied", message);
  }

  public static BigQueryError backendError(String message) {
    return new BigQueryError(ErrorKind.INTERNAL, "backendError", message);
  }

  /**
   * The error a request gets when it meets a job-level failure of this reason (jobs.query of a
   * failed query): the kind BigQuery answers that reason with.
   */
  public static BigQueryError ofReason(String reason, String message) {
    switch (reason) {
      case "notFound":
        return new BigQueryError(ErrorKind.NOT_FOUND, reason, message);
      case "duplicate":
        return new BigQueryError(ErrorKind.ALREADY_EXISTS, reason, message);
      case "accessDenied":
      case "rateLimitExceeded":
      case "quotaExceeded":
        return new BigQueryError(ErrorKind.PERMISSION_DENIED, reason, message);
      case "backendError":
      case "internalError":
        return new BigQueryError(ErrorKind.INTERNAL, reason, message);
      default:
        return new BigQueryError(ErrorKind.INVALID_ARGUMENT, reason, message);
    }
  }
}
