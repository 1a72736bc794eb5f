package dev.bqjobs.transforms;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.equalTo;

import org.junit.Test;

/**
 * Bursts, spacing, reservations, and the slow-down after BigQuery's rateLimitExceeded, on a fake
 * clock.
 */
public class RateLimiterTest {
  @Test
  public void aSecondsWorthGoesAtOnceThenReservationsAreSpacedByTheRate() {
    FakeTime time = new FakeTime(0);
    RateLimiter limiter = new RateLimiter(10, time);
    for (int i = 0; i < 10; i++) {
      assertThat("call " + i + " of the first second's burst", limiter.reserve(), equalTo(0L));
    }
    assertThat(limiter.reserve(), equalTo(100L));
    assertThat(limiter.reserve(), equalTo(200L));
    time.advance(1000); // the reserved slots were used, 8 of the second refilled
    for (int i = 0; i < 8; i++) {
      assertThat(limiter.reserve(), equalTo(0L));
    }
    assertThat(limiter.reserve(), equalTo(100L));
  }

  @Test
  public void neverMoreThanTheRatePlusOneSecondsBurstInAnyInterval() {
    // The server's quota is a token bucket of one second: rate R admits R + R * t calls in t.
    FakeTime time = new FakeTime(0);
    RateLimiter limiter = new RateLimiter(95, time);
    int calls = 0;
    while (time.nowMillis() < 5_000) {
      time.advance(limiter.reserve()); // a caller calls when its slot comes
      calls++;
      assertThat(
          calls + " calls by " + time.nowMillis() + " ms",
          calls <= 95 + 95 * time.nowMillis() / 1000.0 + 1e-9,
          equalTo(true));
    }
    assertThat((double) calls, closeTo(95 + 95 * 5, 1));
  }

  @Test
  public void aRefusalEmptiesTheBucket() {
    FakeTime time = new FakeTime(0);
    RateLimiter limiter = new RateLimiter(10, time);
    limiter.slowDown(); // 5 per second from now on, and no burst
    assertThat(limiter.reserve(), equalTo(200L));
    assertThat(limiter.reserve(), equalTo(400L));
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
