package dev.bqjobs.transforms;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * A token bucket holding one second of calls: a burst of up to {@code rate} calls passes at once,
 * then calls are spaced {@code 1/rate} apart, and idle time refills the bucket. This is how a
 * per-second quota admits calls (a user idle for a second has the whole second's quota), so a
 * worker starting a run inserts its first second of jobs at once instead of spreading them over
 * that second: the run ends about a second sooner. One instance per JVM and kind of call:
 * BigQuery's quotas are per user, and all shard calls in a JVM share them (N workers may reach N
 * times the rate). Each caller reserves the next free slot under a lock; {@link #acquire} sleeps
 * until it, {@link #reserve} only says how long to wait, so a caller with other work can do it
 * meanwhile.
 */
final class RateLimiter {
  private static final ConcurrentMap<String, RateLimiter> PER_JVM = new ConcurrentHashMap<>();

  /** The slowest a rate-limited limiter goes: one call every two seconds. */
  static final double MIN_PERMITS_PER_SECOND = 0.5;

  private final TimeSource time;
  private final double maxPermitsPerSecond;
  private double permitsPerSecond;
  private double intervalMillis;

  /**
   * Calls that may go at once, at most one second's worth of the current rate; below zero, the
   * slots already reserved ahead of the refill.
   */
  private double tokens;

  private long refilledAtMillis;

  private long lastChangeMillis;

  RateLimiter(double permitsPerSecond, TimeSource time) {
    this.time = time;
    this.maxPermitsPerSecond = permitsPerSecond;
    setRate(permitsPerSecond);
    this.refilledAtMillis = time.nowMillis();
    this.tokens = permitsPerSecond; // full: nothing was called in the last second
  }

  private void setRate(double rate) {
    permitsPerSecond = rate;
    intervalMillis = 1000.0 / rate;
    tokens = Math.min(tokens, rate);
  }

  /**
   * BigQuery answered rateLimitExceeded: the real quota is below our rate (a shared project, other
   * workers). Halve the rate, at most once per second so one burst of refusals does not collapse
   * it; {@link #reserve} recovers it step by step while calls go through.
   */
  synchronized void slowDown() {
    long now = time.nowMillis();
    if (now - lastChangeMillis >= 1000 || permitsPerSecond == maxPermitsPerSecond) {
      setRate(Math.max(MIN_PERMITS_PER_SECOND, permitsPerSecond / 2));
      lastChangeMillis = now;
    }
    tokens = Math.min(tokens, 0); // the quota had no room for a burst
  }

  /** The current rate in calls per second (below the configured one after {@link #slowDown}). */
  synchronized double currentRate() {
    return permitsPerSecond;
  }

  /** The JVM-wide limiter for this kind of call, rate and clock. */
  static RateLimiter perJvm(String kind, double permitsPerSecond, TimeSource time) {
    return PER_JVM.computeIfAbsent(
        kind + "/" + permitsPerSecond + "/" + time, k -> new RateLimiter(permitsPerSecond, time));
  }

  void acquire() throws InterruptedException {
    long waitMillis = reserve();
    if (waitMillis > 0) {
      time.sleepMillis(waitMillis);
    }
  }

  /**
   * Reserves the next free slot and returns the milliseconds until it (0: now). The caller makes
   * its call when that time has come; the slot is its own, so nobody else takes it meanwhile.
   */
  synchronized long reserve() {
    long now = time.nowMillis();
    if (now > refilledAtMillis) {
      // at the rate in force while the time passed, before any recovery below
      tokens = Math.min(permitsPerSecond, tokens + (now - refilledAtMillis) / intervalMillis);
      refilledAtMillis = now;
    }
    if (permitsPerSecond < maxPermitsPerSecond && now - lastChangeMillis >= 1000) {
      // Additive recovery: a tenth of the configured rate back per quiet second.
      setRate(Math.min(maxPermitsPerSecond, permitsPerSecond + maxPermitsPerSecond / 10));
      lastChangeMillis = now;
    }
    tokens -= 1;
    // in debt: this call's slot is when the refill has paid for it
    return tokens >= 0 ? 0 : (long) Math.ceil(-tokens * intervalMillis);
  }
}
