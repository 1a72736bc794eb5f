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

  double boundMillis;
  double ratio;
  double getsPerJob;
  double insertsPerJob;
  double otherCallsPerJob;
  long duplicates;
  long peakHeapBytes;
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
