package dev.bqjobs.durations;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

@RunWith(JUnit4.class)
public class DurationsTest {
  @Test
  public void everyUnitAndIso() {
    assertEquals(Duration.ofMillis(250), Durations.parse("250ms"));
    assertEquals(Duration.ofSeconds(30), Durations.parse("30s"));
    assertEquals(Duration.ofMinutes(5), Durations.parse("5m"));
    assertEquals(Duration.ofHours(6), Durations.parse("6h"));
    assertEquals(Duration.ofDays(1), Durations.parse("1d"));
    assertEquals(Duration.ofMinutes(90), Durations.parse("PT1H30M"));
    assertEquals(Duration.ofDays(1), Durations.parse("P1D"));
    assertEquals(Duration.ofDays(1), Durations.parse("p1d"));
  }

  @Test
  public void fractionsCaseAndBlanks() {
    assertEquals(Duration.ofMillis(1500), Durations.parse("1.5s"));
    assertEquals(Duration.ofMillis(500), Durations.parse(".5s"));
    assertEquals(Duration.ofMillis(90_000), Durations.parse(" 1.5M "));
    assertEquals(Duration.ofMillis(2), Durations.parse("1.5ms"));
    assertEquals(Duration.ofSeconds(2), Durations.parse("2 s"));
    assertEquals(Duration.ZERO, Durations.parse("0ms"));
  }

  @Test
  public void bareNumberIsRejectedNamingTheValue() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("1500"));
    assertEquals(
        "\"1500\" is not a duration: a number needs a unit; write e.g. " + Durations.FORMS,
        e.getMessage());
  }

  @Test
  public void otherBadValuesAreNamed() {
    assertEquals(
        "\"soon\" is not a duration; write e.g. 30s, 5m, 6h, 1d or PT1H30M",
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("soon")).getMessage());
    assertThrows(IllegalArgumentException.class, () -> Durations.parse("-5s"));
    assertThrows(IllegalArgumentException.class, () -> Durations.parse("5w"));
    assertThrows(IllegalArgumentException.class, () -> Durations.parse(""));
    assertThrows(IllegalArgumentException.class, () -> Durations.parse(null));
    assertEquals(
        "\"PT-1S\" is a negative duration",
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("PT-1S")).getMessage());
    assertThrows(IllegalArgumentException.class, () -> Durations.parse("99999999999999999d"));
  }

  @Test
  public void rangesAndSingleValues() {
    DurationRange range = Durations.parseRange("200ms..2s");
    assertEquals(Duration.ofMillis(200), range.min());
    assertEquals(Duration.ofSeconds(2), range.max());
    assertEquals("200ms..2000ms", range.toString());
    assertEquals(
        DurationRange.of(Duration.ofSeconds(1), Duration.ofSeconds(1)), Durations.parseRange("1s"));
  }

  @Test
  public void badRangesAreNamed() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Durations.parseRange("2s..1s"));
    assertEquals(
        "invalid range \"2s..1s\" (write MIN..MAX, e.g. 200ms..2s): the maximum 1s is below the"
            + " minimum 2s",
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Durations.parseRange("1s..2"));
    assertThrows(IllegalArgumentException.class, () -> Durations.parseRange("1s..2s..3s"));
  }

  @Test
  public void legacyBareNumberIsReadInTheOldUnitWithAWarning() {
    List<String> warnings = new ArrayList<>();
    assertEquals(
        Duration.ofMillis(1500),
        Durations.parseLegacy("1500", ChronoUnit.MILLIS, "--job-runtime", warnings::add));
    assertEquals(
        List.of(
            "warning: --job-runtime 1500: a number without a unit is deprecated and will be"
                + " rejected; it is read as 1500ms, write 1500ms instead"),
        warnings);
  }

  @Test
  public void legacyParsingOfValuesWithUnitsDoesNotWarn() {
    List<String> warnings = new ArrayList<>();
    assertEquals(
        DurationRange.of(Duration.ofSeconds(1), Duration.ofSeconds(2)),
        Durations.parseLegacyRange("1s..2s", ChronoUnit.SECONDS, "--runtime", warnings::add));
    assertTrue(warnings.isEmpty());
  }

  @Test
  public void legacyRangeReadsEachBareBound() {
    List<String> warnings = new ArrayList<>();
    assertEquals(
        DurationRange.of(Duration.ofSeconds(1), Duration.ofMillis(2500)),
        Durations.parseLegacyRange("1..2.5", ChronoUnit.SECONDS, "--runtime", warnings::add));
    assertEquals(2, warnings.size());
    assertTrue(warnings.get(1), warnings.get(1).contains("read as 2500ms, write 2.5s instead"));
  }

  @Test
  public void formatIsTheShortestExactForm() {
    assertEquals("1500ms", Durations.format(Duration.ofMillis(1500)));
    assertEquals("2s", Durations.format(Duration.ofSeconds(2)));
    assertEquals("90s", Durations.format(Duration.ofSeconds(90)));
    assertEquals("6h", Durations.format(Duration.ofHours(6)));
    assertEquals("1d", Durations.format(Duration.ofDays(1)));
    assertEquals("0ms", Durations.format(Duration.ZERO));
    for (String text : List.of("250ms", "30s", "5m", "6h", "1d")) {
      assertEquals(text, Durations.format(Durations.parse(text)));
    }
  }
}
