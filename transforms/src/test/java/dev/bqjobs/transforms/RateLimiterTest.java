package dev.bqjobs.transforms;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.equalTo;

import org.junit.Test;

/** Spacing, reservations, and the slow-down after BigQuery's rateLimitExceeded, on a fake clock. */
public class RateLimiterTest {
  @Test
  public void reservationsAreSpacedByTheRate() {
    FakeTime time = new FakeTime(0);
    RateLimiter limiter = new RateLimiter(10, time);
    assertThat(limiter.reserve(), equalTo(0L));
    assertThat(limiter.reserve(), equalTo(100L));
    assertThat(limiter.reserve(), equalTo(200L));
    time.advance(1000);
    assertThat(limiter.reserve(), equalTo(0L));
  }

  @Test
  public void slowsDownOnRateLimitsAtMostOncePerSecondAndRecoversStepByStep() {
    FakeTime time = new FakeTime(0);
    RateLimiter limiter = new RateLimiter(80, time);
    limiter.slowDown();
    limiter.slowDown(); // the same burst of refusals: no second halving within the second
    assertThat(limiter.currentRate(), closeTo(40, 1e-9));
    time.advance(1000);
    limiter.slowDown();
    assertThat(limiter.currentRate(), closeTo(20, 1e-9));
    for (int i = 0; i < 10; i++) {
      limiter.slowDown();
      time.advance(1000);
    }
    assertThat(limiter.currentRate(), closeTo(RateLimiter.MIN_PERMITS_PER_SECOND, 1e-9));
    // Quiet seconds give back a tenth of the configured rate each, up to the configured rate.
    time.advance(1000);
    limiter.reserve();
    assertThat(limiter.currentRate(), closeTo(8.5, 1e-9));
    for (int i = 0; i < 20; i++) {
      time.advance(1000);
      limiter.reserve();
    }
    assertThat(limiter.currentRate(), closeTo(80, 1e-9));
  }
}
