package dev.bqjobs.transforms;

/**
 * Truncated exponential backoff with jitter. The jitter only spreads calls in time (so many jobs
 * started together do not poll in lockstep); it never feeds into anything a re-executed step must
 * reproduce, such as job IDs.
 */
final class Backoff {
  static final double MULTIPLIER = 1.5;

  /** Each delay is scaled by a factor in [1 - JITTER, 1 + JITTER]. */
  static final double JITTER = 0.2;

  private Backoff() {}

  /**
   * The delay before try {@code n + 1} after {@code n} waits ({@code n = 0} gives about {@code
   * initial}); {@code random} is uniform in [0, 1). Never more than {@code max}.
   */
  static long delayMillis(long initialMillis, long maxMillis, int n, double random) {
    double base = initialMillis * Math.pow(MULTIPLIER, Math.min(n, 60));
    double jittered = Math.min(base, maxMillis) * (1 - JITTER + 2 * JITTER * random);
    return Math.max(1, Math.min(maxMillis, Math.round(jittered)));
  }
}
