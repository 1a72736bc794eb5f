package dev.bqjobs.pipelines;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import org.joda.time.Duration;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

@RunWith(JUnit4.class)
public class DurationsTest {
  @Test
  public void shortFormsAndIso() {
    assertEquals(Duration.standardSeconds(30), Durations.parse("30s"));
    assertEquals(Duration.standardMinutes(5), Durations.parse("5m"));
    assertEquals(Duration.standardHours(6), Durations.parse("6h"));
    assertEquals(Duration.standardDays(1), Durations.parse("1d"));
    assertEquals(Duration.millis(250), Durations.parse("250ms"));
    assertEquals(Duration.standardMinutes(90), Durations.parse("PT1H30M"));
  }

  @Test
  public void badValuesAreNamed() {
    assertEquals(
        "\"soon\" is not a duration; write e.g. 30s, 5m, 6h, 1d or PT1H30M",
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("soon")).getMessage());
    assertThrows(IllegalArgumentException.class, () -> Durations.parse("0s"));
  }
}
