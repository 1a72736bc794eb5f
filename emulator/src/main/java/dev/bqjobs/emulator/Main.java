package dev.bqjobs.emulator;

import dev.bqjobs.durations.DurationRange;
import dev.bqjobs.durations.Durations;
import dev.bqjobs.emulator.faults.FaultPlan;
import java.io.PrintStream;
import java.net.BindException;
import java.nio.file.Path;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CountDownLatch;

/**
 * The standalone local BigQuery server: {@code java -jar bqjobs-emulator.jar [options]}. Prints one
 * line containing {@code listening on http://HOST:PORT} to stdout once it accepts connections, and
 * stops cleanly on SIGTERM or Ctrl-C.
 */
public final class Main {
  static final String USAGE =
      String.join(
          "\n",
          "Usage: java -jar bqjobs-emulator.jar [options]",
          "",
          "A local BigQuery server: the BigQuery v2 REST API on loopback; jobs really run",
          "(SQL on embedded DuckDB). Point any BigQuery client at the printed URL.",
          "",
          "Options (each also as --name=value):",
          "  --host HOST              interface to bind (default 127.0.0.1)",
          "  --port PORT              TCP port; 0 picks a free one (default 9050)",
          "  --project NAME           default project shown to users (default local-project);",
          "                           requests may name any project",
          "  --data-dir DIR           keep tables, datasets and jobs in DIR, so a restarted",
          "                           server finds them (default: in memory)",
          "  --gcs-root DIR           folder standing in for gs:// (gs://BUCKET/PATH ->",
          "                           DIR/BUCKET/PATH); default a new temporary folder",
          "  --job-runtime MIN..MAX   keep each job RUNNING a random time in the range, e.g.",
          "                           200ms..2s, or one fixed value (default: none); the job",
          "                           label bqjobs-emulator-runtime-ms overrides it per job.",
          "                           Durations: " + Durations.FORMS + ";",
          "                           a number without a unit (milliseconds) is deprecated",
          "  --max-running-jobs N     at most N jobs RUNNING at once, the rest PENDING",
          "                           (default 100)",
          "  --seed N                 seed of the random runtimes and faults (default 42)",
          "  --faults SPEC            inject faults, reproducibly (grammar below)",
          "  --quota SPEC             per-method rate quotas in requests per second, e.g.",
          "                           jobs.get=1000,jobs.insert=100; above them: 403",
          "                           rateLimitExceeded",
          "  --iam FILE               access control: bearer tokens -> principals and role",
          "                           bindings (JSON; see README). Required to bind a",
          "                           non-loopback --host",
          "  --help                   print this help",
          "",
          "Fault SPEC grammar:",
          FaultPlan.GRAMMAR);

  /**
   * Jetty's lifecycle lines (version, connector started) say nothing the listening line does not;
   * its warnings still show. Held here: java.util.logging keeps loggers only weakly.
   */
  private static final java.util.logging.Logger JETTY_LOG =
      java.util.logging.Logger.getLogger("org.eclipse.jetty");

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err, true));
  }

  /** Runs the server until SIGTERM; returns the exit code (1 when it cannot start, 2 usage). */
  static int run(String[] args, PrintStream out, PrintStream err, boolean block) {
    JETTY_LOG.setLevel(java.util.logging.Level.WARNING);
    LocalBigQuery.Builder builder = LocalBigQuery.builder().port(9050);
    String host = "127.0.0.1";
    int port = 9050;
    try {
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        if (arg.equals("--help") || arg.equals("-h")) {
          out.println(USAGE);
          out.flush();
          return 0;
        }
        if (!arg.startsWith("--")) {
          throw new IllegalArgumentException("unexpected argument \"" + arg + "\"");
        }
        String name;
        String value;
        int eq = arg.indexOf('=');
        if (eq >= 0) {
          name = arg.substring(2, eq);
          value = arg.substring(eq + 1);
        } else {
          name = arg.substring(2);
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException("option --" + name + " needs a value");
          }
          value = args[++i];
        }
        switch (name) {
          case "host":
            host = value;
            builder.host(value);
            break;
          case "port":
            port = parseInt(name, value);
            builder.port(port);
            break;
          case "project":
            builder.project(value);
            break;
          case "data-dir":
            builder.dataDir(Path.of(value));
            break;
          case "gcs-root":
            builder.gcsRoot(Path.of(value));
            break;
          case "job-runtime":
            // A bare number meant milliseconds before the shared grammar: still read so, warned.
            DurationRange range =
                Durations.parseLegacyRange(value, ChronoUnit.MILLIS, "--job-runtime", err::println);
            builder.jobRuntime(range.min(), range.max());
            break;
          case "max-running-jobs":
            builder.maxRunningJobs(parseInt(name, value));
            break;
          case "iam":
            builder.iam(Path.of(value));
            break;
          case "faults":
            builder.faults(value);
            break;
          case "quota":
            builder.quotas(value);
            break;
          case "seed":
            builder.seed(Long.parseLong(value));
            break;
          default:
            throw new IllegalArgumentException("unknown option --" + name);
        }
      }
    } catch (RuntimeException e) {
      err.println("error: " + e.getMessage());
      err.println();
      err.println(USAGE);
      err.flush();
      return 2;
    }

    LocalBigQuery server;
    try {
      server = builder.start();
    } catch (BindException e) {
      err.println(
          "error: cannot listen on "
              + host
              + ":"
              + port
              + ": the port is already in use (or the address is not local). Use --port 0 for a"
              + " free port.");
      err.flush();
      return 1;
    } catch (Exception e) {
      err.println("error: cannot start the server: " + e.getMessage());
      err.flush();
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              server.close();
              stopped.countDown();
            },
            "bqjobs-emulator-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    out.println("bqjobs local BigQuery server, default project " + server.projectId());
    out.println("gs:// is mapped to " + server.gcsRoot());
    out.println("listening on " + server.rootUrl().substring(0, server.rootUrl().length() - 1));
    out.flush();
    if (!block) {
      Runtime.getRuntime().removeShutdownHook(hook);
      server.close();
      return 0;
    }
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  private static int parseInt(String name, String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "option --" + name + " needs a whole number, got \"" + value + "\"");
    }
  }
}
