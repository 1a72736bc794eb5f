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
      compare(config, command);
    }
    // The DirectRunner may leave non-daemon pool threads behind.
    System.exit(0);
  }

  private static void compare(BenchConfig config, String command) throws Exception {
    Path out = config.resolveOut();
    warmUp(config, config.contenders);
    if (config.longJobs) {
      List<RunResult> rows = runAll(config, config.contenders, config.jobs, config.runtime, true);
      write(out, "long-jobs", "bqjobs benchmark: long jobs", rows, config, command);
      System.out.println(Report.lastLine(List.of(), rows));
      return;
    }
    List<RunResult> rows = runAll(config, config.contenders, config.jobs, config.runtime, true);
    write(out, "results", "bqjobs benchmark: comparison", rows, config, command);
    List<RunResult> longRows = new ArrayList<>();
    if (!config.noLongJobs) {
      // The cost of polling: the long-jobs workload for bqjobs and beam, as part of the comparison.
      List<String> longContenders = new ArrayList<>();
      for (String name : List.of("bqjobs", "beam")) {
        if (config.contenders.contains(name)) {
          longContenders.add(name);
        }
      }
      // Never sampled: both keep many jobs in flight, so their time does not scale per wave.
      longRows =
          runAll(config, longContenders, BenchConfig.LONG_JOBS, BenchConfig.LONG_RUNTIME, false);
      write(out, "long-jobs", "bqjobs benchmark: long jobs", longRows, config, command);
    }
    System.out.println(Report.lastLine(rows, longRows));
  }

  /** Runtimes of the warm-up jobs: short, so the warm-up takes seconds. */
  static final String WARM_UP_RUNTIME = "10ms..50ms";

  /**
   * Runs a few jobs through every contender before anything is measured. All contenders run in this
   * JVM, one after another, and share most of their code (the DirectRunner, the HTTP client, JSON):
   * measured cold, the first pays the class loading and JIT compilation of it all (about a third of
   * the first contender's client CPU in a JFR profile) and the others run it compiled.
   */
  static void warmUp(BenchConfig config, List<String> contenders) throws Exception {
    if (config.warmUpJobs == 0) {
      return;
    }
    ContenderRun runner = new ContenderRun(config, config.resolveEmulatorJar());
    for (String name : contenders) {
      RunResult r =
          runner.run(
              Contender.named(name),
              config.warmUpJobs,
              config.warmUpJobs,
              Durations.toServerRange(WARM_UP_RUNTIME));
      System.out.printf(
          Locale.ROOT,
          "%s: warm-up, %d jobs of %s in %s s, not measured%n",
          name,
          config.warmUpJobs,
          WARM_UP_RUNTIME,
          Durations.seconds(r.wallMillis));
    }
  }

  private static List<RunResult> runAll(
      BenchConfig config, List<String> contenders, int jobs, String runtime, boolean maySample)
      throws Exception {
    long[] range = Durations.parseRange(runtime);
    ContenderRun runner = new ContenderRun(config, config.resolveEmulatorJar());
    int concurrent = Math.min(config.shards, config.effectiveParallelism());
    List<RunResult> rows = new ArrayList<>();
    for (String name : contenders) {
      double estimate = Estimates.millis(name, jobs, range, config);
      int n =
          maySample ? Figures.sampleSize(jobs, concurrent, estimate, config.timeCapMillis) : jobs;
      System.out.printf(
          Locale.ROOT,
          "%s: %d of %d jobs of %s%s (estimate %s s at full size)%n",
          name,
          n,
          jobs,
          runtime,
          n < jobs ? ", sampled to fit --time-cap" : "",
          Durations.seconds(estimate));
      RunResult r = runner.run(Contender.named(name), jobs, n, runtime);
      System.out.printf(
          Locale.ROOT,
          "%s: wall %s s (full size %s s), bound %s s, ratio %s, quota bound %s s, ratio %s,"
              + " jobs.get/job %s, jobs.list/job %s, calls/job %s, duplicates %d, slot use %s,"
              + " last insert at %s s, peak heap %d MB (live %d MB), CPU client %d ms (%s ms/job)"
              + " server %d ms, load %s, %s%n",
          name,
          Durations.seconds(r.wallMillis),
          Durations.seconds(r.scaledWallMillis),
          Durations.seconds(r.boundMillis),
          Report.dec(r.ratio),
          Durations.seconds(r.quotaBoundMillis),
          Report.dec(r.quotaRatio),
          Report.dec(r.getsPerJob),
          Report.dec(r.listsPerJob),
          Report.dec(r.callsPerJob),
          r.duplicates,
          Report.dec(r.utilisation),
          Durations.seconds(r.lastInsertMillis),
          r.peakHeapBytes >> 20,
          r.peakLiveHeapBytes >> 20,
          r.clientCpuMillis,
          Report.dec(Figures.perJob(r.clientCpuMillis, r.ranJobs)),
          r.serverCpuMillis,
          loadAverage(),
          r.status());
      rows.add(r);
    }
    return rows;
  }

  private static void write(
      Path out, String stem, String title, List<RunResult> rows, BenchConfig config, String command)
      throws IOException {
    int jobs = rows.isEmpty() ? 0 : rows.get(0).fullJobs;
    String md = Report.markdown(rows, title, context(config, command));
    Report.write(out.resolve(stem + ".md"), md);
    Report.write(out.resolve(stem + ".csv"), Report.csv(rows));
    Chart.write(out.resolve(stem + ".png"), rows, title + " (" + jobs + " jobs)");
    System.out.println(md);
    System.out.println("written: " + out.resolve(stem + ".md") + ", .csv, .png");
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
            + (c.quota != null ? " --quota " + c.quota : " (no quota)")
            + "; DirectRunner --targetParallelism="
            + c.effectiveParallelism()
            + "; "
            + c.shards
            + " shards for every contender"
            + (c.warmUpJobs > 0
                ? "; each contender warmed up first with " + c.warmUpJobs + " unmeasured jobs"
                : "; no warm-up")
            + (c.scaling && c.serverWarmUpJobs > 0
                ? "; each scale's server ran " + c.serverWarmUpJobs + " unmeasured jobs first"
                : "")
            + (c.bqjobsLeanResults
                ? "; bqjobs with withLeanResults()"
                : "; bqjobs with full results (a jobs.get per job)")
            + (c.bqjobsTuned() ? "; bqjobs options changed from their defaults (experiment)" : ""),
        "- wall: from the server's first jobs.insert (minimum job creationTime) to the"
            + " pipeline's end; start-up: from Pipeline.run() to that first insert; bound:"
            + " max(max r, sum r / cap) over the runtimes the server scheduled; quota bound:"
            + " max(bound, (N - 1) / Q + min r), Q the jobs.insert quota; calls: every API"
            + " request (refused ones too); a sampled"
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
