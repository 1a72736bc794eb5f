package dev.bqjobs.durations;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one duration grammar of the server's flags, the {@code bqjobs} command and the benchmark.
 *
 * <p>A duration is a non-negative number with a unit, {@code ms}, {@code s}, {@code m}, {@code h}
 * or {@code d} ({@code 250ms}, {@code 1.5s}, {@code 30s}, {@code 5m}, {@code 6h}, {@code 1d}; a
 * fraction is rounded to the millisecond), or ISO-8601 ({@code PT1H30M}, {@code P1D}); case and
 * surrounding blanks do not matter. A range is {@code MIN..MAX}, or one duration.
 *
 * <p>A bare number has no meaning: the three copies this grammar replaced read it as milliseconds
 * (the server), seconds (the benchmark) or rejected it (the command), and a value passed from one
 * to another silently changed by a factor of 1,000. Flags that accepted bare numbers before keep
 * accepting them through {@link #parseLegacy} with a deprecation warning.
 */
public final class Durations {
  /** The forms, for help texts and error messages. */
  public static final String FORMS = "250ms, 1.5s, 30s, 5m, 6h, 1d or ISO-8601 such as PT1H30M";

  private static final Pattern WITH_UNIT =
      Pattern.compile("([0-9]+(?:\\.[0-9]+)?|\\.[0-9]+)\\s*(ms|s|m|h|d)");
  private static final Pattern BARE = Pattern.compile("[0-9]+(?:\\.[0-9]+)?|\\.[0-9]+");

  private Durations() {}

  /**
   * Parses one duration.
   *
   * @throws IllegalArgumentException naming the value, for a bare number, a negative duration or
   *     anything else that is not in the grammar
   */
  public static Duration parse(String text) {
    String value = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    Matcher m = WITH_UNIT.matcher(value);
    if (m.matches()) {
      return ofUnits(new BigDecimal(m.group(1)), unit(m.group(2)), text);
    }
    if (BARE.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "\"" + text + "\" is not a duration: a number needs a unit; write e.g. " + FORMS);
    }
    Duration iso;
    try {
      iso = Duration.parse(value.toUpperCase(Locale.ROOT));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "\"" + text + "\" is not a duration; write e.g. 30s, 5m, 6h, 1d or PT1H30M", e);
    }
    if (iso.isNegative()) {
      throw new IllegalArgumentException("\"" + text + "\" is a negative duration");
    }
    return iso;
  }

  /**
   * Parses a range {@code MIN..MAX}, or one duration meaning exactly that long.
   *
   * @throws IllegalArgumentException naming the value, when a bound is not a duration or the
   *     maximum is below the minimum
   */
  public static DurationRange parseRange(String text) {
    return parseRange(text, Durations::parse);
  }

  /**
   * Parses like {@link #parse}, except that a bare number is still read in {@code bareNumberUnit},
   * as a flag did before this grammar: {@code warning} receives a deprecation message naming the
   * value and how to write it. For flags whose old input must keep working; new flags use {@link
   * #parse}.
   */
  public static Duration parseLegacy(
      String text, ChronoUnit bareNumberUnit, String flag, Consumer<String> warning) {
    String value = text == null ? "" : text.trim();
    if (!BARE.matcher(value).matches()) {
      return parse(text);
    }
    Duration duration = ofUnits(new BigDecimal(value), bareNumberUnit, text);
    warning.accept(
        "warning: "
            + flag
            + " "
            + value
            + ": a number without a unit is deprecated and will be rejected; it is read as "
            + format(duration)
            + ", write "
            + value
            + symbol(bareNumberUnit)
            + " instead");
    return duration;
  }

  /** {@link #parseRange} with each bound read by {@link #parseLegacy}. */
  public static DurationRange parseLegacyRange(
      String text, ChronoUnit bareNumberUnit, String flag, Consumer<String> warning) {
    return parseRange(text, bound -> parseLegacy(bound, bareNumberUnit, flag, warning));
  }

  /**
   * A duration in the grammar's shortest exact form, e.g. {@code 1500ms}, {@code 2s}, {@code 5m}.
   */
  public static String format(Duration duration) {
    long millis = duration.toMillis();
    long[] factors = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
    String[] units = {"d", "h", "m", "s"};
    for (int i = 0; i < factors.length; i++) {
      if (millis != 0 && millis % factors[i] == 0) {
        return millis / factors[i] + units[i];
      }
    }
    return millis + "ms";
  }

  private static DurationRange parseRange(
      String text, java.util.function.Function<String, Duration> bound) {
    String value = text == null ? "" : text;
    int dots = value.indexOf("..");
    if (dots < 0) {
      Duration exact = bound.apply(value);
      return DurationRange.of(exact, exact);
    }
    try {
      return DurationRange.of(
          bound.apply(value.substring(0, dots)), bound.apply(value.substring(dots + 2)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "invalid range \"" + text + "\" (write MIN..MAX, e.g. 200ms..2s): " + e.getMessage(), e);
    }
  }

  private static Duration ofUnits(BigDecimal amount, ChronoUnit unit, String text) {
    BigDecimal millis = amount.multiply(BigDecimal.valueOf(unit.getDuration().toMillis()));
    try {
      return Duration.ofMillis(millis.setScale(0, java.math.RoundingMode.HALF_UP).longValueExact());
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("\"" + text + "\" is too long a duration", e);
    }
  }

  private static ChronoUnit unit(String symbol) {
    return switch (symbol) {
      case "ms" -> ChronoUnit.MILLIS;
      case "s" -> ChronoUnit.SECONDS;
      case "m" -> ChronoUnit.MINUTES;
      case "h" -> ChronoUnit.HOURS;
      default -> ChronoUnit.DAYS;
    };
  }

  private static String symbol(ChronoUnit unit) {
    return switch (unit) {
      case MILLIS -> "ms";
      case SECONDS -> "s";
      case MINUTES -> "m";
      case HOURS -> "h";
      case DAYS -> "d";
      default -> throw new IllegalArgumentException("no duration symbol for " + unit);
    };
  }
}
