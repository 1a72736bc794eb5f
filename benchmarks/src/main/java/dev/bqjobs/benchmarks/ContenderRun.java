package dev.bqjobs.benchmarks;

import dev.bqjobs.emulator.testing.ServerProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;

/**
 * Runs one contender once: a fresh server process, the workload on the DirectRunner, the server's
 * stats, the server stopped.
 */
final class ContenderRun {
  static final String PROJECT = "bench-project";

  /** The project of a warm-up run on the measured run's own server. */
  static final String WARM_UP_PROJECT = "bench-warm-up";

  private final BenchConfig config;
  private final Path emulatorJar;

  ContenderRun(BenchConfig config, Path emulatorJar) {
    this.config = config;
    this.emulatorJar = emulatorJar;
  }

  /** Runs {@code ranJobs} of {@code fullJobs} jobs through the contender. */
  RunResult run(Contender contender, int fullJobs, int ranJobs, String runtime) throws Exception {
    return run(contender, fullJobs, ranJobs, runtime, 0);
  }

  /**
   * Runs {@code ranJobs} of {@code fullJobs} jobs through the contender, after {@code
   * serverWarmUpJobs} jobs of another project through the same contender and server, unmeasured (0:
   * none): a fresh server process compiles its request and job paths during the first thousands of
   * jobs, which a short measured run would otherwise mostly consist of. The measured figures count
   * only the measured project's jobs and the requests after the warm-up.
   */
  RunResult run(
      Contender contender, int fullJobs, int ranJobs, String runtime, int serverWarmUpJobs)
      throws Exception {
    RunResult r = new RunResult();
    r.contender = contender.name();
    r.fullJobs = fullJobs;
    r.ranJobs = ranJobs;
    r.sampled = ranJobs < fullJobs;
    try (ServerProcess server = startServer(runtime)) {
      Map<String, Long> requestsBefore = Map.of();
      if (serverWarmUpJobs > 0) {
        pipeline(server.rootUrl(), contender, WARM_UP_PROJECT, serverWarmUpJobs)
            .run()
            .waitUntilFinish();
        requestsBefore = ServerStats.requestCounts(server.rootUrl());
      }
      Pipeline p = pipeline(server.rootUrl(), contender, PROJECT, ranJobs);

      long started;
      long ended;
      PipelineResult result;
      try (HeapSampler heap = new HeapSampler()) {
        long clientCpu = clientCpuMillis();
        long serverCpu = server.cpuTime().toMillis();
        started = System.currentTimeMillis();
        try {
          result = p.run();
          result.waitUntilFinish();
        } catch (RuntimeException e) {
          r.error = rootMessage(e);
          result = null;
        }
        ended = System.currentTimeMillis();
        r.clientCpuMillis = clientCpuMillis() - clientCpu;
        r.serverCpuMillis = server.cpuTime().toMillis() - serverCpu;
        r.peakHeapBytes = heap.peakBytes();
        r.peakLiveHeapBytes = heap.peakLiveBytes();
      }
      if (result != null) {
        readCounters(result, r);
      }
      ServerStats stats = ServerStats.read(server.rootUrl(), PROJECT, requestsBefore);
      fill(r, stats, started, ended);
    }
    return r;
  }

  /**
   * A fresh server process for one contender, so the client's timings and heap are the client's
   * alone: the standalone jar with the cap, the runtimes (explicit milliseconds, see {@link
   * Durations#toServerRange}), the seed, and the faults and quota when given.
   */
  private ServerProcess startServer(String runtime) throws IOException, InterruptedException {
    ServerProcess.Builder server =
        ServerProcess.builder()
            .jar(emulatorJar)
            .startTimeout(java.time.Duration.ofSeconds(60))
            .args(
                "--max-running-jobs",
                Integer.toString(config.serverCap),
                "--job-runtime",
                Durations.toServerRange(runtime),
                "--seed",
                Long.toString(config.seed));
    if (config.faults != null) {
      server.args("--faults", config.faults);
    }
    if (config.quota != null) {
      server.args("--quota", config.quota);
    }
    return server.start();
  }

  private void fill(RunResult r, ServerStats stats, long started, long ended) {
    long first = stats.firstCreationMillis == Long.MAX_VALUE ? started : stats.firstCreationMillis;
    r.wallMillis = ended - first;
    r.startupMillis = first - started;
    r.serverSpanMillis =
        stats.lastEndMillis == Long.MIN_VALUE ? Double.NaN : stats.lastEndMillis - first;
    r.lastInsertMillis =
        stats.lastCreationMillis == Long.MIN_VALUE ? Double.NaN : stats.lastCreationMillis - first;
    List<Long> runtimes = stats.runtimes();
    r.utilisation = Figures.utilisation(runtimes, config.serverCap, r.serverSpanMillis);
    r.scaledWallMillis = Figures.scaleToFull(r.wallMillis, r.ranJobs, r.fullJobs);
    r.boundMillis = Figures.lowerBoundMillis(runtimes, config.serverCap);
    r.ratio = Figures.ratio(r.wallMillis, r.boundMillis);
    r.quotaBoundMillis =
        Figures.quotaBoundMillis(runtimes, config.serverCap, BenchConfig.insertQuota(config.quota));
    r.quotaRatio = Figures.ratio(r.wallMillis, r.quotaBoundMillis);
    r.listsPerJob = Figures.perJob(stats.calls("jobs.list"), r.ranJobs);
    r.callsPerJob = Figures.perJob(stats.apiCalls(), r.ranJobs);
    r.getsPerJob = Figures.perJob(stats.calls("jobs.get"), r.ranJobs);
    r.insertsPerJob = Figures.perJob(stats.calls("jobs.insert"), r.ranJobs);
    r.otherCallsPerJob =
        Figures.perJob(stats.otherCalls("jobs.get", "jobs.insert", "jobs.list"), r.ranJobs);
    r.duplicates = Figures.duplicates(stats.executionsPerJob, r.ranJobs);
  }

  /** A pipeline running {@code jobs} of the workload through the contender in {@code project}. */
  private Pipeline pipeline(String rootUrl, Contender contender, String project, int jobs) {
    Pipeline p = Pipeline.create(options(rootUrl, contender.name(), project, jobs));
    PCollection<String> keys =
        p.apply("Keys", Create.of(Workload.keys(jobs)).withCoder(StringUtf8Coder.of()));
    contender.expand(
        keys, new Contender.Setting(rootUrl, project, config.serverCap, config.shards, config));
    return p;
  }

  private PipelineOptions options(String rootUrl, String contender, String project, int jobs) {
    List<String> args = new ArrayList<>();
    args.add("--runner=DirectRunner");
    args.add("--targetParallelism=" + config.effectiveParallelism());
    args.add("--jobName=bench-" + contender + "-" + jobs + "-" + System.currentTimeMillis());
    args.add("--project=" + project);
    // The beam contender reaches the server through BigQueryOptions, without credentials.
    args.add("--bigQueryEndpoint=" + rootUrl);
    args.add("--credentialFactoryClass=" + NoCredentialFactory.class.getName());
    return PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).create();
  }

  private static long clientCpuMillis() {
    java.lang.management.OperatingSystemMXBean os =
        java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean
        ? ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime() / 1_000_000
        : 0;
  }

  private static void readCounters(PipelineResult result, RunResult r) {
    MetricQueryResults metrics =
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.inNamespace(Completion.NAMESPACE))
                    .build());
    for (MetricResult<Long> c : metrics.getCounters()) {
      long value = c.getAttempted();
      if (Completion.SUCCEEDED.equals(c.getName().getName())) {
        r.succeeded += value;
      } else if (Completion.FAILED.equals(c.getName().getName())) {
        r.failed += value;
      }
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }
}
