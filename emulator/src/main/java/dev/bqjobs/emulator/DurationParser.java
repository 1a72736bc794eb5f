package dev.bqjobs.emulator;

import java.util.Locale;

/** Parses the command line's durations: {@code 250ms}, {@code 2s}, {@code 1.5s}, {@code 3m}. */
final class DurationParser {
  private DurationParser() {}

  /** Milliseconds of a duration; a bare number is milliseconds. */
  static long millis(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    double factor;
    String number;
    if (t.endsWith("ms")) {
      factor = 1;
      number = t.substring(0, t.length() - 2);
    } else if (t.endsWith("s")) {
      factor = 1000;
      number = t.substring(0, t.length() - 1);
    } else if (t.endsWith("m")) {
      factor = 60_000;
      number = t.substring(0, t.length() - 1);
    } else if (t.endsWith("h")) {
      factor = 3_600_000;
      number = t.substring(0, t.length() - 1);
    } else {
      factor = 1;
      number = t;
    }
    try {
      double value = Double.parseDouble(number.trim());
      if (value < 0 || Double.isNaN(value) || Double.isInfinite(value)) {
        throw new NumberFormatException();
      }
      return Math.round(value * factor);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "invalid duration \"" + text + "\" (use e.g. 250ms, 2s, 1.5s, 3m)");
    }
  }

  /** A range {@code MIN..MAX}, or a single duration meaning exactly that long. */
  static long[] range(String text) {
    int dots = text.indexOf("..");
    long min;
    long max;
    if (dots < 0) {
      min = millis(text);
      max = min;
    } else {
      min = millis(text.substring(0, dots));
      max = millis(text.substring(dots + 2));
    }
    if (max < min) {
      throw new IllegalArgumentException(
          "invalid runtime range \"" + text + "\": the maximum is below the minimum");
    }
    return new long[] {min, max};
  }
}
