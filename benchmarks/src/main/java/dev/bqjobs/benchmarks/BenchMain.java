package dev.bqjobs.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code java -jar benchmarks/target/bqjobs-bench.jar}: bqjobs against what users would write
 * instead (see {@link BenchConfig#USAGE}). Modes: the comparison (default), {@code --scaling} and
 * {@code --long-jobs}. The last stdout line of a comparison is {@link Report#lastLine}.
 */
public final class BenchMain {
  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    // Before any logger exists: bqjobs logs each job's start and end, Beam each poll, at INFO.
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    System.setProperty("java.awt.headless", "true");
    BenchConfig config;
    try {
      config = BenchConfig.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    if (config.help) {
      System.out.println(BenchConfig.USAGE);
      return;
    }
    String command = "java -jar benchmarks/target/bqjobs-bench.jar " + String.join(" ", args);
    if (config.scaling) {
      new ScalingRun(config, command).run();
    } else {
      compare(config, command, config.longJobs ? "long-jobs" : "results");
    }
    // The DirectRunner may leave non-daemon pool threads behind.
    System.exit(0);
  }

  private static void compare(BenchConfig config, String command, String stem) throws Exception {
    Path out = config.resolveOut();
    long[] range = Durations.parseRange(config.runtime);
    ContenderRun runner = new ContenderRun(config, config.resolveEmulatorJar());
    int concurrent = Math.min(config.shards, config.effectiveParallelism());
    List<RunResult> rows = new ArrayList<>();
    for (String name : config.contenders) {
      double estimate = Estimates.millis(name, config.jobs, range, config);
      int n = Figures.sampleSize(config.jobs, concurrent, estimate, config.timeCapMillis);
      System.out.printf(
          Locale.ROOT,
          "%s: %d of %d jobs%s (estimate %s s at full size)%n",
          name,
          n,
          config.jobs,
          n < config.jobs ? ", sampled to fit --time-cap" : "",
          Durations.seconds(estimate));
      RunResult r = runner.run(Contender.named(name), config.jobs, n, config.runtime);
      System.out.printf(
          Locale.ROOT,
          "%s: wall %s s (full size %s s), bound %s s, ratio %s, jobs.get/job %s, duplicates %d,"
              + " slot use %s, last insert at %s s, peak heap %d MB (live %d MB), CPU client %d ms"
              + " server %d ms, %s%n",
          name,
          Durations.seconds(r.wallMillis),
          Durations.seconds(r.scaledWallMillis),
          Durations.seconds(r.boundMillis),
          Report.dec(r.ratio),
          Report.dec(r.getsPerJob),
          r.duplicates,
          Report.dec(r.utilisation),
          Durations.seconds(r.lastInsertMillis),
          r.peakHeapBytes >> 20,
          r.peakLiveHeapBytes >> 20,
          r.clientCpuMillis,
          r.serverCpuMillis,
          r.status());
      rows.add(r);
    }
    String title =
        stem.equals("long-jobs") ? "bqjobs benchmark: long jobs" : "bqjobs benchmark: comparison";
    String md = Report.markdown(rows, title, context(config, command));
    Report.write(out.resolve(stem + ".md"), md);
    Report.write(out.resolve(stem + ".csv"), Report.csv(rows));
    Chart.write(out.resolve(stem + ".png"), rows, title + " (" + config.jobs + " jobs)");
    System.out.println(md);
    System.out.println("written: " + out.resolve(stem + ".md") + ", .csv, .png");
    System.out.println(Report.lastLine(rows));
  }

  /** How the figures were made: the command, the settings and how busy the machine was. */
  static String context(BenchConfig c, String command) {
    return String.join(
        "\n",
        "- command: `" + command + "`",
        "- at "
            + Instant.now()
            + "; "
            + Runtime.getRuntime().availableProcessors()
            + " cores; load average before the run: "
            + loadAverage()
            + "; client max heap "
            + (Runtime.getRuntime().maxMemory() >> 20)
            + " MB",
        "- server: --max-running-jobs "
            + c.serverCap
            + " --job-runtime "
            + c.runtime
            + " --seed "
            + c.seed
            + (c.faults != null ? " --faults '" + c.faults + "'" : "")
            + "; DirectRunner --targetParallelism="
            + c.effectiveParallelism()
            + "; "
            + c.shards
            + " shards for every contender"
            + (c.bqjobsTuned() ? "; bqjobs options changed from their defaults (experiment)" : ""),
        "- wall: from the server's first jobs.insert (minimum job creationTime) to the"
            + " pipeline's end; start-up: from Pipeline.run() to that first insert; bound:"
            + " max(max r, sum r / cap) over the runtimes the server scheduled; a sampled"
            + " contender ran whole shard waves within --time-cap, its wall time scaled to the full"
            + " job count; other calls: every API call but jobs.get, jobs.insert and our jobs.list"
            + " (e.g. the client library's jobs.getQueryResults); slot use: sum r / (cap x server"
            + " span), below 1 when slots stood idle; live heap: the most heap in use right after a"
            + " collection");
  }

  static String loadAverage() {
    try {
      return Files.readString(Paths.get("/proc/loadavg"), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
