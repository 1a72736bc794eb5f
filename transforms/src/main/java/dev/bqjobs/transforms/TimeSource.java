package dev.bqjobs.transforms;

import java.io.Serializable;

/** The clock and the sleep of the poll loop; tests inject a virtual one (no real sleeps). */
interface TimeSource extends Serializable {
  long nowMillis();

  void sleepMillis(long millis) throws InterruptedException;

  /** Wall clock and Thread.sleep. */
  enum System implements TimeSource {
    INSTANCE;

    @Override
    public long nowMillis() {
      return java.lang.System.currentTimeMillis();
    }

    @Override
    public void sleepMillis(long millis) throws InterruptedException {
      if (millis > 0) {
        Thread.sleep(millis);
      }
    }
  }
}
