package dev.bqjobs.benchmarks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code --scaling}: bqjobs alone at growing job counts (default 1k, 5k, 20k), to show how time and
 * client memory grow. Run the 20k step with {@code -Xmx512m}: the client must fit in it.
 */
final class ScalingRun {
  private final BenchConfig config;
  private final String command;

  ScalingRun(BenchConfig config, String command) {
    this.config = config;
    this.command = command;
  }

  void run() throws Exception {
    BenchMain.warmUp(config, List.of("bqjobs"));
    ContenderRun runner = new ContenderRun(config, config.resolveEmulatorJar());
    List<RunResult> rows = new ArrayList<>();
    for (int jobs : config.scales) {
      System.out.printf(Locale.ROOT, "bqjobs: %d jobs%n", jobs);
      RunResult r =
          runner.run(
              Contender.named("bqjobs"), jobs, jobs, config.runtime, config.serverWarmUpJobs);
      System.out.printf(
          Locale.ROOT,
          "bqjobs at %d: wall %s s, bound %s s, ratio %s, peak heap %d MB, %s%n",
          jobs,
          Durations.seconds(r.wallMillis),
          Durations.seconds(r.boundMillis),
          Report.dec(r.ratio),
          r.peakHeapBytes >> 20,
          r.status());
      rows.add(r);
    }
    Path out = config.resolveOut();
    String md = markdown(rows);
    Report.write(out.resolve("scaling.md"), md);
    Report.write(out.resolve("scaling.csv"), Report.csv(rows));
    System.out.println(md);
    StringBuilder last = new StringBuilder("bench-scaling:");
    for (RunResult r : rows) {
      last.append(
          String.format(
              Locale.ROOT,
              " jobs_%d_wall_s=%s jobs_%d_ratio=%s jobs_%d_peak_heap_mb=%d"
                  + " jobs_%d_wall_s_per_1k=%s jobs_%d_calls_per_1k=%s",
              r.fullJobs,
              Durations.seconds(r.wallMillis),
              r.fullJobs,
              Report.dec(r.ratio),
              r.fullJobs,
              r.peakHeapBytes >> 20,
              r.fullJobs,
              Durations.seconds(r.wallMillis * 1000.0 / r.fullJobs),
              r.fullJobs,
              Report.dec(r.callsPerJob * 1000)));
    }
    System.out.println(last);
  }

  private String markdown(List<RunResult> rows) {
    StringBuilder b = new StringBuilder("# bqjobs benchmark: scaling\n\n");
    b.append(BenchMain.context(config, command)).append("\n\n");
    b.append(
        "| jobs | wall s | wall s per 1k jobs | bound s | ratio | jobs.get/job | jobs.insert/job"
            + " | calls per 1k jobs | client CPU ms/job | server CPU ms/job | peak heap MB"
            + " | heap growth per 1k jobs MB | status |\n");
    b.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    RunResult first = rows.isEmpty() ? null : rows.get(0);
    for (RunResult r : rows) {
      String growth =
          r == first
              ? ""
              : Report.dec(
                  Figures.growthPerJob(
                          first.peakHeapBytes, first.fullJobs, r.peakHeapBytes, r.fullJobs)
                      * 1000
                      / (1 << 20));
      b.append(
          String.format(
              Locale.ROOT,
              "| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d | %s | %s |%n",
              r.fullJobs,
              Durations.seconds(r.wallMillis),
              Durations.seconds(r.wallMillis * 1000.0 / r.fullJobs),
              Durations.seconds(r.boundMillis),
              Report.dec(r.ratio),
              Report.dec(r.getsPerJob),
              Report.dec(r.insertsPerJob),
              Report.dec(r.callsPerJob * 1000),
              Report.dec(Figures.perJob(r.clientCpuMillis, r.ranJobs)),
              Report.dec(Figures.perJob(r.serverCpuMillis, r.ranJobs)),
              r.peakHeapBytes >> 20,
              growth,
              r.status()));
    }
    return b.toString();
  }
}
