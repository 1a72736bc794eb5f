package dev.bqjobs.pipelines.reliability;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import dev.bqjobs.emulator.LocalBigQuery;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Results tell the truth through long outages and relaunches, against the local server over HTTP
 * with the {@code bqjobs} command:
 *
 * <ul>
 *   <li>jobs.get answers 503 for 45 s (120 s in the full suite) while a 20 s job runs: the job is
 *       reported SUCCEEDED, as it is, and runs once (it used to be reported FAILED backendError
 *       after about 30 s while it went on to succeed).
 *   <li>jobs.insert answers 503 for as long: the insert is retried with the same job ID until it
 *       goes through; the job runs once and succeeds.
 *   <li>Two launches under one fixed job name (as schedulers launch pipelines daily) each run their
 *       jobs: two DML inserts, two rows. With one explicit run token they reattach: one row.
 * </ul>
 */
public class OutageIT {
  private static final String PROJECT = "bqjobs-local";

  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private static Duration outage() {
    return Duration.ofSeconds(Reliability.full() ? 120 : 45);
  }

  /** A DML insert of one row that stays RUNNING {@code runtimeMs} on the local server. */
  private static String slowInsertEntry(String key, long runtimeMs) {
    return "{\"key\":\""
        + key
        + "\",\"labels\":{\"bqjobs-emulator-runtime-ms\":\""
        + runtimeMs
        + "\"},\"configuration\":{\"query\":{\"query\":\"INSERT INTO ds.log (k) VALUES ('"
        + key
        + "')\",\"useLegacySql\":false}}}";
  }

  private static LocalBigQuery server() throws Exception {
    LocalBigQuery server = LocalBigQuery.builder().project(PROJECT).start();
    Reliability.createLog(server.client(), PROJECT);
    return server;
  }

  @Test
  public void jobsGetOutageWhileTheJobRunsReportsItsRealOutcome() throws Exception {
    outageRow("jobs.get", "outage_get");
  }

  @Test
  public void jobsInsertOutageStartsTheJobOnceItEnds() throws Exception {
    outageRow("jobs.insert", "outage_insert");
  }

  private void outageRow(String method, String figure) throws Exception {
    Path dir = tmp.getRoot().toPath();
    Path jobsFile = dir.resolve("jobs.jsonl");
    Files.write(jobsFile, List.of(slowInsertEntry("slow", 20_000)), StandardCharsets.UTF_8);
    try (LocalBigQuery server = server()) {
      ExecutorService background = Executors.newSingleThreadExecutor();
      try {
        if (method.equals("jobs.insert")) {
          server.setFaults("jobs.insert:503=1");
        }
        long start = System.nanoTime();
        Future<Reliability.Run> command =
            background.submit(
                () ->
                    Reliability.commandOn(
                        Duration.ofMinutes(10),
                        server.rootUrl(),
                        jobsFile,
                        dir.resolve("out"),
                        "--jobIdPrefix=rel"));
        if (method.equals("jobs.get")) {
          awaitExecution(server, command);
          server.setFaults("jobs.get:503=1");
        }
        // The outage itself is the subject: it lasts its real duration, whatever the clock.
        Thread.sleep(outage().toMillis());
        long refused = server.requestCounts().getOrDefault(method + " 503", 0L);
        server.setFaults("");
        Reliability.Run run = command.get();
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;

        List<Reliability.Line> lines = Reliability.results(dir.resolve("out"));
        Map<String, Integer> executions =
            Reliability.executions(server.executionsPerJob(), PROJECT, "rel_");
        long[] rows = Reliability.logRows(server.client(), PROJECT);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("outage_s", outage().getSeconds());
        fields.put("refused_503", refused);
        fields.put("outcome", lines.isEmpty() ? "none" : lines.get(0).outcome);
        fields.put("reason", lines.isEmpty() ? "" : lines.get(0).reason);
        fields.put("executions", executions.values().stream().mapToInt(i -> i).sum());
        fields.put("rows", rows[0]);
        fields.put("run_s", seconds);
        Reliability.figure(figure, fields);

        assertThat(run.toString(), run.exitCode, equalTo(0));
        assertThat("one result", lines.size(), equalTo(1));
        assertThat(lines.get(0).outcome, equalTo("SUCCEEDED"));
        assertThat("the outage was real", refused, greaterThan(2L));
        assertThat("the job ran once", List.copyOf(executions.values()), equalTo(List.of(1)));
        assertThat("one row", rows[0], equalTo(1L));
      } finally {
        background.shutdownNow();
      }
    }
  }

  /** Waits until the server has started the command's job (bounded by the command's own end). */
  private static void awaitExecution(LocalBigQuery server, Future<?> command) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (Reliability.executions(server.executionsPerJob(), PROJECT, "rel_").isEmpty()) {
      if (command.isDone() || System.nanoTime() > deadline) {
        throw new AssertionError("the job never started: " + command.get());
      }
      Thread.sleep(50);
    }
  }

  @Test
  public void twoLaunchesUnderOneJobNameRunTwiceAndOneRunTokenReattaches() throws Exception {
    int jobs = Reliability.full() ? 100 : 10;
    Path dir = tmp.getRoot().toPath();
    Path jobsFile = Reliability.insertsFile(dir, jobs);
    try (LocalBigQuery server = server()) {
      for (int launch = 1; launch <= 2; launch++) {
        launchNightly(server, jobsFile, dir.resolve("named" + launch), "--jobIdPrefix=named");
      }
      long namedRows = Reliability.logRows(server.client(), PROJECT)[0];
      int namedJobs = Reliability.executions(server.executionsPerJob(), PROJECT, "named_").size();
      for (int launch = 1; launch <= 2; launch++) {
        launchNightly(
            server,
            jobsFile,
            dir.resolve("token" + launch),
            "--jobIdPrefix=token",
            "--runToken=nightly_2026_12_02");
      }
      long allRows = Reliability.logRows(server.client(), PROJECT)[0];
      int tokenJobs = Reliability.executions(server.executionsPerJob(), PROJECT, "token_").size();

      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("jobs", jobs);
      fields.put("same_job_name_launches", 2);
      fields.put("same_job_name_jobs", namedJobs);
      fields.put("same_job_name_rows", namedRows);
      fields.put("same_run_token_jobs", tokenJobs);
      fields.put("same_run_token_rows", allRows - namedRows);
      Reliability.figure("fixed_job_name", fields);

      assertThat("each launch ran its jobs", namedJobs, equalTo(2 * jobs));
      assertThat("each launch inserted its rows", namedRows, equalTo(2L * jobs));
      assertThat("one run token: the second launch reattached", tokenJobs, equalTo(jobs));
      assertThat(allRows - namedRows, equalTo((long) jobs));
    }
  }

  /** One launch of the command under the fixed job name a scheduler would use. */
  private static void launchNightly(LocalBigQuery server, Path jobsFile, Path out, String... extra)
      throws Exception {
    List<String> args = new ArrayList<>(List.of("--jobName=nightly-load"));
    args.addAll(List.of(extra));
    Reliability.Run run =
        Reliability.commandOn(
            Duration.ofMinutes(5), server.rootUrl(), jobsFile, out, args.toArray(new String[0]));
    assertThat(run.toString(), run.exitCode, equalTo(0));
  }
}
