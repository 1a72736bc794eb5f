package dev.bqjobs.emulator.faults;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Per-method request quotas ({@code --quota jobs.get=1000,jobs.insert=100}, requests per second),
 * as token buckets holding one second of requests: a burst up to the rate passes, the steady rate
 * passes, anything above is refused (the caller answers 403 {@code rateLimitExceeded}).
 */
public final class RateQuotas {
  private final Map<String, Bucket> buckets;
  private final LongSupplier nanoClock;

  private static final class Bucket {
    final double perSecond;
    double tokens;
    long last;

    Bucket(double perSecond, long now) {
      this.perSecond = perSecond;
      this.tokens = perSecond;
      this.last = now;
    }

    synchronized boolean take(long now) {
      tokens = Math.min(perSecond, tokens + (now - last) / 1e9 * perSecond);
      last = now;
      if (tokens >= 1) {
        tokens -= 1;
        return true;
      }
      return false;
    }
  }

  private RateQuotas(Map<String, Double> rates, LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
    this.buckets = new LinkedHashMap<>();
    long now = nanoClock.getAsLong();
    rates.forEach((m, r) -> buckets.put(m, new Bucket(r, now)));
  }

  public static RateQuotas none() {
    return new RateQuotas(Map.of(), System::nanoTime);
  }

  /** Parses {@code method=rate[,method=rate]}; rates are positive requests per second. */
  public static RateQuotas parse(String spec, LongSupplier nanoClock) {
    Map<String, Double> rates = new LinkedHashMap<>();
    if (spec != null && !spec.isBlank()) {
      for (String part : spec.split(",")) {
        String p = part.trim();
        int eq = p.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException(
              "quota \"" + p + "\" needs METHOD=RATE (e.g. jobs.get=1000)");
        }
        String method = p.substring(0, eq).trim();
        try {
          double rate = Double.parseDouble(p.substring(eq + 1).trim());
          if (!(rate > 0) || Double.isInfinite(rate)) {
            throw new NumberFormatException();
          }
          rates.put(method, rate);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              "quota rate in \"" + p + "\" must be a positive number of requests per second");
        }
      }
    }
    return new RateQuotas(rates, nanoClock);
  }

  /** Takes one request of {@code apiMethod} from its quota; false when over the rate. */
  public boolean allow(String apiMethod) {
    Bucket b = apiMethod == null ? null : buckets.get(apiMethod);
    return b == null || b.take(nanoClock.getAsLong());
  }

  public Map<String, Double> rates() {
    Map<String, Double> out = new LinkedHashMap<>();
    buckets.forEach((m, b) -> out.put(m, b.perSecond));
    return out;
  }
}
