package dev.bqjobs.benchmarks;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.Test;

/** The arithmetic behind the reported figures. */
public class FiguresTest {
  private static final double EPS = 1e-9;

  @Test
  public void boundIsTheTotalWorkSpreadOverTheCapWhenThatIsLonger() {
    // 400 jobs of 1.5 s over 200 slots: 3 s of work per slot, longer than any one job.
    List<Long> runtimes = new java.util.ArrayList<>();
    for (int i = 0; i < 400; i++) {
      runtimes.add(1_500L);
    }
    assertEquals(3_000, Figures.lowerBoundMillis(runtimes, 200), EPS);
  }

  @Test
  public void serverGetsTheRuntimeRangeInExplicitMilliseconds() {
    // A bare number is seconds here but milliseconds to the server: never pass it through as is.
    assertEquals("1000ms..2000ms", Durations.toServerRange("1..2"));
    assertEquals("500ms..2500ms", Durations.toServerRange("500ms..2500ms"));
    assertEquals("3000ms..3000ms", Durations.toServerRange("3s"));
  }

  @Test
  public void boundIsTheLongestJobWhenFewJobsRun() {
    assertEquals(2_500, Figures.lowerBoundMillis(List.of(500L, 2_500L, 1_000L), 200), EPS);
  }

  @Test
  public void boundRejectsANonPositiveCap() {
    assertThrows(IllegalArgumentException.class, () -> Figures.lowerBoundMillis(List.of(1L), 0));
  }

  @Test
  public void ratioAndSpeedup() {
    assertEquals(1.15, Figures.ratio(17_250, 15_000), EPS);
    assertTrue(Double.isNaN(Figures.ratio(1, 0)));
    assertEquals(5.0, Figures.speedup(100_000, 20_000), EPS);
    assertEquals(2.5, Figures.perJob(5_000, 2_000), EPS);
  }

  @Test
  public void sampledWallTimeScalesLinearlyToTheFullCount() {
    assertEquals(400_000, Figures.scaleToFull(100_000, 500, 2_000), EPS);
    assertEquals(100_000, Figures.scaleToFull(100_000, 2_000, 2_000), EPS);
  }

  @Test
  public void sampleIsWholeShardWavesWithinTheCap() {
    // Fits: everything runs.
    assertEquals(2_000, Figures.sampleSize(2_000, 10, 60_000, 180_000));
    // 600 s estimated, 180 s allowed: 30% of 2,000 = 600 jobs, a multiple of 10 shards.
    assertEquals(600, Figures.sampleSize(2_000, 10, 600_000, 180_000));
    assertEquals(590, Figures.sampleSize(2_000, 10, 600_000, 178_000));
    // Never below one job per shard.
    assertEquals(10, Figures.sampleSize(2_000, 10, 1e9, 1_000));
  }

  @Test
  public void duplicatesCountExtraExecutionsButNotDeclaredReruns() {
    Map<String, Integer> clean = Map.of("p:a", 1, "p:b", 1, "p:b-r2", 1);
    assertEquals(0, Figures.duplicates(clean, 2));
    Map<String, Integer> twice = Map.of("p:a", 2, "p:b", 1, "p:b-r2", 2);
    assertEquals(2, Figures.duplicates(twice, 2));
    // A third job ID for two requests: one request started a second job.
    Map<String, Integer> extraId = Map.of("p:a", 1, "p:b", 1, "p:c", 1);
    assertEquals(1, Figures.duplicates(extraId, 2));
  }

  @Test
  public void utilisationIsWorkOverSlotTime() {
    assertEquals(0.5, Figures.utilisation(List.of(1_000L, 1_000L), 2, 2_000), EPS);
    assertTrue(Double.isNaN(Figures.utilisation(List.of(1L), 2, 0)));
  }

  @Test
  public void scalingGrowthPerJob() {
    // 100 MB at 1k jobs, 400 MB at 20k jobs: about 15.8 KB more per job.
    assertEquals(300.0 / 19_000, Figures.growthPerJob(100, 1_000, 400, 20_000), EPS);
  }

  @Test
  public void durationsAndRanges() {
    assertEquals(500, Durations.parseMillis("--time-cap", "500ms"));
    assertEquals(2_500, Durations.parseMillis("--time-cap", "2.5s"));
    assertEquals(180_000, Durations.parseMillis("--time-cap", "3m"));
    long[] range = Durations.parseRange("500ms..2500ms");
    assertEquals(500, range[0]);
    assertEquals(2_500, range[1]);
    assertThrows(IllegalArgumentException.class, () -> Durations.parseRange("2s..1s"));
  }

  @Test
  public void flagsHaveTheIssuesDefaults() {
    BenchConfig c = BenchConfig.parse();
    assertEquals(2_000, c.jobs);
    assertEquals("500ms..2500ms", c.runtime);
    assertEquals(200, c.serverCap);
    assertEquals(List.of("bqjobs", "beam", "naive", "client"), c.contenders);
    BenchConfig longJobs = BenchConfig.parse("--long-jobs", "--time-cap=2m");
    assertEquals("5s..60s", longJobs.runtime);
    assertEquals(120_000, longJobs.timeCapMillis);
    assertThrows(IllegalArgumentException.class, () -> BenchConfig.parse("--contenders=spark"));
  }

  @Test
  public void lastLineIsPlainDecimals() {
    RunResult ours = row("bqjobs", 17_000, 1.13, 2.5);
    RunResult beam = row("beam", 20_400, 1.36, 1.0);
    ours.quotaRatio = 1.05;
    ours.listsPerJob = 0.25;
    ours.callsPerJob = 2.2;
    ours.ranJobs = 2000;
    ours.clientCpuMillis = 8_000;
    beam.ranJobs = 2000;
    beam.clientCpuMillis = 10_000;
    RunResult longOurs = row("bqjobs", 60_000, 1.1, 1.4);
    longOurs.callsPerJob = 1.9;
    RunResult longBeam = row("beam", 78_000, 1.3, 1.6);
    String line = Report.lastLine(List.of(ours, beam), List.of(longOurs, longBeam));
    assertEquals(
        "bench: ratio_to_bound=1.13 ratio_to_quota_bound=1.05 gets_per_job=2.50"
            + " lists_per_job=0.25 calls_per_job=2.20 speedup_vs_beam=1.20 speedup_vs_naive=0"
            + " speedup_vs_client=0 duplicates=0 client_cpu_ms_per_job=4.00"
            + " beam_client_cpu_ms_per_job=5.00 long_ratio_to_bound=1.10 long_gets_per_job=1.40"
            + " long_calls_per_job=1.90 long_speedup_vs_beam=1.30",
        line);
  }

  @Test
  public void quotaBoundCountsTheInsertRate() {
    // The issue's example: 2,000 jobs at 100 inserts/s cannot end before 19.99 s + the shortest.
    List<Long> runtimes = new java.util.ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      runtimes.add(500L + i);
    }
    assertEquals(19_990 + 500, Figures.quotaBoundMillis(runtimes, 200, 100), EPS);
    assertEquals(
        Figures.lowerBoundMillis(runtimes, 200),
        Figures.quotaBoundMillis(runtimes, 200, Double.POSITIVE_INFINITY),
        EPS);
  }

  @Test
  public void quotaFlagDefaultsToBigQuerysRates() {
    assertEquals(BenchConfig.DEFAULT_QUOTA, BenchConfig.parse().quota);
    assertEquals(100, BenchConfig.insertQuota(BenchConfig.parse().quota), EPS);
    assertEquals(null, BenchConfig.parse("--quota", "none").quota);
    assertEquals(
        Double.POSITIVE_INFINITY,
        BenchConfig.insertQuota(BenchConfig.parse("--quota=none").quota),
        EPS);
    assertThrows(IllegalArgumentException.class, () -> BenchConfig.parse("--quota=fast"));
  }

  private static RunResult row(String name, double wall, double ratio, double gets) {
    RunResult r = new RunResult();
    r.contender = name;
    r.scaledWallMillis = wall;
    r.wallMillis = wall;
    r.ratio = ratio;
    r.getsPerJob = gets;
    return r;
  }
}
