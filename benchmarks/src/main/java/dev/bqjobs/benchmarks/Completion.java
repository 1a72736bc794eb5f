package dev.bqjobs.benchmarks;

import java.io.Serializable;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;

/**
 * Counters every contender bumps as its jobs end, read from the pipeline result to check that each
 * request really finished (a fast run that lost jobs must not look good).
 */
final class Completion implements Serializable {
  private static final long serialVersionUID = 1L;

  static final String NAMESPACE = "bench";
  static final String SUCCEEDED = "succeeded";
  static final String FAILED = "failed";

  private final Counter succeeded = Metrics.counter(NAMESPACE, SUCCEEDED);
  private final Counter failed = Metrics.counter(NAMESPACE, FAILED);

  void succeeded() {
    succeeded.inc();
  }

  void failed() {
    failed.inc();
  }
}
