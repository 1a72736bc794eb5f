package dev.bqjobs.emulator.errors;

/**
 * What kind of refusal an error is, in the canonical terms BigQuery's API is defined in. It is
 * separate from the reason because one reason comes in several kinds (BigQuery answers {@code
 * rateLimitExceeded} both as "denied" and as "exhausted"); the HTTP layer alone turns a kind into a
 * status code.
 */
public enum ErrorKind {
  /** The request is wrong and will stay wrong. */
  INVALID_ARGUMENT,
  /** No valid credentials. */
  UNAUTHENTICATED,
  /** The caller may not do this (or a per-user rate limit refused it, as BigQuery reports it). */
  PERMISSION_DENIED,
  NOT_FOUND,
  ALREADY_EXISTS,
  /** Throttled: retry later with backoff. */
  RESOURCE_EXHAUSTED,
  /** A precondition the caller set did not hold (Cloud Storage's {@code ifGenerationMatch}). */
  FAILED_PRECONDITION,
  /** A byte range outside the object (Cloud Storage's {@code Range} header). */
  OUT_OF_RANGE,
  /** The server failed; the request may be retried. */
  INTERNAL,
  /** The server could not answer now; the request may be retried. */
  UNAVAILABLE
}
