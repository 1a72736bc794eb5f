package dev.bqjobs.benchmarks;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the duration syntax the local server uses ({@code 500ms}, {@code 2.5s}, {@code 3m}). */
final class Durations {
  private static final Pattern DURATION =
      Pattern.compile("\\s*([0-9]+(?:\\.[0-9]+)?)\\s*(ms|s|m|h)?\\s*");

  private Durations() {}

  /** Milliseconds in {@code text}; a bare number is seconds. */
  static long parseMillis(String text) {
    Matcher m = DURATION.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "not a duration: \"" + text + "\" (expected e.g. 500ms, 2s, 10m)");
    }
    double value = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    switch (unit) {
      case "ms":
        return Math.round(value);
      case "s":
        return Math.round(value * 1_000);
      case "m":
        return Math.round(value * 60_000);
      default:
        return Math.round(value * 3_600_000);
    }
  }

  /** A runtime range {@code MIN..MAX} (or one value), as {@code [min, max]} milliseconds. */
  static long[] parseRange(String text) {
    String[] parts = text.split("\\.\\.", -1);
    if (parts.length > 2) {
      throw new IllegalArgumentException("not a range: \"" + text + "\" (expected MIN..MAX)");
    }
    long min = parseMillis(parts[0]);
    long max = parts.length == 2 ? parseMillis(parts[1]) : min;
    if (max < min) {
      throw new IllegalArgumentException("range " + text + ": MAX is below MIN");
    }
    return new long[] {min, max};
  }

  /**
   * The range for the server's {@code --job-runtime}, in explicit milliseconds: the server reads a
   * bare number as milliseconds while this benchmark reads it as seconds, so passing the user's
   * text through would make the server draw other runtimes than the estimates assume.
   */
  static String toServerRange(String text) {
    long[] range = parseRange(text);
    return range[0] + "ms.." + range[1] + "ms";
  }

  /** Seconds with one decimal, for tables; empty when unknown. */
  static String seconds(double millis) {
    if (Double.isNaN(millis)) {
      return "";
    }
    return String.format(java.util.Locale.ROOT, "%.1f", millis / 1000.0);
  }
}
