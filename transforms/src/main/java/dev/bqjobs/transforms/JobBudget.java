package dev.bqjobs.transforms;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The in-flight budget one transform's shards share in a JVM. Each shard owns its share of the
 * transform's jobs in flight ({@code (maxConcurrentJobs + maxQueuedJobs) / shards}) and fills it
 * while it has requests. Once a shard has admitted its last request, every slot of its share that
 * it no longer uses is lent here, and shards that still have requests borrow them, so a shard that
 * ends early hands its slots to the others instead of leaving them idle through the stragglers.
 *
 * <p>The transform's cap holds: a borrowed slot is always one that an exhausted shard gave up for
 * good (an exhausted shard never admits again), so the jobs in flight over all shards never exceed
 * the sum of their shares. A shard re-executed by the runner starts with its full share again, as
 * it would without sharing.
 */
final class JobBudget {
  private static final ConcurrentMap<String, JobBudget> PER_JVM = new ConcurrentHashMap<>();

  private final boolean shared;

  /** Slots given up by exhausted shards, ever. */
  private long lent;

  /** Of those, the ones in use by other shards now. */
  private long borrowed;

  private JobBudget(boolean shared) {
    this.shared = shared;
  }

  /** The budget of one transform instance in this JVM (keyed by an ID drawn at construction). */
  static JobBudget perJvm(String transformId) {
    return PER_JVM.computeIfAbsent(transformId, k -> new JobBudget(true));
  }

  /** A budget nobody shares: a shard keeps exactly its own share (as before sharing). */
  static JobBudget unshared() {
    return new JobBudget(false);
  }

  /** Whether other shards may lend slots here (worth checking for while waiting). */
  boolean shared() {
    return shared;
  }

  /** An exhausted shard gives up {@code slots} of its share for good. */
  synchronized void lend(int slots) {
    if (slots < 0) {
      throw new IllegalArgumentException("cannot lend " + slots + " slots");
    }
    if (shared) {
      lent += slots;
    }
  }

  /** Takes one lent slot, if any is free. */
  synchronized boolean tryBorrow() {
    if (borrowed < lent) {
      borrowed++;
      return true;
    }
    return false;
  }

  /** A borrowed slot's job ended: the slot is free for any shard again. */
  synchronized void giveBack() {
    if (borrowed <= 0) {
      throw new IllegalStateException("no borrowed slot to give back");
    }
    borrowed--;
  }

  /** Lent slots not in use now. */
  synchronized long free() {
    return lent - borrowed;
  }
}
