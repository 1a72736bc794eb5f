package dev.bqjobs.transforms;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A virtual clock: sleeping advances it instantly, so tests never really sleep. Serialisable by ID
 * (DoFns are serialised; the state stays in this JVM). With several threads, time is the latest
 * wake-up any of them asked for.
 */
final class FakeTime implements TimeSource {
  private static final long serialVersionUID = 1L;
  private static final Map<String, AtomicLong> CLOCKS = new ConcurrentHashMap<>();
  private static final Map<String, AtomicLong> SLEEPS = new ConcurrentHashMap<>();

  private final String id = "fake-time-" + UUID.randomUUID();

  FakeTime(long startMillis) {
    CLOCKS.put(id, new AtomicLong(startMillis));
    SLEEPS.put(id, new AtomicLong());
  }

  @Override
  public long nowMillis() {
    return CLOCKS.get(id).get();
  }

  @Override
  public void sleepMillis(long millis) {
    if (millis <= 0) {
      return;
    }
    SLEEPS.get(id).incrementAndGet();
    AtomicLong clock = CLOCKS.get(id);
    long target = clock.get() + millis;
    clock.accumulateAndGet(target, Math::max);
  }

  void advance(long millis) {
    CLOCKS.get(id).addAndGet(millis);
  }

  long sleeps() {
    return SLEEPS.get(id).get();
  }

  @Override
  public String toString() {
    return id;
  }
}
