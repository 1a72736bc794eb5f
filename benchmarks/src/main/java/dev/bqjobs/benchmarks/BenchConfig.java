package dev.bqjobs.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.checkerframework.checker.nullness.qual.Nullable;

/** The benchmark's command line; every flag is {@code --name=value} or {@code --name value}. */
final class BenchConfig {
  /** BigQuery's per-user request rates (bigquery-facts.md): 100/s per method, jobs.get 1,000/s. */
  static final String DEFAULT_QUOTA =
      "jobs.insert=100,jobs.get=1000,jobs.list=100,jobs.cancel=100,jobs.getQueryResults=100";

  static final String USAGE =
      String.join(
          "\n",
          "Usage: java -jar benchmarks/target/bqjobs-bench.jar [options]",
          "",
          "Runs the same workload (query jobs SELECT 1) through each contender on the DirectRunner,",
          "each against a fresh local BigQuery server process, and reports wall time against the",
          "lower bound max(max r, sum r / cap), calls per job, duplicates and peak heap.",
          "",
          "Options:",
          "  --jobs N                 jobs per contender (default 2000)",
          "  --runtime MIN..MAX       job runtimes the server draws, seeded (default 500ms..2500ms)",
          "  --server-cap N           server --max-running-jobs; bqjobs gets",
          "                           withMaxConcurrentJobs(N) (default 200)",
          "  --contenders LIST        any of bqjobs,beam,naive,client (default all four)",
          "  --faults SPEC            passed to every server (grammar: the server's --help)",
          "  --quota SPEC             per-user rate quotas every server enforces, requests per",
          "                           second per method (default " + DEFAULT_QUOTA + ";",
          "                           BigQuery's); none: no quota",
          "  --no-long-jobs           skip the long-jobs workload the comparison runs for bqjobs",
          "                           and beam",
          "  --time-cap DURATION      a contender estimated to take longer runs a sample of whole",
          "                           shard waves, its figures scaled and marked (default 5m)",
          "  --seed N                 server seed: runtimes and faults (default 42)",
          "  --warm-up N              jobs each contender runs first, unmeasured (runtimes",
          "                           10ms..50ms), so none pays alone for the class loading and",
          "                           JIT compilation of the code all share (default 50; 0: none)",
          "  --shards N               shards for every contender, as bqjobs' default (default 10)",
          "  --target-parallelism N   DirectRunner threads (default: the shard count)",
          "  --emulator-jar PATH      the server's jar (default: found from the working",
          "                           directory or next to this jar)",
          "  --out DIR                output directory (default benchmarks/target/bench)",
          "  --scaling                bqjobs alone at 1k, 5k, 20k jobs (run with -Xmx512m)",
          "  --long-jobs              only the long-jobs workload: runtimes 5s..60s on 200 jobs",
          "  --scales LIST            job counts for --scaling (default 1000,5000,20000)",
          "  --server-warm-up N       --scaling: jobs of another project each scale's server runs",
          "                           first, unmeasured, so a small scale is not mostly the fresh",
          "                           server's JIT compilation (default 2000; 0: none)",
          "bqjobs runs with withLeanResults(), as its Javadoc advises for many jobs: each result",
          "keeps the job's status, statistics and configuration, final states come from jobs.list",
          "(no jobs.get per job); --bqjobs-full-results runs it with none of its options changed.",
          "Experiments on bqjobs' own options (default: the transform's defaults):",
          "  --bqjobs-inserts-per-second R, --bqjobs-gets-per-second R,",
          "  --bqjobs-poll-initial DURATION, --bqjobs-poll-max DURATION, --bqjobs-shards N,",
          "  --bqjobs-max-concurrent-jobs N (instead of the server cap), --bqjobs-max-queued-jobs N,",
          "  --bqjobs-full-results (each result's job as jobs.get returned it: a get per job),",
          "  --bqjobs-lean-results (withLeanResults: the default)");

  /** The long-jobs workload: 200 jobs of 5 s..60 s. */
  static final String LONG_RUNTIME = "5s..60s";

  static final int LONG_JOBS = 200;

  int jobs = 2000;
  String runtime = "500ms..2500ms";
  int serverCap = 200;
  List<String> contenders = new ArrayList<>(Contender.NAMES);
  @Nullable String faults;

  /** The servers' {@code --quota} spec; null: no quota. */
  @Nullable String quota = DEFAULT_QUOTA;

  boolean noLongJobs;
  long timeCapMillis = 5 * 60_000;
  long seed = 42;

  /** Jobs each contender runs before the measured runs (see {@link BenchMain#warmUp}). */
  int warmUpJobs = 50;

  /**
   * --scaling: jobs each scale's server runs before the measured run (see {@link ContenderRun}).
   */
  int serverWarmUpJobs = 2000;

  int shards = 10;
  int targetParallelism = -1;
  @Nullable Path emulatorJar;
  @Nullable Path out;
  boolean scaling;
  boolean longJobs;
  List<Integer> scales = List.of(1000, 5000, 20000);

  @Nullable Double bqjobsInsertsPerSecond;
  @Nullable Double bqjobsGetsPerSecond;

  /**
   * bqjobs with {@code withLeanResults()}: the reported run, as the transform's Javadoc advises for
   * many jobs (the benchmark reads only each result's outcome, as beam's contender reads only
   * {@code status.errorResult}); {@code --bqjobs-full-results} turns it off.
   */
  boolean bqjobsLeanResults = true;

  @Nullable Long bqjobsPollInitialMillis;
  @Nullable Long bqjobsPollMaxMillis;
  @Nullable Integer bqjobsShards;
  @Nullable Integer bqjobsMaxConcurrentJobs;
  @Nullable Integer bqjobsMaxQueuedJobs;

  boolean jobsGiven;
  boolean runtimeGiven;
  boolean help;

  static BenchConfig parse(String... args) {
    BenchConfig c = new BenchConfig();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument: " + arg);
      }
      String name = arg.substring(2);
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      if (isSwitch(name)) {
        c.setSwitch(name);
        continue;
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("--" + name + " needs a value");
        }
        value = args[++i];
      }
      c.set(name, value);
    }
    if (c.longJobs && !c.runtimeGiven) {
      c.runtime = LONG_RUNTIME;
    }
    if (c.longJobs && !c.jobsGiven) {
      c.jobs = LONG_JOBS;
    }
    return c;
  }

  private static boolean isSwitch(String name) {
    return name.equals("scaling")
        || name.equals("long-jobs")
        || name.equals("no-long-jobs")
        || name.equals("bqjobs-lean-results")
        || name.equals("bqjobs-full-results")
        || name.equals("help");
  }

  private void setSwitch(String name) {
    switch (name) {
      case "scaling":
        scaling = true;
        break;
      case "long-jobs":
        longJobs = true;
        break;
      case "no-long-jobs":
        noLongJobs = true;
        break;
      case "bqjobs-lean-results":
        bqjobsLeanResults = true;
        break;
      case "bqjobs-full-results":
        bqjobsLeanResults = false;
        break;
      default:
        help = true;
    }
  }

  private void set(String name, String value) {
    switch (name) {
      case "jobs":
        jobs = positive(name, value);
        jobsGiven = true;
        break;
      case "runtime":
        // Explicit milliseconds from here on: the server and the estimates read the same range.
        runtime = Durations.toServerRange(value);
        runtimeGiven = true;
        break;
      case "server-cap":
        serverCap = positive(name, value);
        break;
      case "contenders":
        contenders = new ArrayList<>();
        for (String s : value.split(",")) {
          String n = s.trim().toLowerCase(Locale.ROOT);
          if (!Contender.NAMES.contains(n)) {
            throw new IllegalArgumentException(
                "--contenders: unknown contender \"" + n + "\"; known: " + Contender.NAMES);
          }
          contenders.add(n);
        }
        break;
      case "faults":
        faults = value;
        break;
      case "quota":
        quota = value.trim().equalsIgnoreCase("none") ? null : value.trim();
        if (quota != null && insertQuota(quota) <= 0) {
          throw new IllegalArgumentException(
              "--quota \"" + value + "\": give METHOD=RATE pairs, e.g. " + DEFAULT_QUOTA);
        }
        break;
      case "time-cap":
        timeCapMillis = Durations.parseMillis("--time-cap", value);
        break;
      case "seed":
        seed = Long.parseLong(value);
        break;
      case "shards":
        shards = positive(name, value);
        break;
      case "server-warm-up":
        serverWarmUpJobs = Integer.parseInt(value.trim());
        if (serverWarmUpJobs < 0) {
          throw new IllegalArgumentException("--server-warm-up must be 0 or more jobs: " + value);
        }
        break;
      case "warm-up":
        warmUpJobs = Integer.parseInt(value.trim());
        if (warmUpJobs < 0) {
          throw new IllegalArgumentException("--warm-up must be 0 or more jobs: " + value);
        }
        break;
      case "target-parallelism":
        targetParallelism = positive(name, value);
        break;
      case "emulator-jar":
        emulatorJar = Paths.get(value);
        break;
      case "out":
        out = Paths.get(value);
        break;
      case "scales":
        List<Integer> list = new ArrayList<>();
        for (String s : value.split(",")) {
          list.add(positive(name, s.trim()));
        }
        scales = list;
        break;
      case "bqjobs-inserts-per-second":
        bqjobsInsertsPerSecond = Double.parseDouble(value);
        break;
      case "bqjobs-gets-per-second":
        bqjobsGetsPerSecond = Double.parseDouble(value);
        break;
      case "bqjobs-poll-initial":
        bqjobsPollInitialMillis = Durations.parseMillis("--bqjobs-poll-initial", value);
        break;
      case "bqjobs-poll-max":
        bqjobsPollMaxMillis = Durations.parseMillis("--bqjobs-poll-max", value);
        break;
      case "bqjobs-max-concurrent-jobs":
        bqjobsMaxConcurrentJobs = positive(name, value);
        break;
      case "bqjobs-max-queued-jobs":
        bqjobsMaxQueuedJobs = Integer.parseInt(value.trim());
        break;
      case "bqjobs-shards":
        bqjobsShards = positive(name, value);
        break;
      default:
        throw new IllegalArgumentException("unknown option --" + name + "\n\n" + USAGE);
    }
  }

  private static int positive(String name, String value) {
    int n = Integer.parseInt(value.trim());
    if (n < 1) {
      throw new IllegalArgumentException("--" + name + " must be at least 1: " + value);
    }
    return n;
  }

  /**
   * The jobs.insert rate of a quota spec, in requests per second; infinity when the spec sets none
   * (or is null), 0 when it cannot be read.
   */
  static double insertQuota(@Nullable String spec) {
    if (spec == null) {
      return Double.POSITIVE_INFINITY;
    }
    double rate = Double.POSITIVE_INFINITY;
    for (String part : spec.split(",")) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        return 0;
      }
      if (part.substring(0, eq).trim().equals("jobs.insert")) {
        try {
          rate = Double.parseDouble(part.substring(eq + 1).trim());
        } catch (NumberFormatException e) {
          return 0;
        }
      }
    }
    return rate;
  }

  int effectiveParallelism() {
    return targetParallelism > 0 ? targetParallelism : shards;
  }

  /** True when any of bqjobs' own options is changed from the transform's default. */
  boolean bqjobsTuned() {
    return bqjobsInsertsPerSecond != null
        || bqjobsGetsPerSecond != null
        || bqjobsPollInitialMillis != null
        || bqjobsPollMaxMillis != null
        || bqjobsShards != null
        || bqjobsMaxConcurrentJobs != null
        || bqjobsMaxQueuedJobs != null;
  }

  /** The server jar: the flag, else the usual places from the working dir and from this jar. */
  Path resolveEmulatorJar() {
    if (emulatorJar != null) {
      if (!Files.isRegularFile(emulatorJar)) {
        throw new IllegalArgumentException("--emulator-jar " + emulatorJar + ": no such file");
      }
      return emulatorJar;
    }
    List<Path> candidates = new ArrayList<>();
    candidates.add(Paths.get("emulator/target/bqjobs-emulator.jar"));
    candidates.add(Paths.get("../emulator/target/bqjobs-emulator.jar"));
    Path here = ownJarDir();
    if (here != null) {
      candidates.add(here.resolve("../../emulator/target/bqjobs-emulator.jar").normalize());
    }
    for (Path p : candidates) {
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "cannot find the local server jar (looked at "
            + Arrays.toString(candidates.toArray())
            + "); build it with `mvn -pl emulator package` or pass --emulator-jar PATH");
  }

  /** The output directory: the flag, else {@code target/bench} beside this jar's module. */
  Path resolveOut() {
    if (out != null) {
      return out;
    }
    Path here = ownJarDir();
    if (here != null
        && here.getFileName() != null
        && here.getFileName().toString().equals("target")) {
      return here.resolve("bench");
    }
    return Paths.get("benchmarks/target/bench");
  }

  private static @Nullable Path ownJarDir() {
    try {
      Path jar =
          Paths.get(BenchConfig.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return Files.isRegularFile(jar) ? jar.toAbsolutePath().getParent() : null;
    } catch (Exception e) {
      return null; // not run from a jar (e.g. tests): fall back to the working directory
    }
  }
}
