package dev.bqjobs.pipelines.reliability;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.isIn;

import dev.bqjobs.emulator.LocalBigQuery;
import dev.bqjobs.pipelines.BqJobsCommand;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One row of the fault matrix: a kind of fault at a rate, {@code jobs} DML inserts run by the
 * {@code bqjobs} command against a local server injecting that fault, checked for conservation
 * against the server's executions and the inserted rows.
 */
final class FaultRow {
  static final String PROJECT = "bqjobs-local";

  /** The faults of the issue, each as the server's fault or quota spec at a rate. */
  enum Kind {
    /** HTTP 500 and 503 backendError on jobs.insert and jobs.get (refused, no effect). */
    HTTP_5XX("5xx"),
    /** HTTP 429 and 403 rateLimitExceeded on jobs.insert and jobs.get. */
    RATE_LIMITED("429"),
    /** jobs.insert takes effect, then the answer is lost (dropped connection or 503). */
    LOST_INSERT("lost_insert"),
    /** jobs.get answers are lost (dropped connection). */
    LOST_GET("lost_get"),
    /** Jobs end DONE with a retryable errorResult (five reasons); the transform reruns them. */
    JOB_FAILURE("job_failure"),
    /** Per-method rate quotas below the transform's own limits: 403 rateLimitExceeded above. */
    QUOTA("quota");

    final String label;

    Kind(String label) {
      this.label = label;
    }

    String faults(double r) {
      String h = num(r / 2);
      String f = num(r / 5);
      switch (this) {
        case HTTP_5XX:
          return "jobs.insert:500=" + h + ",503=" + h + ";jobs.get:500=" + h + ",503=" + h;
        case RATE_LIMITED:
          return "jobs.insert:429=" + h + ",403=" + h + ";jobs.get:429=" + h + ",403=" + h;
        case LOST_INSERT:
          return "jobs.insert:lost=" + h + ",lost503=" + h;
        case LOST_GET:
          return "jobs.get:lost=" + num(r);
        case JOB_FAILURE:
          return "job:backendError="
              + f
              + ",internalError="
              + f
              + ",jobInternalError="
              + f
              + ",jobBackendError="
              + f
              + ",jobRateLimitExceeded="
              + f;
        default:
          return "";
      }
    }

    /**
     * The quota row holds jobs.insert and jobs.get to a rate (requests per second, a one-second
     * token bucket) below what the transform asks for: 20 and 50 for the 10% row, 10 and 25 for the
     * 30% row. The refused share is measured and reported ({@code refused_or_lost}).
     */
    String quotas(double r) {
      if (this != QUOTA) {
        return "";
      }
      return r < 0.2 ? "jobs.insert=20,jobs.get=50" : "jobs.insert=10,jobs.get=25";
    }
  }

  private static String num(double d) {
    return String.format(java.util.Locale.ROOT, "%.3f", d);
  }

  private FaultRow() {}

  /**
   * Runs one row and asserts it; prints its figure line.
   *
   * @param extraArgs e.g. the Spark runner's options
   */
  static void run(String test, Kind kind, double rate, int jobs, Path dir, String... extraArgs)
      throws Exception {
    String token = (kind.label + "_" + Math.round(rate * 100) + "_" + jobs).replace('-', '_');
    try (LocalBigQuery server =
        LocalBigQuery.builder()
            .project(PROJECT)
            .jobRuntime(Duration.ofMillis(100), Duration.ofMillis(1000))
            .seed(7)
            .start()) {
      Reliability.createLog(server.client(), PROJECT);
      // Faults only after the set-up (a job fault would also fail the CREATE TABLE).
      server.setFaults(kind.faults(rate));
      server.setQuotas(kind.quotas(rate));
      Path jobsFile = Reliability.insertsFile(dir, jobs);
      Path out = dir.resolve("out");
      List<String> args =
          new ArrayList<>(
              List.of(
                  "--runToken=" + token,
                  "--jobIdPrefix=rel",
                  "--failOnJobFailure=false",
                  "--jobTimeout=10m"));
      args.addAll(List.of(extraArgs));
      Reliability.Run run =
          Reliability.commandOn(
              Duration.ofMinutes(Reliability.full() ? 20 : 6),
              server.rootUrl(),
              jobsFile,
              out,
              args.toArray(new String[0]));
      assertThat(run.toString(), run.exitCode, equalTo(BqJobsCommand.EXIT_OK));
      // The server's view is complete only after setFaults("") (the checks' own calls).
      server.setFaults("");
      server.setQuotas("");

      List<String> keys = new ArrayList<>();
      for (int i = 0; i < jobs; i++) {
        keys.add("k" + i);
      }
      List<Reliability.Line> lines = Reliability.results(out);
      Map<String, Integer> executed =
          Reliability.executions(server.executionsPerJob(), PROJECT, "rel_" + token + "_");
      Reliability.Check check = new Reliability.Check(keys, lines, executed);
      long[] rows = Reliability.logRows(server.client(), PROJECT);

      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("fault", kind.label);
      fields.put("rate", rate);
      if (kind == Kind.QUOTA) {
        fields.put("quota", kind.quotas(rate));
      }
      fields.putAll(check.fields());
      fields.put("rows", rows[0]);
      fields.put("rows_dup_keys", rows[1]);
      fields.put("insert_calls", calls(server.requestCounts(), "jobs.insert"));
      fields.put("get_calls", calls(server.requestCounts(), "jobs.get"));
      fields.put("refused_or_lost", refused(server.requestCounts()));
      fields.put("seconds", run.millis / 1000.0);
      Reliability.figure(test, fields);

      String context = test + " " + kind.label + " at " + rate;
      check.assertConserved(context);
      assertThat(context + ": one row per succeeded job", rows[0], equalTo((long) check.succeeded));
      assertThat(context + ": no key inserted twice", rows[1], equalTo(0L));
      if (kind == Kind.JOB_FAILURE) {
        // Only jobs that failed retryably on every allowed attempt (3) may end FAILED.
        for (Reliability.Line l : lines) {
          if (l.outcome.equals("FAILED")) {
            assertThat(context + ": " + l.key, l.attempts.size(), equalTo(3));
          }
        }
        assertThat(
            context,
            check.failedReasons.keySet(),
            everyItem(
                isIn(
                    Set.of(
                        "backendError",
                        "internalError",
                        "jobInternalError",
                        "jobBackendError",
                        "jobRateLimitExceeded"))));
      } else {
        assertThat(context + ": nothing failed " + check.failedReasons, check.failed, is(0));
      }
    }
  }

  private static long calls(Map<String, Long> counts, String method) {
    long n = 0;
    for (Map.Entry<String, Long> e : counts.entrySet()) {
      if (e.getKey().startsWith(method + " ")) {
        n += e.getValue();
      }
    }
    return n;
  }

  /** Answers that were refused or lost, per method and status, e.g. {@code jobs.insert 503=12}. */
  private static String refused(Map<String, Long> counts) {
    StringBuilder b = new StringBuilder();
    new java.util.TreeMap<>(counts)
        .forEach(
            (k, v) -> {
              if (!k.endsWith(" 200")
                  && (k.startsWith("jobs.insert") || k.startsWith("jobs.get"))) {
                b.append(b.length() == 0 ? "" : ",")
                    .append(k.replace(' ', ':'))
                    .append('=')
                    .append(v);
              }
            });
    return b.length() == 0 ? "-" : b.toString();
  }
}
