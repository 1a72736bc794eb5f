package dev.bqjobs.benchmarks;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The arithmetic behind every reported figure, kept apart from the measuring so it can be tested
 * alone.
 */
final class Figures {
  /** A declared rerun of a job under a derived ID ({@code <base>-r2}, {@code -r3}, ...). */
  private static final Pattern RERUN_SUFFIX = Pattern.compile("-r[0-9]+$");

  private Figures() {}

  /**
   * The shortest time any client could need: {@code max(max_i r_i, sum_i r_i / cap)} over the
   * runtimes the server scheduled. No schedule beats the longest job, nor the total work spread
   * perfectly over {@code cap} slots.
   */
  static double lowerBoundMillis(Collection<Long> runtimesMillis, int cap) {
    if (cap < 1) {
      throw new IllegalArgumentException("cap must be at least 1: " + cap);
    }
    long max = 0;
    double sum = 0;
    for (long r : runtimesMillis) {
      max = Math.max(max, r);
      sum += r;
    }
    return Math.max(max, sum / cap);
  }

  /**
   * The shortest time a client that respects the per-user insert quota could need: {@code max(max
   * r, sum r / cap, (N - 1) / Q + min r)}, Q the jobs.insert quota in requests per second. Job N
   * cannot start before {@code (N - 1) / Q}, nor end before the shortest runtime after that. An
   * infinite Q gives {@link #lowerBoundMillis}.
   */
  static double quotaBoundMillis(
      Collection<Long> runtimesMillis, int cap, double insertsPerSecond) {
    double bound = lowerBoundMillis(runtimesMillis, cap);
    if (runtimesMillis.isEmpty()
        || !(insertsPerSecond > 0)
        || Double.isInfinite(insertsPerSecond)) {
      return bound;
    }
    long min = Long.MAX_VALUE;
    for (long r : runtimesMillis) {
      min = Math.min(min, r);
    }
    return Math.max(bound, (runtimesMillis.size() - 1) * 1000.0 / insertsPerSecond + min);
  }

  /** The share of the server's slots busy over {@code spanMillis}: {@code sum r / (cap * span)}. */
  static double utilisation(Collection<Long> runtimesMillis, int cap, double spanMillis) {
    if (!(spanMillis > 0)) {
      return Double.NaN;
    }
    double sum = 0;
    for (long r : runtimesMillis) {
      sum += r;
    }
    return sum / (cap * spanMillis);
  }

  /** Wall time over the lower bound; 1.0 is perfect. */
  static double ratio(double wallMillis, double boundMillis) {
    return boundMillis <= 0 ? Double.NaN : wallMillis / boundMillis;
  }

  /** A count spread over the jobs, e.g. jobs.get calls per job. */
  static double perJob(long count, int jobs) {
    return jobs <= 0 ? Double.NaN : (double) count / jobs;
  }

  /**
   * The wall time a sampled run would have taken at full size. Sampled contenders keep a fixed
   * number of jobs in flight (one per shard), so their time grows linearly with the job count.
   */
  static double scaleToFull(double sampleWallMillis, int sampleJobs, int fullJobs) {
    return sampleWallMillis * fullJobs / sampleJobs;
  }

  /** How many times longer {@code otherWall} is than {@code ourWall}. */
  static double speedup(double otherWallMillis, double ourWallMillis) {
    return ourWallMillis <= 0 ? Double.NaN : otherWallMillis / ourWallMillis;
  }

  /**
   * How many jobs to run so the run fits in {@code capMillis}: all of them when the estimate fits,
   * otherwise a proportional share rounded down to whole waves of {@code shards} jobs (at least one
   * wave), so every shard gets the same count and concurrency stays what it is at full size.
   */
  static int sampleSize(int jobs, int shards, double estimatedMillis, double capMillis) {
    if (estimatedMillis <= capMillis) {
      return jobs;
    }
    int n = (int) Math.floor(jobs * capMillis / estimatedMillis);
    n = (n / shards) * shards;
    return Math.min(jobs, Math.max(shards, n));
  }

  /**
   * Executions beyond one per request, from the server's {@code executionsPerJob} (job ID to
   * count). A job ID executed twice is one duplicate; a request that got more base job IDs than
   * there were requests counts too. Declared reruns ({@code -rN} IDs) are not duplicates, but a
   * rerun ID executed twice is.
   */
  static long duplicates(Map<String, Integer> executionsPerJob, int requests) {
    long duplicates = 0;
    Map<String, Integer> baseIds = new HashMap<>();
    for (Map.Entry<String, Integer> e : executionsPerJob.entrySet()) {
      duplicates += Math.max(0, e.getValue() - 1);
      if (!RERUN_SUFFIX.matcher(e.getKey()).find()) {
        baseIds.merge(e.getKey(), 1, Integer::sum);
      }
    }
    duplicates += Math.max(0, baseIds.size() - requests);
    return duplicates;
  }

  /** Growth of {@code value} from one scale to another, per unit of growth in the job count. */
  static double growthPerJob(double smallValue, int smallJobs, double largeValue, int largeJobs) {
    return (largeValue - smallValue) / (largeJobs - smallJobs);
  }
}
