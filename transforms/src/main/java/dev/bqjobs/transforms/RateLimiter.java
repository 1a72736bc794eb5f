package dev.bqjobs.transforms;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Spaces calls at least {@code 1/rate} apart. One instance per JVM and kind of call: BigQuery's
 * quotas are per user, and all shard calls in a JVM share them (N workers may reach N times the
 * rate). Each caller reserves the next free slot under a lock; {@link #acquire} sleeps until it,
 * {@link #reserve} only says how long to wait, so a caller with other work can do it meanwhile.
 */
final class RateLimiter {
  private static final ConcurrentMap<String, RateLimiter> PER_JVM = new ConcurrentHashMap<>();

  private final TimeSource time;
  private final double intervalMillis;
  private double nextFreeMillis = Double.NEGATIVE_INFINITY;

  RateLimiter(double permitsPerSecond, TimeSource time) {
    this.time = time;
    this.intervalMillis = 1000.0 / permitsPerSecond;
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
    double slot = Math.max(now, nextFreeMillis);
    nextFreeMillis = slot + intervalMillis;
    return (long) Math.ceil(slot - now);
  }
}
