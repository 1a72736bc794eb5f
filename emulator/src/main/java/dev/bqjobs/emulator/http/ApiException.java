package dev.bqjobs.emulator.http;

import dev.bqjobs.emulator.errors.BigQueryError;
import dev.bqjobs.emulator.errors.ErrorKind;

/**
 * An error answered in BigQuery's envelope: {@code {"error": {"code", "message", "errors":
 * [{"domain": "global", "reason", "message"}], "status"}}}, with its HTTP status. The layers below
 * throw the neutral {@link BigQueryError}; {@link #from} is the one place that gives each kind its
 * status code. The HTTP layer throws this type itself only for what is HTTP's alone: malformed
 * requests (through the same mapping) and 405, 413.
 */
public final class ApiException extends RuntimeException {
  private final int code;
  private final String reason;
  private final String location;

  public ApiException(int code, String reason, String message) {
    this(code, reason, message, null);
  }

  private ApiException(int code, String reason, String message, String location) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.location = location;
  }

  /** The answer to a request that failed with {@code error}. */
  public static ApiException from(BigQueryError error) {
    return new ApiException(
        statusOf(error.kind()), error.reason(), error.getMessage(), error.location());
  }

  /** The HTTP status BigQuery answers each kind of error with. */
  static int statusOf(ErrorKind kind) {
    switch (kind) {
      case INVALID_ARGUMENT:
        return 400;
      case UNAUTHENTICATED:
        return 401;
      case PERMISSION_DENIED:
        return 403;
      case NOT_FOUND:
        return 404;
      case ALREADY_EXISTS:
        return 409;
      case RESOURCE_EXHAUSTED:
        return 429;
      case FAILED_PRECONDITION:
        return 412;
      case OUT_OF_RANGE:
        return 416;
      case UNAVAILABLE:
        return 503;
      case INTERNAL:
      default:
        return 500;
    }
  }

  /** The field or argument at fault (errors[].location), or null. */
  public String location() {
    return location;
  }

  public int code() {
    return code;
  }

  public String reason() {
    return reason;
  }

  /** 400 {@code invalid} for what the HTTP layer itself refuses (query strings, bodies). */
  public static ApiException invalid(String message) {
    return from(BigQueryError.invalid(message));
  }

  /** 404 {@code notFound} for a URL no route serves. */
  public static ApiException notFound(String message) {
    return from(BigQueryError.notFound(message));
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
      case 416:
        return "OUT_OF_RANGE";
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
