package dev.bqjobs.benchmarks;

import dev.bqjobs.durations.DurationRange;
import java.time.temporal.ChronoUnit;

/**
 * The benchmark's flags in the shared duration grammar ({@link dev.bqjobs.durations.Durations}),
 * and seconds for its tables.
 */
final class Durations {
  private Durations() {}

  /**
   * Milliseconds in {@code text}; a bare number is still read as seconds, as this benchmark did
   * before the shared grammar, with a deprecation warning on stderr naming {@code flag}.
   */
  static long parseMillis(String flag, String text) {
    return dev.bqjobs.durations.Durations.parseLegacy(
            text, ChronoUnit.SECONDS, flag, System.err::println)
        .toMillis();
  }

  /** A runtime range {@code MIN..MAX} (or one value), as {@code [min, max]} milliseconds. */
  static long[] parseRange(String text) {
    DurationRange range = dev.bqjobs.durations.Durations.parseRange(text);
    return new long[] {range.min().toMillis(), range.max().toMillis()};
  }

  /**
   * {@code --runtime} as explicit milliseconds ({@code 1000ms..2000ms}), read by this benchmark and
   * the server's {@code --job-runtime} alike; a bare number is seconds, with a deprecation warning.
   */
  static String toServerRange(String text) {
    return dev.bqjobs.durations.Durations.parseLegacyRange(
            text, ChronoUnit.SECONDS, "--runtime", System.err::println)
        .toString();
  }

  /** Seconds with one decimal, for tables; empty when unknown. */
  static String seconds(double millis) {
    if (Double.isNaN(millis)) {
      return "";
    }
    return String.format(java.util.Locale.ROOT, "%.1f", millis / 1000.0);
  }
}
