package dev.bqjobs.emulator.faults;

import dev.bqjobs.emulator.http.ApiException;
import dev.bqjobs.emulator.http.HttpCall;
import dev.bqjobs.emulator.http.Router;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Applies the fault plan and the rate quotas to every API call: refuses calls with the errors
 * BigQuery sends (500/503 {@code backendError}, 429/403 {@code rateLimitExceeded}), or lets a call
 * take effect and loses its answer.
 */
public final class FaultInjector implements Router.Interceptor {
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

  @Override
  public Router.Delivery before(String apiMethod, HttpCall call) {
    if (apiMethod == null || apiMethod.startsWith("emulator.")) {
      return Router.Delivery.NORMAL;
    }
    if (!quotas.allow(apiMethod)) {
      throw new ApiException(
          403,
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
        throw new ApiException(500, "backendError", "Backend error. Please try again. (injected)");
      case HTTP_503:
        throw new ApiException(
            503, "backendError", "Service unavailable. Please try again. (injected)");
      case HTTP_429:
        throw new ApiException(
            429,
            "rateLimitExceeded",
            "Exceeded rate limits: too many requests. Please retry with backoff. (injected)");
      case HTTP_403:
        throw new ApiException(
            403,
            "rateLimitExceeded",
            "Exceeded rate limits: too many api requests per user per method for this"
                + " user_method. (injected)");
      case LOST:
        return Router.Delivery.DROP;
      case LOST_503:
        return Router.Delivery.SERVICE_UNAVAILABLE;
      default:
        return Router.Delivery.NORMAL;
    }
  }
}
