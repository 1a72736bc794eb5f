package dev.bqjobs.pipelines;

import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;

/**
 * A snapshot of the transform's Beam metrics (namespace {@code bqjobs}), read from a running
 * pipeline. On the DirectRunner and the SparkRunner attempted metrics are live while it runs; a
 * runner that cannot report them yet gives zeros until it can.
 *
 * @param total entries in the jobs file
 * @param submitted jobs inserted or reattached (each rerun attempt counts once more)
 * @param reruns job reruns after retryable failures
 * @param succeeded results that succeeded
 * @param warnings results that succeeded with warnings
 * @param failed results that failed (entries refused before any call included)
 */
record JobCounts(
    long total, long submitted, long reruns, long succeeded, long warnings, long failed) {

  static final String NAMESPACE = "bqjobs";

  long done() {
    return succeeded + warnings + failed;
  }

  /**
   * Jobs in flight: submitted attempts not yet ended. An estimate: requests refused before insert
   * count as done without ever being submitted, which can only make it smaller.
   */
  long running() {
    return Math.max(0, Math.min(total - done(), submitted - reruns - done()));
  }

  /**
   * Reads the counters; {@code preFailed} entries never reached the transform (their configuration
   * could not be sent) and are added to the failed count.
   */
  static JobCounts read(PipelineResult result, long total, long preFailed) {
    long inserted = 0;
    long reattached = 0;
    long reruns = 0;
    long succeeded = 0;
    long warnings = 0;
    long failed = preFailed;
    MetricQueryResults metrics;
    try {
      metrics =
          result
              .metrics()
              .queryMetrics(
                  MetricsFilter.builder()
                      .addNameFilter(MetricNameFilter.inNamespace(NAMESPACE))
                      .build());
    } catch (RuntimeException e) {
      // Some runners refuse metric queries before the job is submitted: no progress yet.
      return new JobCounts(total, 0, 0, 0, 0, preFailed);
    }
    for (MetricResult<Long> counter : metrics.getCounters()) {
      long value = value(counter);
      switch (counter.getName().getName()) {
        case "jobs_inserted" -> inserted += value;
        case "jobs_reattached" -> reattached += value;
        case "job_reruns" -> reruns += value;
        case "jobs_succeeded" -> succeeded += value;
        case "jobs_succeeded_with_warnings" -> warnings += value;
        case "jobs_failed" -> failed += value;
        default -> {}
      }
    }
    return new JobCounts(total, inserted + reattached, reruns, succeeded, warnings, failed);
  }

  private static long value(MetricResult<Long> counter) {
    try {
      Long attempted = counter.getAttempted();
      return attempted == null ? 0 : attempted;
    } catch (UnsupportedOperationException e) {
      Long committed = counter.getCommitted();
      return committed == null ? 0 : committed;
    }
  }

  /** The progress line, e.g. {@code 6 jobs: 6 submitted, 2 running, 4 done (3 ok / 0 ...)}. */
  String line() {
    return total
        + " jobs: "
        + submitted
        + " submitted, "
        + running()
        + " running, "
        + done()
        + " done ("
        + succeeded
        + " succeeded / "
        + warnings
        + " warnings / "
        + failed
        + " failed)";
  }
}
