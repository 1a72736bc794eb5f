package dev.bqjobs.transforms;

import java.util.TreeSet;
import org.apache.beam.sdk.transforms.splittabledofn.RestrictionTracker;
import org.apache.beam.sdk.transforms.splittabledofn.SplitResult;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Tracks one call's work on a shard. Two kinds of position are claimed, both as longs: admitting
 * request {@code i} ({@link #admit}, in order) and emitting request {@code i}'s result ({@link
 * #emit}); {@link #MAY_CONTINUE} claims nothing and only asks whether the call may go on.
 *
 * <p>Only checkpoints split a shard ({@code trySplit(0)}): the residual is the requests not yet
 * admitted plus the results still owed, and every later claim fails, so the call hands its jobs
 * over and returns. Splitting a shard into parts that run at once would break its in-flight budget,
 * so any other fraction is refused. Synchronized: runners take time-based checkpoints from another
 * thread while the call claims.
 *
 * <p>A checkpoint is refused until the call has emitted {@code resultsPerCheckpoint} results. The
 * DirectRunner asks after a second and after every output from the 100th on; checkpointing is there
 * to commit results (it holds a call's outputs until the call returns), and every checkpoint costs
 * the shard a pause: the DirectRunner resumes a step's checkpointed calls only once none of that
 * step's calls is running, so shards that checkpoint wait for each other and their jobs go unpolled
 * meanwhile (measured: resumes came in waves, a shard idle for up to 13 s). A shard with fewer
 * results than that runs in one call.
 */
final class ShardTracker extends RestrictionTracker<ShardProgress, Long>
    implements RestrictionTracker.HasProgress {
  /** Claims nothing: true while no checkpoint has been taken. */
  static final long MAY_CONTINUE = Long.MIN_VALUE;

  private final ShardProgress initial;
  private final long resultsPerCheckpoint;
  private long next;
  private final TreeSet<Long> owed = new TreeSet<>();
  private long emitted;
  private @Nullable ShardProgress primary;

  /**
   * Tracks a call on {@code initial} that accepts a checkpoint only once it has emitted {@code
   * resultsPerCheckpoint} results (0: whenever asked).
   */
  ShardTracker(ShardProgress initial, long resultsPerCheckpoint) {
    this.initial = initial;
    this.resultsPerCheckpoint = resultsPerCheckpoint;
    this.next = initial.next;
    for (long index : initial.owed) {
      owed.add(index);
    }
  }

  /** The position that admits request {@code index}. */
  static long admit(long index) {
    return index;
  }

  /** The position that emits request {@code index}'s result. */
  static long emit(long index) {
    return -index - 2; // never MAY_CONTINUE, never >= 0
  }

  @Override
  public synchronized boolean tryClaim(Long position) {
    if (primary != null) {
      return false;
    }
    long p = position;
    if (p == MAY_CONTINUE) {
      return true;
    }
    if (p >= 0) {
      if (p != next || p >= initial.end) {
        throw new IllegalArgumentException(
            "request " + p + " admitted out of order: next is " + next + " of " + initial.end);
      }
      next++;
      owed.add(p);
      return true;
    }
    long index = -p - 2;
    if (!owed.remove(index)) {
      throw new IllegalArgumentException(
          "result of request " + index + " emitted, but it is not owed by this shard");
    }
    emitted++;
    return true;
  }

  @Override
  public synchronized ShardProgress currentRestriction() {
    return primary != null ? primary : initial;
  }

  @Override
  public synchronized @Nullable SplitResult<ShardProgress> trySplit(double fractionOfRemainder) {
    if (primary != null || fractionOfRemainder != 0 || emitted < resultsPerCheckpoint) {
      return null;
    }
    if (next >= initial.end && owed.isEmpty()) {
      return null; // nothing left to hand over
    }
    long[] stillOwed = owed.stream().mapToLong(Long::longValue).toArray();
    // the call's own part is done once it returns: nothing of it is left
    primary = new ShardProgress(next, next, ShardProgress.NONE);
    return SplitResult.of(primary, new ShardProgress(next, initial.end, stillOwed));
  }

  @Override
  public synchronized void checkDone() throws IllegalStateException {
    if (primary == null && (next < initial.end || !owed.isEmpty())) {
      throw new IllegalStateException(
          "shard ended with requests "
              + next
              + " to "
              + initial.end
              + " not admitted and "
              + owed.size()
              + " results owed");
    }
  }

  @Override
  public IsBounded isBounded() {
    return IsBounded.BOUNDED;
  }

  @Override
  public synchronized Progress getProgress() {
    double total = initial.remaining();
    return Progress.from(emitted, Math.max(0, total - emitted));
  }
}
