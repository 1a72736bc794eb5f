package dev.bqjobs.durations;

import java.time.Duration;
import java.util.Objects;

/**
 * A closed range of durations, {@code MIN..MAX}; a single duration is the range of exactly that
 * long. Parsed by {@link Durations#parseRange}.
 */
public final class DurationRange {
  private final Duration min;
  private final Duration max;

  private DurationRange(Duration min, Duration max) {
    this.min = min;
    this.max = max;
  }

  /**
   * @throws IllegalArgumentException when {@code max} is below {@code min}, naming both
   */
  public static DurationRange of(Duration min, Duration max) {
    Objects.requireNonNull(min, "min");
    Objects.requireNonNull(max, "max");
    if (max.compareTo(min) < 0) {
      throw new IllegalArgumentException(
          "the maximum "
              + Durations.format(max)
              + " is below the minimum "
              + Durations.format(min));
    }
    return new DurationRange(min, max);
  }

  public Duration min() {
    return min;
  }

  public Duration max() {
    return max;
  }

  /** The range in explicit milliseconds, e.g. {@code 200ms..2000ms}: read the same everywhere. */
  @Override
  public String toString() {
    return min.toMillis() + "ms.." + max.toMillis() + "ms";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DurationRange r && r.min.equals(min) && r.max.equals(max);
  }

  @Override
  public int hashCode() {
    return Objects.hash(min, max);
  }
}
