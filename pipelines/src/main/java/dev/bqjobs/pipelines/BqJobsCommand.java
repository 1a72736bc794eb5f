package dev.bqjobs.pipelines;

import dev.bqjobs.durations.Durations;
import dev.bqjobs.transforms.BigQueryJobs;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.joda.time.Duration;

/**
 * The {@code bqjobs} command: runs every job of a jobs file with {@link BigQueryJobs#run()} and
 * writes {@code succeeded.jsonl}, {@code warnings.jsonl}, {@code failed.jsonl} and {@code
 * summary.json}.
 *
 * <pre>
 * java -jar pipelines/target/bqjobs.jar --jobs=pipelines/examples/demo/jobs.yaml
 * </pre>
 *
 * <p>Exit codes: {@value #EXIT_OK} nothing failed; {@value #EXIT_JOB_FAILED} a job failed (unless
 * {@code --failOnJobFailure=false}) or the pipeline itself failed; {@value #EXIT_USAGE} a bad
 * command line or jobs file (then no job runs). Options: {@link BqJobsOptions}; where the jobs run:
 * {@link Endpoint}; the file format: {@link JobsFileReader}.
 */
public final class BqJobsCommand {
  public static final int EXIT_OK = 0;
  public static final int EXIT_JOB_FAILED = 1;
  public static final int EXIT_USAGE = 2;

  /** The first line of {@code --help}; the whole help is {@link CommandHelp#text()}. */
  static final String USAGE_LINE = "Usage: java -jar bqjobs.jar --jobs=FILE [options]";

  private final PrintStream out;
  private final PrintStream err;
  private final boolean tty;

  /**
   * @param out progress, summary
   * @param err errors and usage
   * @param tty whether {@code out} is a terminal (the progress line is then redrawn in place)
   */
  public BqJobsCommand(PrintStream out, PrintStream err, boolean tty) {
    this.out = out;
    this.err = err;
    this.tty = tty;
  }

  public static void main(String[] args) {
    System.exit(new BqJobsCommand(System.out, System.err, System.console() != null).execute(args));
  }

  /** Parses {@code args} like {@link #main} and runs; returns the exit code. */
  public int execute(String[] args) {
    for (String arg : args) {
      if (arg.equals("--help") || arg.equals("-h")) {
        out.print(CommandHelp.text());
        out.flush();
        return EXIT_OK;
      }
    }
    Logging.configure(Logging.verboseRequested(args));
    PipelineOptionsFactory.register(BqJobsOptions.class);
    BqJobsOptions options;
    try {
      options = PipelineOptionsFactory.fromArgs(args).withValidation().as(BqJobsOptions.class);
    } catch (IllegalArgumentException e) {
      return usageError(e.getMessage());
    }
    return runWith(options);
  }

  /** Runs the command with parsed options on the console; returns the exit code. */
  public static int run(BqJobsOptions options) {
    return new BqJobsCommand(System.out, System.err, System.console() != null).runWith(options);
  }

  /** Runs the command with parsed options; returns the exit code. */
  public int runWith(BqJobsOptions options) {
    Logging.configure(Boolean.TRUE.equals(options.getVerbose()));
    if (options.getJobs() == null || options.getJobs().isBlank()) {
      return usageError("--jobs=FILE is required");
    }
    Duration jobTimeout;
    try {
      jobTimeout = Duration.millis(Durations.parse(options.getJobTimeout()).toMillis());
      if (jobTimeout.getMillis() <= 0) {
        throw new IllegalArgumentException(
            "\"" + options.getJobTimeout() + "\" is not a positive duration");
      }
    } catch (IllegalArgumentException e) {
      return usageError("--jobTimeout: " + e.getMessage());
    }
    BigQueryJobs.Run runJobs;
    try {
      // Checked before anything starts: the transform's withX() methods validate eagerly.
      runJobs =
          BigQueryJobs.run()
              .withJobIdPrefix(options.getJobIdPrefix())
              .withMaxConcurrentJobs(options.getMaxConcurrentJobs())
              .withJobTimeout(jobTimeout);
      if (options.getRunToken() != null) {
        runJobs = runJobs.withRunToken(options.getRunToken());
      }
      if (options.getLocation() != null) {
        runJobs = runJobs.withLocation(options.getLocation());
      }
    } catch (IllegalArgumentException e) {
      return usageError(e.getMessage());
    }

    Path jobsFile = Paths.get(options.getJobs());
    List<JobsFileEntry> entries;
    try {
      entries = JobsFileReader.read(jobsFile);
    } catch (JobsFileException e) {
      err.println("bqjobs: " + e.getMessage());
      err.println("No job was run. Run with --help for the options and the jobs file format.");
      return EXIT_USAGE;
    }

    FileSystems.setDefaultPipelineOptions(options);
    // gs:// output may be on the local server this command starts: prepared once it runs
    boolean gcsOutput = options.getOutput().startsWith("gs://");
    String outputDir = options.getOutput();
    if (!gcsOutput) {
      try {
        outputDir = prepareOutput(options.getOutput());
      } catch (IOException | IllegalArgumentException e) {
        return usageError("--output=" + options.getOutput() + ": " + e.getMessage());
      }
    }

    Endpoint chosen;
    try {
      chosen = Endpoint.choose(options, jobsFile);
    } catch (IllegalArgumentException e) {
      return usageError(e.getMessage());
    } catch (IOException e) {
      err.println("bqjobs: " + rootMessage(e));
      return EXIT_JOB_FAILED;
    }
    try (Endpoint endpoint = chosen) {
      endpoint.pointPipelineAtServer(options);
      FileSystems.setDefaultPipelineOptions(options);
      if (gcsOutput) {
        try {
          outputDir = prepareOutput(options.getOutput());
        } catch (IOException | IllegalArgumentException e) {
          return usageError("--output=" + options.getOutput() + ": " + e.getMessage());
        }
      }
      out.println("bqjobs: running " + entries.size() + " jobs from " + jobsFile);
      out.println("bqjobs: on " + endpoint.description());
      runJobs = runJobs.withProject(endpoint.project());
      if (endpoint.rootUrl() != null) {
        runJobs = runJobs.withRootUrl(endpoint.rootUrl());
      }
      if (options.getRunner() == DirectRunner.class) {
        DirectOptions direct = options.as(DirectOptions.class);
        // The DirectRunner blocks in run() by default; the progress line needs it not to.
        direct.setBlockOnRun(false);
        // It also runs only 3 calls at once by default, while each of the transform's shard calls
        // holds its share of --maxConcurrentJobs: with fewer threads than shards most of that
        // share would sit idle. A value the user gave is kept.
        if (!Endpoint.isExplicit(options, "targetParallelism")) {
          direct.setTargetParallelism(
              Math.max(direct.getTargetParallelism(), runJobs.shardCount()));
        }
      }
      List<List<JobsFileEntry>> stages;
      try {
        stages = Stages.of(jobsFile, entries, endpoint.project());
      } catch (JobsFileException e) {
        err.println("bqjobs: " + e.getMessage());
        err.println("No job was run. Run with --help for the options and the jobs file format.");
        return EXIT_USAGE;
      }
      List<String> created = endpoint.createDatasets(entries, options.getLocation());
      if (!created.isEmpty()) {
        out.println("bqjobs: created on the local server: dataset " + String.join(", ", created));
      }
      if (stages.size() > 1) {
        out.println(
            "bqjobs: "
                + stages.size()
                + " stages: copies and extracts start after the jobs that write their tables");
      }
      // One launch of the command is one run: fix the job name now, so every stage (and every
      // deserialized copy of the options a runner hands its workers) derives the same default
      // run token from it instead of drawing its own random default.
      options.setJobName(options.getJobName());
      Pipeline p;
      try {
        // The runner validates its own options here (e.g. Dataflow's --project, --region).
        p = Pipeline.create(options);
      } catch (IllegalArgumentException e) {
        return usageError(e.getMessage());
      }
      BqJobsPipeline.build(p, stages, runJobs, endpoint.project(), outputDir);
      long preFailed = entries.stream().filter(e -> e.request() == null).count();

      PipelineResult.State state;
      try {
        PipelineResult result = p.run();
        state = new ProgressReporter(out, tty).follow(result, entries.size(), preFailed);
      } catch (RuntimeException e) {
        err.println("bqjobs: the pipeline failed: " + rootMessage(e));
        return EXIT_JOB_FAILED;
      }
      if (state != PipelineResult.State.DONE) {
        err.println("bqjobs: the pipeline ended " + state);
        return EXIT_JOB_FAILED;
      }
      Summary summary = Summary.read(outputDir);
      summary.print(out, outputDir);
      out.flush();
      return summary.failed > 0 && options.getFailOnJobFailure() ? EXIT_JOB_FAILED : EXIT_OK;
    } catch (IOException e) {
      err.println("bqjobs: " + rootMessage(e));
      return EXIT_JOB_FAILED;
    }
  }

  /**
   * Makes a local output folder absolute (workers may run elsewhere) and creates it; removes the
   * result files of an earlier run so that a failed run never leaves stale results behind.
   */
  static String prepareOutput(String output) throws IOException {
    String dir = output;
    if (!output.contains("://")) {
      Path path = Paths.get(output).toAbsolutePath().normalize();
      Files.createDirectories(path);
      dir = path.toString();
    }
    ResourceId resource = FileSystems.matchNewResource(dir, true);
    List<ResourceId> old =
        OutputFiles.ALL.stream()
            .map(name -> resource.resolve(name, ResolveOptions.StandardResolveOptions.RESOLVE_FILE))
            .toList();
    FileSystems.delete(old, MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    return dir;
  }

  private int usageError(String message) {
    err.println("bqjobs: " + message);
    err.println(USAGE_LINE);
    err.println("Run with --help for the options, exit codes and the jobs file format.");
    return EXIT_USAGE;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() != null ? t.getMessage() : t.toString();
  }
}
