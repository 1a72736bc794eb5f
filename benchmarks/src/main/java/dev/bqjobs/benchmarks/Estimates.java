package dev.bqjobs.benchmarks;

/**
 * Rough run times, only to decide before a run whether a contender must be sampled to fit the time
 * cap. They need not be accurate: the reported figures are measured.
 */
final class Estimates {
  /** bqjobs' default jobs.insert rate (per JVM). */
  private static final double BQJOBS_DEFAULT_INSERTS_PER_SECOND = 98;

  private Estimates() {}

  static double millis(String contender, int jobs, long[] range, BenchConfig c) {
    double mean = (range[0] + range[1]) / 2.0;
    double bound = Math.max(range[1], jobs * mean / c.serverCap);
    // One job at a time per shard, shards running as the runner's threads allow.
    int concurrent = Math.min(c.shards, c.effectiveParallelism());
    double waves = Math.ceil((double) jobs / concurrent);
    switch (contender) {
      // Per-job overheads measured on a loaded 2-core machine (insert, scheduling, DirectRunner).
      case "naive":
        return waves * (meanWholeSecondsAtLeastOne(range) + 800);
      case "client":
        return waves * (mean + 500);
      case "bqjobs":
        double rate =
            c.bqjobsInsertsPerSecond != null
                ? c.bqjobsInsertsPerSecond
                : BQJOBS_DEFAULT_INSERTS_PER_SECOND;
        return Math.max(bound * 1.5, jobs * 1000 / rate) + 5_000;
      default:
        return bound * 1.5 + 5_000;
    }
  }

  /** Mean of a runtime rounded up to whole seconds (at least one): sleep 1 s, then poll. */
  static double meanWholeSecondsAtLeastOne(long[] range) {
    int steps = 1000;
    double sum = 0;
    for (int i = 0; i < steps; i++) {
      double r = range[0] + (range[1] - range[0]) * (i + 0.5) / steps;
      sum += Math.max(1, Math.ceil(r / 1000.0)) * 1000;
    }
    return sum / steps;
  }
}
