package dev.bqjobs.emulator.http;

/**
 * An error answered in BigQuery's envelope: {@code {"error": {"code", "message", "errors":
 * [{"domain": "global", "reason", "message"}], "status"}}}. Handlers throw it; the router turns it
 * into the HTTP response, so every error a client sees has the shape real BigQuery uses.
 */
public final class ApiException extends RuntimeException {
  private final int code;
  private final String reason;

  public ApiException(int code, String reason, String message) {
    super(message);
    this.code = code;
    this.reason = reason;
  }

  public int code() {
    return code;
  }

  public String reason() {
    return reason;
  }

  public static ApiException invalid(String message) {
    return new ApiException(400, "invalid", message);
  }

  public static ApiException invalidQuery(String message) {
    return new ApiException(400, "invalidQuery", message);
  }

  public static ApiException required(String message) {
    return new ApiException(400, "required", message);
  }

  public static ApiException notFound(String message) {
    return new ApiException(404, "notFound", message);
  }

  public static ApiException duplicate(String message) {
    return new ApiException(409, "duplicate", message);
  }

  public static ApiException resourceInUse(String message) {
    return new ApiException(400, "resourceInUse", message);
  }

  /** The canonical gRPC-style status name BigQuery puts beside the numeric code. */
  public static String statusName(int code) {
    switch (code) {
      case 400:
        return "INVALID_ARGUMENT";
      case 401:
        return "UNAUTHENTICATED";
      case 403:
        return "PERMISSION_DENIED";
      case 404:
        return "NOT_FOUND";
      case 405:
        return "METHOD_NOT_ALLOWED";
      case 409:
        return "ALREADY_EXISTS";
      case 413:
        return "INVALID_ARGUMENT";
      case 429:
        return "RESOURCE_EXHAUSTED";
      case 501:
        return "UNIMPLEMENTED";
      case 503:
        return "UNAVAILABLE";
      default:
        return code >= 500 ? "INTERNAL" : "FAILED_PRECONDITION";
    }
  }
}
