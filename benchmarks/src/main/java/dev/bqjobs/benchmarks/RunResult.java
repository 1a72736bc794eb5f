package dev.bqjobs.benchmarks;

import org.checkerframework.checker.nullness.qual.Nullable;

/** One contender's figures at one size; see {@link Figures} for how each is computed. */
final class RunResult {
  String contender;
  int fullJobs;
  int ranJobs;
  boolean sampled;

  /** From the server's first jobs.insert to the pipeline's end, for the jobs that ran. */
  double wallMillis;

  /** {@link #wallMillis} scaled to {@link #fullJobs} when sampled. */
  double scaledWallMillis;

  /** From {@code Pipeline.run()} to the server's first jobs.insert. */
  double startupMillis;

  /** From the first creation to the last job's end, as the server saw them. */
  double serverSpanMillis;

  /** From the first jobs.insert to the last, as the server saw them. */
  double lastInsertMillis;

  /**
   * Work done over work possible: {@code sum r / (cap * server span)}. Below 1 means slots stood
   * idle: the client was late to notice a job's end or to start the next.
   */
  double utilisation;

  double boundMillis;
  double ratio;

  /** {@link Figures#quotaBoundMillis}, and wall time over it. */
  double quotaBoundMillis;

  double quotaRatio;
  double getsPerJob;

  /** jobs.list calls per job (the contender's own; the benchmark's reading is not counted). */
  double listsPerJob;

  /** Every API request the contender made (any method, any answer), per job. */
  double callsPerJob;

  double insertsPerJob;
  double otherCallsPerJob;
  long duplicates;

  /** CPU time this JVM (the client) used during the run. */
  long clientCpuMillis;

  /** CPU time the server process used during the run. */
  long serverCpuMillis;

  long peakHeapBytes;

  /** The most heap still in use right after a collection: the live set, garbage excluded. */
  long peakLiveHeapBytes;

  long succeeded;
  long failed;
  @Nullable String error;

  String status() {
    if (error != null) {
      return "error: " + error;
    }
    if (succeeded + failed != ranJobs) {
      return "incomplete: " + (succeeded + failed) + " of " + ranJobs + " results";
    }
    return failed == 0 ? "ok" : failed + " failed";
  }
}
