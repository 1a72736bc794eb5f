package dev.bqjobs.pipelines.reliability;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.services.bigquery.Bigquery;
import com.google.api.services.bigquery.model.TableRow;
import dev.bqjobs.emulator.testing.ServerFixtures;
import dev.bqjobs.emulator.testing.ServerProcess;
import dev.bqjobs.pipelines.BqJobsCommand;
import dev.bqjobs.pipelines.OutputFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Shared pieces of the reliability suite: the short/full switch, the figure lines, running the
 * {@code bqjobs} command with a deadline, reading its result files and checking them against the
 * server's executions.
 *
 * <p>Short version (default, part of {@code mvn verify}); full version: {@code mvn -B -pl pipelines
 * -am verify -Dtest=none -Dit.test='dev.bqjobs.pipelines.reliability.*IT'
 * -Dbqjobs.reliability=full}.
 */
final class Reliability {
  private Reliability() {}

  static final ObjectMapper JSON = new ObjectMapper();

  /** {@code -Dbqjobs.reliability=full} runs the full matrix; anything else the short one. */
  static boolean full() {
    return "full".equalsIgnoreCase(System.getProperty("bqjobs.reliability", "short"));
  }

  static String mode() {
    return full() ? "full" : "short";
  }

  // ------------------------------------------------------------------ figures

  /**
   * Prints one machine-readable line {@code reliability: test=T k=v ...} and appends it to {@code
   * target/reliability/figures.txt}, from which {@code src/docs/reliability.md} is regenerated.
   */
  static void figure(String test, Map<String, ?> fields) {
    StringBuilder line = new StringBuilder("reliability: test=").append(test);
    line.append(" mode=").append(mode());
    fields.forEach((k, v) -> line.append(' ').append(k).append('=').append(v));
    line.append(" load=").append(load());
    System.out.println(line);
    try {
      Path dir = Paths.get("target", "reliability");
      Files.createDirectories(dir);
      Files.writeString(
          dir.resolve("figures.txt"),
          line + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The one-minute load average, so each figure says how busy the machine was. */
  static String load() {
    double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    return String.format("%.1f", load);
  }

  // ------------------------------------------------------------------ the command

  /** One run of the command with captured console output. */
  static final class Run {
    final int exitCode;
    final String out;
    final String err;
    final long millis;

    Run(int exitCode, String out, String err, long millis) {
      this.exitCode = exitCode;
      this.out = out;
      this.err = err;
      this.millis = millis;
    }

    @Override
    public String toString() {
      return "exit " + exitCode + "\nstdout:\n" + out + "\nstderr:\n" + err;
    }
  }

  /**
   * Runs the command on {@code jobsFile} against the BigQuery endpoint {@code rootUrl}, writing to
   * {@code out}, with {@code extra} arguments; see {@link #command}.
   */
  static Run commandOn(Duration deadline, String rootUrl, Path jobsFile, Path out, String... extra)
      throws Exception {
    List<String> args = new ArrayList<>();
    args.add("--jobs=" + jobsFile);
    args.add("--output=" + out);
    args.add("--bigQueryEndpoint=" + rootUrl);
    args.addAll(List.of(extra));
    return command(deadline, args.toArray(new String[0]));
  }

  /** Runs the command in this JVM; fails the test if it has not ended within {@code deadline}. */
  static Run command(Duration deadline, String... args) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ExecutorService executor = Executors.newSingleThreadExecutor();
    long start = System.nanoTime();
    try {
      Future<Integer> code =
          executor.submit(
              () ->
                  new BqJobsCommand(
                          new PrintStream(out, true, StandardCharsets.UTF_8),
                          new PrintStream(err, true, StandardCharsets.UTF_8),
                          false)
                      .execute(args));
      int exit;
      try {
        exit = code.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        code.cancel(true);
        throw new AssertionError(
            "the command hung: no exit within "
                + deadline
                + " for "
                + String.join(" ", args)
                + "\nstdout:\n"
                + out.toString(StandardCharsets.UTF_8)
                + "\nstderr:\n"
                + err.toString(StandardCharsets.UTF_8));
      }
      return new Run(
          exit,
          out.toString(StandardCharsets.UTF_8),
          err.toString(StandardCharsets.UTF_8),
          (System.nanoTime() - start) / 1_000_000);
    } finally {
      executor.shutdownNow();
    }
  }

  // ------------------------------------------------------------------ jobs files and results

  /** A jobs-file entry (JSONL) for a DML insert of one row holding the key into {@code ds.log}. */
  static String insertEntry(String key) {
    return "{\"key\":\""
        + key
        + "\",\"configuration\":{\"query\":{\"query\":\"INSERT INTO ds.log (k) VALUES ('"
        + key
        + "')\",\"useLegacySql\":false}}}";
  }

  /** A JSONL jobs file of {@code n} inserts with keys {@code k0 .. k(n-1)}. */
  static Path insertsFile(Path dir, int n) throws IOException {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      lines.add(insertEntry("k" + i));
    }
    Files.createDirectories(dir);
    Path file = dir.resolve("jobs.jsonl");
    Files.write(file, lines, StandardCharsets.UTF_8);
    return file;
  }

  /** One line of the command's result files. */
  static final class Line {
    final String key;
    final String outcome;
    final String jobId;
    final List<String> attempts = new ArrayList<>();
    final String reason;
    final String message;
    final String file;
    final JsonNode json;

    Line(JsonNode n, String file) {
      this.json = n;
      this.file = file;
      this.key = n.get("key").asText();
      this.outcome = n.get("outcome").asText();
      this.jobId = n.hasNonNull("jobId") ? n.get("jobId").asText() : null;
      if (n.has("attempts")) {
        n.get("attempts").forEach(a -> attempts.add(a.asText()));
      }
      JsonNode error = n.get("errorResult");
      this.reason = error != null && error.hasNonNull("reason") ? error.get("reason").asText() : "";
      this.message =
          error != null && error.hasNonNull("message") ? error.get("message").asText() : "";
    }
  }

  /** Every line of succeeded, warnings and failed. */
  static List<Line> results(Path outDir) throws IOException {
    List<Line> lines = new ArrayList<>();
    for (String name : List.of(OutputFiles.SUCCEEDED, OutputFiles.WARNINGS, OutputFiles.FAILED)) {
      Path f = outDir.resolve(name);
      if (!Files.exists(f)) {
        continue;
      }
      for (String text : Files.readAllLines(f, StandardCharsets.UTF_8)) {
        if (!text.isBlank()) {
          lines.add(new Line(JSON.readTree(text), name));
        }
      }
    }
    return lines;
  }

  /**
   * The conservation check of one run: every input key in exactly one result line; every job the
   * server executed for this run is an attempt of some result and ran once; reruns are the declared
   * extra attempts.
   */
  static final class Check {
    final int inputs;
    final int results;
    final int lost;
    final int duplicated;
    final int succeeded;
    final int warnings;
    final int failed;
    final int reruns;
    final int executions;
    final int executionsMax;
    final int orphans;
    final Map<String, Integer> failedReasons = new TreeMap<>();

    Check(List<String> keys, List<Line> lines, Map<String, Integer> executed) {
      Map<String, Integer> seen = new HashMap<>();
      java.util.Set<String> attempts = new java.util.HashSet<>();
      int s = 0;
      int w = 0;
      int f = 0;
      int r = 0;
      for (Line l : lines) {
        seen.merge(l.key, 1, Integer::sum);
        attempts.addAll(l.attempts);
        r += Math.max(0, l.attempts.size() - 1);
        switch (l.outcome) {
          case "SUCCEEDED":
            s++;
            break;
          case "SUCCEEDED_WITH_WARNINGS":
            w++;
            break;
          default:
            f++;
            failedReasons.merge(l.reason, 1, Integer::sum);
        }
      }
      int lostCount = 0;
      for (String k : keys) {
        if (!seen.containsKey(k)) {
          lostCount++;
        }
      }
      int dup = 0;
      for (int c : seen.values()) {
        dup += c - 1;
      }
      int extra = 0;
      for (String k : seen.keySet()) {
        if (!keys.contains(k)) {
          extra++;
        }
      }
      int orphanCount = 0;
      int max = 0;
      int total = 0;
      for (Map.Entry<String, Integer> e : executed.entrySet()) {
        max = Math.max(max, e.getValue());
        total += e.getValue();
        if (!attempts.contains(e.getKey())) {
          orphanCount++;
        }
      }
      this.inputs = keys.size();
      this.results = lines.size();
      this.lost = lostCount;
      this.duplicated = dup + extra;
      this.succeeded = s;
      this.warnings = w;
      this.failed = f;
      this.reruns = r;
      this.executions = total;
      this.executionsMax = max;
      this.orphans = orphanCount;
    }

    boolean eachOnce() {
      return lost == 0 && duplicated == 0 && results == inputs;
    }

    Map<String, Object> fields() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("jobs", inputs);
      m.put("results", results);
      m.put("each_once", eachOnce());
      m.put("lost", lost);
      m.put("duplicated", duplicated);
      m.put("succeeded", succeeded);
      m.put("warnings", warnings);
      m.put("failed", failed);
      m.put("failed_reasons", failedReasons.isEmpty() ? "-" : failedReasons.toString());
      m.put("executions", executions);
      m.put("executions_max", executionsMax);
      m.put("orphan_jobs", orphans);
      m.put("reruns", reruns);
      return m;
    }

    /** Nothing lost, nothing duplicated, no job executed twice or outside a result. */
    void assertConserved(String context) {
      assertThat(context + ": every input has exactly one result", eachOnce(), is(true));
      assertThat(context + ": no job ID executed twice", executionsMax <= 1, is(true));
      assertThat(context + ": every executed job is an attempt of a result", orphans, equalTo(0));
      assertThat(
          context + ": executions are the results' attempts (first runs plus declared reruns)",
          executions <= results + reruns,
          is(true));
    }
  }

  /** Executions per job ID of the jobs whose ID starts with {@code project:prefix}. */
  static Map<String, Integer> executions(Map<String, Integer> all, String project, String prefix) {
    Map<String, Integer> out = new TreeMap<>();
    all.forEach(
        (k, v) -> {
          if (k.startsWith(project + ":" + prefix)) {
            out.put(k.substring(project.length() + 1), v);
          }
        });
    return out;
  }

  // ------------------------------------------------------------------ server-side data

  /** Dataset {@code ds} and the table {@code ds.log} that {@link #insertEntry} jobs write. */
  static void createLog(Bigquery bq, String project) throws IOException {
    createDataset(bq, project, "ds");
    sql(bq, project, "CREATE TABLE ds.log (k STRING)");
  }

  static void createDataset(Bigquery bq, String project, String dataset) throws IOException {
    ServerFixtures.createDataset(bq, project, dataset, "US");
  }

  /**
   * The local server as its own process on a free port, output appended to {@code log}: the
   * standalone jar when it has been built, else its main class from the test class path.
   */
  static ServerProcess.Builder server(Path log) {
    return ServerProcess.builder()
        .jarIfBuilt(ServerProcess.BUILT_JAR)
        .jvmOptions("-Xmx512m")
        .log(log);
  }

  /** Runs SQL to completion through jobs.query and returns its rows. */
  static List<TableRow> sql(Bigquery bq, String project, String sql) throws IOException {
    return ServerFixtures.runSql(bq, project, sql);
  }

  /** Rows of {@code ds.log} (one per successful insert job) and keys inserted more than once. */
  static long[] logRows(Bigquery bq, String project) throws IOException {
    List<TableRow> total = sql(bq, project, "SELECT COUNT(*) AS c FROM ds.log");
    List<TableRow> dups =
        sql(
            bq,
            project,
            "SELECT COUNT(*) AS c FROM (SELECT k FROM ds.log GROUP BY k HAVING COUNT(*) > 1)");
    return new long[] {cell(total), cell(dups)};
  }

  private static long cell(List<TableRow> rows) {
    Object v = ((Map<?, ?>) ((List<?>) rows.get(0).get("f")).get(0)).get("v");
    return Long.parseLong(String.valueOf(v));
  }
}
