package dev.bqjobs.transforms;

import java.io.Serializable;
import org.checkerframework.checker.nullness.qual.Nullable;

/** The numbers a shard's run loop works with; made from the transform's options. */
final class RunSettings implements Serializable {
  private static final long serialVersionUID = 1L;

  final int maxInFlight;
  final long pollInitialMillis;
  final long pollMaxMillis;
  final long jobTimeoutMillis;
  final int maxJobAttempts;
  final double insertsPerSecond;
  final double getsPerSecond;

  /** Consecutive transient failures of one request before the job is given up (FAILED). */
  final int maxRequestAttempts;

  final long requestBackoffInitialMillis;
  final long requestBackoffMaxMillis;

  /** jobs.get answering 404 after a successful insert: how often to believe it is a lag. */
  final int maxNotFound;

  /** How long to keep polling a cancelled job that does not reach DONE. */
  final long cancelGraceMillis;

  /** Drop the query plan and timeline from each result's job (see withLeanResults). */
  final boolean leanResults;

  /**
   * Names the JVM-wide {@link JobBudget} the transform's shards share (drawn once per transform at
   * construction); null: each shard keeps exactly its own share.
   */
  final @Nullable String budgetId;

  /**
   * Of {@link #maxInFlight}, the slots that only queue behind BigQuery's running jobs ({@code
   * withMaxQueuedJobs}' share): the part a shard gives up while inserts are refused.
   */
  final int queuedShare;

  RunSettings(
      int maxInFlight,
      long pollInitialMillis,
      long pollMaxMillis,
      long jobTimeoutMillis,
      int maxJobAttempts,
      double insertsPerSecond,
      double getsPerSecond) {
    this(
        maxInFlight,
        pollInitialMillis,
        pollMaxMillis,
        jobTimeoutMillis,
        maxJobAttempts,
        insertsPerSecond,
        getsPerSecond,
        8,
        1_000,
        32_000,
        5,
        10 * 60_000,
        false,
        null,
        0);
  }

  private RunSettings(
      int maxInFlight,
      long pollInitialMillis,
      long pollMaxMillis,
      long jobTimeoutMillis,
      int maxJobAttempts,
      double insertsPerSecond,
      double getsPerSecond,
      int maxRequestAttempts,
      long requestBackoffInitialMillis,
      long requestBackoffMaxMillis,
      int maxNotFound,
      long cancelGraceMillis,
      boolean leanResults,
      @Nullable String budgetId,
      int queuedShare) {
    if (queuedShare < 0 || queuedShare >= Math.max(1, maxInFlight)) {
      throw new IllegalArgumentException(
          "queued share " + queuedShare + " must be in [0, maxInFlight " + maxInFlight + ")");
    }
    this.maxInFlight = maxInFlight;
    this.pollInitialMillis = pollInitialMillis;
    this.pollMaxMillis = pollMaxMillis;
    this.jobTimeoutMillis = jobTimeoutMillis;
    this.maxJobAttempts = maxJobAttempts;
    this.insertsPerSecond = insertsPerSecond;
    this.getsPerSecond = getsPerSecond;
    this.maxRequestAttempts = maxRequestAttempts;
    this.requestBackoffInitialMillis = requestBackoffInitialMillis;
    this.requestBackoffMaxMillis = requestBackoffMaxMillis;
    this.maxNotFound = maxNotFound;
    this.cancelGraceMillis = cancelGraceMillis;
    this.leanResults = leanResults;
    this.budgetId = budgetId;
    this.queuedShare = queuedShare;
  }

  RunSettings withLeanResults(boolean lean) {
    return with(lean, budgetId, queuedShare);
  }

  /** Shares the in-flight budget with the transform's other shards in the JVM (see JobBudget). */
  RunSettings withSharedBudget(@Nullable String id) {
    return with(leanResults, id, queuedShare);
  }

  /** How many of {@link #maxInFlight} are queue allowance (see {@link #queuedShare}). */
  RunSettings withQueuedShare(int slots) {
    return with(leanResults, budgetId, slots);
  }

  private RunSettings with(boolean lean, @Nullable String budget, int queued) {
    return new RunSettings(
        maxInFlight,
        pollInitialMillis,
        pollMaxMillis,
        jobTimeoutMillis,
        maxJobAttempts,
        insertsPerSecond,
        getsPerSecond,
        maxRequestAttempts,
        requestBackoffInitialMillis,
        requestBackoffMaxMillis,
        maxNotFound,
        cancelGraceMillis,
        lean,
        budget,
        queued);
  }
}
