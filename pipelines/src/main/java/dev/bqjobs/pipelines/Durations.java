package dev.bqjobs.pipelines;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.joda.time.Duration;
import org.joda.time.Period;

/** Parses durations as users write them: {@code 30s}, {@code 5m}, {@code 6h}, or ISO-8601. */
final class Durations {
  private static final Pattern SHORT = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  private Durations() {}

  /**
   * {@code 250ms}, {@code 30s}, {@code 5m}, {@code 6h}, {@code 1d}, or ISO-8601 ({@code PT1H30M},
   * {@code P1D}); must be positive.
   *
   * @throws IllegalArgumentException naming the value
   */
  static Duration parse(String text) {
    String value = text == null ? "" : text.trim();
    Duration duration;
    Matcher m = SHORT.matcher(value.toLowerCase(Locale.ROOT));
    try {
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        duration =
            switch (m.group(2)) {
              case "ms" -> Duration.millis(n);
              case "s" -> Duration.standardSeconds(n);
              case "m" -> Duration.standardMinutes(n);
              case "h" -> Duration.standardHours(n);
              default -> Duration.standardDays(n);
            };
      } else {
        duration = Period.parse(value.toUpperCase(Locale.ROOT)).toStandardDuration();
      }
    } catch (IllegalArgumentException | UnsupportedOperationException | ArithmeticException e) {
      throw new IllegalArgumentException(
          "\"" + text + "\" is not a duration; write e.g. 30s, 5m, 6h, 1d or PT1H30M", e);
    }
    if (duration.getMillis() <= 0) {
      throw new IllegalArgumentException("\"" + text + "\" is not a positive duration");
    }
    return duration;
  }
}
