package dev.bqjobs.transforms;

import java.io.Serializable;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;

/** The transform's Beam metrics, namespace {@value #NAMESPACE}. */
final class JobMetrics implements Serializable {
  private static final long serialVersionUID = 1L;

  static final String NAMESPACE = "bqjobs";

  final Counter jobsInserted = Metrics.counter(NAMESPACE, "jobs_inserted");
  final Counter jobsReattached = Metrics.counter(NAMESPACE, "jobs_reattached");
  final Counter jobsSucceeded = Metrics.counter(NAMESPACE, "jobs_succeeded");
  final Counter jobsSucceededWithWarnings =
      Metrics.counter(NAMESPACE, "jobs_succeeded_with_warnings");
  final Counter jobsFailed = Metrics.counter(NAMESPACE, "jobs_failed");
  final Counter requestRetries = Metrics.counter(NAMESPACE, "request_retries");
  final Counter jobReruns = Metrics.counter(NAMESPACE, "job_reruns");
  final Counter polls = Metrics.counter(NAMESPACE, "polls");

  /** Jobs polled at once because the fleet's jobs.list no longer showed them running. */
  final Counter fleetHints = Metrics.counter(NAMESPACE, "fleet_hints");

  final Distribution jobRuntimeMs = Metrics.distribution(NAMESPACE, "job_runtime_ms");

  void countOutcome(JobResult.Outcome outcome) {
    switch (outcome) {
      case SUCCEEDED:
        jobsSucceeded.inc();
        break;
      case SUCCEEDED_WITH_WARNINGS:
        jobsSucceededWithWarnings.inc();
        break;
      case FAILED:
        jobsFailed.inc();
        break;
    }
  }
}
