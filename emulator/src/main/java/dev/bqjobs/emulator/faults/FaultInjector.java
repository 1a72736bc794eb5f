package dev.bqjobs.emulator.faults;

import dev.bqjobs.emulator.errors.BigQueryError;
import dev.bqjobs.emulator.errors.ErrorKind;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Applies the fault plan and the rate quotas to every API call: refuses calls with the errors
 * BigQuery sends (500/503 {@code backendError}, 429/403 {@code rateLimitExceeded}), or lets a call
 * take effect and loses its answer.
 */
public final class FaultInjector {
  /** What becomes of the answer of a call that was let through. */
  public enum Answer {
    /** Sent as the handler made it. */
    NORMAL,
    /** The call takes effect, then the connection closes unanswered. */
    LOST,
    /** The call takes effect, then the client gets 503 backendError. */
    LOST_503
  }

  private volatile FaultPlan plan;
  private volatile RateQuotas quotas;
  private final AtomicLong injected = new AtomicLong();

  public FaultInjector(FaultPlan plan, RateQuotas quotas) {
    this.plan = plan;
    this.quotas = quotas;
  }

  /** Replaces the fault plan at run time (tests switch faults on and off). */
  public void setPlan(FaultPlan plan) {
    this.plan = plan;
  }

  public void setQuotas(RateQuotas quotas) {
    this.quotas = quotas;
  }

  public FaultPlan plan() {
    return plan;
  }

  public RateQuotas quotas() {
    return quotas;
  }

  /** Calls refused or answers lost on purpose so far. */
  public long injectedCount() {
    return injected.get();
  }

  /**
   * Decides the fate of one call of {@code apiMethod} before it runs: throws the error it is
   * refused with, or says what becomes of its answer.
   */
  public Answer before(String apiMethod) {
    if (apiMethod == null || apiMethod.startsWith("emulator.")) {
      return Answer.NORMAL;
    }
    if (!quotas.allow(apiMethod)) {
      throw new BigQueryError(
          ErrorKind.PERMISSION_DENIED,
          "rateLimitExceeded",
          "Exceeded rate limits: too many api requests per user per method for this user_method ("
              + apiMethod
              + "). For more information, see"
              + " https://cloud.google.com/bigquery/docs/troubleshoot-quotas");
    }
    FaultPlan.CallFault fault = plan.nextCall(apiMethod);
    if (fault != FaultPlan.CallFault.NONE) {
      injected.incrementAndGet();
    }
    switch (fault) {
      case HTTP_500:
        throw new BigQueryError(
            ErrorKind.INTERNAL, "backendError", "Backend error. Please try again. (injected)");
      case HTTP_503:
        throw new BigQueryError(
            ErrorKind.UNAVAILABLE,
            "backendError",
            "Service unavailable. Please try again. (injected)");
      case HTTP_429:
        throw new BigQueryError(
            ErrorKind.RESOURCE_EXHAUSTED,
            "rateLimitExceeded",
            "Exceeded rate limits: too many requests. Please retry with backoff. (injected)");
      case HTTP_403:
        throw new BigQueryError(
            ErrorKind.PERMISSION_DENIED,
            "rateLimitExceeded",
            "Exceeded rate limits: too many api requests per user per method for this"
                + " user_method. (injected)");
      case LOST:
        return Answer.LOST;
      case LOST_503:
        return Answer.LOST_503;
      default:
        return Answer.NORMAL;
    }
  }
}
