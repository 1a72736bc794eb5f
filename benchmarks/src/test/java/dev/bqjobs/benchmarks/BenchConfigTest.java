package dev.bqjobs.benchmarks;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

/** The benchmark's flags for bqjobs' results and the warm-ups. */
public class BenchConfigTest {
  @Test
  public void bqjobsRunsWithLeanResultsUnlessFullResultsAreAsked() {
    assertTrue(BenchConfig.parse().bqjobsLeanResults);
    assertTrue(BenchConfig.parse("--bqjobs-lean-results").bqjobsLeanResults);
    BenchConfig full = BenchConfig.parse("--bqjobs-full-results");
    assertFalse(full.bqjobsLeanResults);
    assertFalse("the defaults are no experiment", full.bqjobsTuned());
  }

  @Test
  public void warmUpsDefaultToFiftyJobsAndTwoThousandOnEachScalingServer() {
    BenchConfig defaults = BenchConfig.parse();
    assertEquals(50, defaults.warmUpJobs);
    assertEquals(2000, defaults.serverWarmUpJobs);
    BenchConfig none = BenchConfig.parse("--warm-up", "0", "--server-warm-up=0");
    assertEquals(0, none.warmUpJobs);
    assertEquals(0, none.serverWarmUpJobs);
  }

  @Test
  public void negativeWarmUpsAreRefusedWithTheFlagsName() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> BenchConfig.parse("--warm-up=-1"));
    assertTrue(e.getMessage(), e.getMessage().contains("--warm-up"));
    e =
        assertThrows(
            IllegalArgumentException.class, () -> BenchConfig.parse("--server-warm-up", "-5"));
    assertTrue(e.getMessage(), e.getMessage().contains("--server-warm-up"));
  }
}
