package dev.bqjobs.transforms;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The JVM's {@link ShardRunner}s of checkpointed shards, waiting for the call that resumes them. A
 * resumed call takes its shard's runner when the runner's state is exactly the restriction it was
 * given (same next request, same owed results), so it goes on polling the jobs in flight instead of
 * reattaching to each; any other restriction (a retried or moved piece) builds a new runner.
 */
final class ParkedRunners {
  /** A runner not taken back within this time is dropped: its shard was resumed elsewhere. */
  static final long ABANDON_AFTER_MILLIS = 10 * 60_000;

  private static final class Parked {
    final ShardRunner runner;
    final long since;

    Parked(ShardRunner runner, long since) {
      this.runner = runner;
      this.since = since;
    }
  }

  private static final Map<String, Parked> PARKED = new ConcurrentHashMap<>();

  private ParkedRunners() {}

  /** Parks a checkpointed shard's runner under its transform and shard. */
  static void park(String key, ShardRunner runner, long now) {
    dropStale(now);
    Parked previous = PARKED.put(key, new Parked(runner, now));
    if (previous != null && previous.runner != runner) {
      previous.runner.abandon();
    }
  }

  /** The runner parked for {@code key} if its state is exactly {@code progress}, else null. */
  static @Nullable ShardRunner take(String key, ShardProgress progress) {
    Parked parked = PARKED.remove(key);
    if (parked == null) {
      return null;
    }
    ShardRunner runner = parked.runner;
    if (runner.nextIndex() == progress.next && Arrays.equals(runner.owedIndices(), progress.owed)) {
      return runner;
    }
    runner.abandon();
    return null;
  }

  private static void dropStale(long now) {
    for (Iterator<Parked> it = PARKED.values().iterator(); it.hasNext(); ) {
      Parked parked = it.next();
      if (now - parked.since > ABANDON_AFTER_MILLIS) {
        it.remove();
        parked.runner.abandon();
      }
    }
  }
}
