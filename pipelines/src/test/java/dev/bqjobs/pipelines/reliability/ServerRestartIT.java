package dev.bqjobs.pipelines.reliability;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import com.google.api.services.bigquery.Bigquery;
import com.google.api.services.bigquery.model.JobList;
import com.google.gson.JsonObject;
import dev.bqjobs.emulator.testing.ServerFixtures;
import dev.bqjobs.emulator.testing.ServerProcess;
import dev.bqjobs.pipelines.BqJobsCommand;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The local server process (with {@code --data-dir}) is SIGKILLed while the command's jobs run and
 * started again on the same port: every request still ends in exactly one result, no job ID runs
 * twice (the server keeps executions per job in its data dir), every job the server holds for the
 * run is an attempt of a result, and the table holds one row per succeeded job. Jobs RUNNING at the
 * kill end DONE {@code backendError} after the restart (never committed) and are rerun under a
 * derived ID ({@code reruns}); the server's count of executions does not include those killed
 * executions, as they left no trace.
 */
public class ServerRestartIT {
  private static final String PROJECT = "bqjobs-local";

  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void killedAndRestartedServerLosesNoRequestAndRunsNoJobTwice() throws Exception {
    int jobs = Reliability.full() ? 300 : 60;
    Path dir = tmp.getRoot().toPath();
    Path data = tmp.newFolder("data").toPath();
    String token = "restart_" + jobs;
    try (ServerProcess server =
        Reliability.server(dir.resolve("server.log"))
            .args(
                "--data-dir",
                data.toString(),
                "--project",
                PROJECT,
                "--job-runtime",
                "1s..4s",
                "--seed",
                "3")
            .start()) {
      Bigquery bq = ServerFixtures.client(server.rootUrl());
      Reliability.createLog(bq, PROJECT);
      Path jobsFile = Reliability.insertsFile(dir, jobs);
      Path out = dir.resolve("out");

      ExecutorService background = Executors.newSingleThreadExecutor();
      Future<Reliability.Run> command =
          background.submit(
              () ->
                  Reliability.commandOn(
                      Duration.ofMinutes(15),
                      server.rootUrl(),
                      jobsFile,
                      out,
                      "--runToken=" + token,
                      "--jobIdPrefix=rel",
                      "--maxConcurrentJobs=40",
                      "--failOnJobFailure=false",
                      "--jobTimeout=10m"));

      // Kill once a quarter of the jobs has started and some are RUNNING (bounded wait).
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
      JsonObject stats = server.stats();
      while (!(started(stats) >= jobs / 4 && running(stats) > 0)) {
        assertThat("jobs started before the deadline", System.nanoTime() < deadline, is(true));
        try {
          // Waits (bounded) on the command itself: it must not end before the kill.
          command.get(100, TimeUnit.MILLISECONDS);
          throw new AssertionError("the command ended before the server was killed");
        } catch (TimeoutException e) {
          // still running: look again
        }
        stats = server.stats();
      }
      int startedBeforeKill = started(stats);
      int runningAtKill = running(stats);
      Set<String> executedBefore = stats.getAsJsonObject("executionsPerJob").keySet();
      server.kill();
      long downMillis = server.restart().toMillis();

      Reliability.Run run = command.get(15, TimeUnit.MINUTES);
      background.shutdownNow();
      assertThat(run.toString(), run.exitCode, equalTo(BqJobsCommand.EXIT_OK));

      List<String> keys = new ArrayList<>();
      for (int i = 0; i < jobs; i++) {
        keys.add("k" + i);
      }
      List<Reliability.Line> lines = Reliability.results(out);
      JsonObject after = server.stats();
      Map<String, Integer> executedAfter = new TreeMap<>();
      after
          .getAsJsonObject("executionsPerJob")
          .entrySet()
          .forEach(e -> executedAfter.put(e.getKey(), e.getValue().getAsInt()));
      Map<String, Integer> executed =
          Reliability.executions(executedAfter, PROJECT, "rel_" + token + "_");
      Reliability.Check check = new Reliability.Check(keys, lines, executed);

      // Every job the server holds for this run (before and after the crash) is an attempt.
      Set<String> attempts = new HashSet<>();
      lines.forEach(l -> attempts.addAll(l.attempts));
      Set<String> held = jobIds(bq, "rel_" + token + "_");
      Set<String> orphans = new HashSet<>(held);
      orphans.removeAll(attempts);
      // Started before the kill and ended under their first ID: polled through the restart.
      int continued = 0;
      for (Reliability.Line l : lines) {
        if (l.attempts.size() == 1 && executedBefore.contains(PROJECT + ":" + l.attempts.get(0))) {
          continued++;
        }
      }
      long reattached = count(after, "jobs.insert 409");
      long[] rows = Reliability.logRows(bq, PROJECT);

      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("launcher", server.launcher());
      fields.put("started_before_kill", startedBeforeKill);
      fields.put("running_at_kill", runningAtKill);
      fields.put("down_ms", downMillis);
      fields.putAll(check.fields());
      fields.put("reattached_after_restart", reattached);
      fields.put("jobs_held", held.size());
      fields.put("jobs_held_not_in_results", orphans.size());
      fields.put("continued_through_restart", continued);
      fields.put("rows", rows[0]);
      fields.put("rows_dup_keys", rows[1]);
      fields.put("seconds", run.millis / 1000.0);
      Reliability.figure("server_restart", fields);

      assertThat("jobs ran when the server was killed", runningAtKill, greaterThan(0));
      check.assertConserved("server restart");
      assertThat(
          "every job on the server is a result's attempt: " + orphans, orphans.size(), is(0));
      assertThat("one row per succeeded job", rows[0], equalTo((long) check.succeeded));
      assertThat("no key inserted twice", rows[1], equalTo(0L));
      assertThat(
          "jobs that died with the server were rerun, not lost " + check.failedReasons,
          check.failed,
          is(0));
    }
  }

  private static int started(JsonObject stats) {
    return stats.getAsJsonObject("executionsPerJob").size();
  }

  private static int running(JsonObject stats) {
    JsonObject byState = stats.getAsJsonObject("jobsByState");
    return byState.has("RUNNING") ? byState.get("RUNNING").getAsInt() : 0;
  }

  private static long count(JsonObject stats, String methodAndStatus) {
    JsonObject requests = stats.getAsJsonObject("requests");
    return requests.has(methodAndStatus) ? requests.get(methodAndStatus).getAsLong() : 0;
  }

  /** The IDs of every job of the project the server holds whose ID starts with {@code prefix}. */
  private static Set<String> jobIds(Bigquery bq, String prefix) throws Exception {
    Set<String> ids = new HashSet<>();
    String page = null;
    for (int i = 0; i < 1000; i++) {
      JobList list =
          bq.jobs()
              .list(PROJECT)
              .setAllUsers(true)
              .setMaxResults(1000L)
              .setPageToken(page)
              .execute();
      if (list.getJobs() != null) {
        for (JobList.Jobs j : list.getJobs()) {
          String id = j.getJobReference().getJobId();
          if (id.startsWith(prefix)) {
            ids.add(id);
          }
        }
      }
      page = list.getNextPageToken();
      if (page == null) {
        return ids;
      }
    }
    throw new AssertionError("jobs.list did not end");
  }
}
