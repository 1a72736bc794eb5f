package dev.bqjobs.pipelines.cluster;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bqjobs.emulator.testing.ServerProcess;
import dev.bqjobs.pipelines.BqJobsCommand;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * Kills one executor JVM with SIGKILL while its jobs are in flight on a two-worker Spark standalone
 * cluster. Spark re-runs the lost tasks (and recomputes lost shuffle output) on a new executor; the
 * re-run shards compute the same job IDs, get 409 on jobs.insert and reattach. The run must end
 * with every request in exactly one output and every job executed exactly once on the server.
 *
 * <p>Slow (a few minutes on two cores): runs with {@code -Dbqjobs.cluster.faults=true}. It prints
 * its figures (the report in {@code src/docs/reliability.md}, "Spark cluster") to stdout and to
 * {@code target/spark-cluster-fault.txt}.
 */
@RunWith(JUnit4.class)
public class SparkClusterFaultIT {
  static final int JOBS = Integer.getInteger("bqjobs.cluster.faults.jobs", 300);

  @Test
  public void killedExecutorLosesNothingAndDuplicatesNothing() throws Exception {
    assumeTrue(
        "slow: run with -Dbqjobs.cluster.faults=true", Boolean.getBoolean("bqjobs.cluster.faults"));
    Path root = SparkCluster.freshDir("fault");
    Path jobs = root.resolve("jobs.jsonl");
    List<String> keys = new ArrayList<>();
    StringBuilder file = new StringBuilder();
    for (int i = 0; i < JOBS; i++) {
      String key = String.format("q%04d", i);
      keys.add(key);
      file.append("{\"key\":\"")
          .append(key)
          .append("\",\"configuration\":{\"query\":{\"query\":\"SELECT ")
          .append(i)
          .append(" AS n\",\"useLegacySql\":false}}}\n");
    }
    Files.writeString(jobs, file.toString(), StandardCharsets.UTF_8);
    Path out = root.resolve("out");
    Path events = root.resolve("events");
    Path clusterDir = root.resolve("cluster");
    Path gcsRoot = Files.createDirectories(root.resolve("gcs"));

    ExecutorService driver = Executors.newSingleThreadExecutor();
    try (SparkCluster cluster = SparkCluster.start(clusterDir, 2, 1, "1g");
        ServerProcess server =
            SparkCluster.localServer(root, gcsRoot)
                .args("--job-runtime", "2s..5s", "--max-running-jobs", "200")
                .start()) {
      List<String> args = new ArrayList<>();
      args.add("--jobs=" + jobs);
      args.add("--output=" + out);
      args.add("--bigQueryEndpoint=" + server.rootUrl());
      args.add("--maxConcurrentJobs=100");
      args.addAll(ClusterRun.runnerArgs(cluster));
      long started = System.nanoTime();
      Future<ClusterRun> running = driver.submit(() -> ClusterRun.of(events, args));

      // Wait (bounded) until jobs are in flight on the server, then SIGKILL one executor.
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
      int executedAtKill = -1;
      ProcessHandle killed = null;
      while (killed == null) {
        assertTrue("no jobs in flight within 5 minutes", System.nanoTime() < deadline);
        assertTrue(
            "the run ended before the kill: " + (running.isDone() ? running.get() : ""),
            !running.isDone());
        JsonNode stats = ClusterRun.stats(server);
        int running0 = stats.path("jobsByState").path("RUNNING").asInt();
        int executed = stats.path("executionsPerJob").size();
        List<ProcessHandle> executors = cluster.executors();
        if (running0 > 0 && executed >= 40 && !executors.isEmpty()) {
          killed = executors.get(0);
          executedAtKill = executed;
          killed.destroyForcibly(); // SIGKILL
        } else {
          Thread.sleep(200);
        }
      }
      assertTrue(killed.onExit().get(30, TimeUnit.SECONDS) != null);

      ClusterRun run = running.get(15, TimeUnit.MINUTES);
      long wallMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      assertEquals(run.toString(), BqJobsCommand.EXIT_OK, run.exitCode);

      // Every request in exactly one output.
      List<String> succeeded = ClusterRun.keys(ClusterRun.lines(out.resolve("succeeded.jsonl")));
      List<String> warnings = ClusterRun.keys(ClusterRun.lines(out.resolve("warnings.jsonl")));
      List<String> failed = ClusterRun.keys(ClusterRun.lines(out.resolve("failed.jsonl")));
      List<String> all = new ArrayList<>(succeeded);
      all.addAll(warnings);
      all.addAll(failed);
      Set<String> distinct = new HashSet<>(all);
      int duplicateResults = all.size() - distinct.size();
      assertEquals(new TreeSet<>(keys), new TreeSet<>(all));
      assertEquals(0, duplicateResults);
      assertThat(failed, empty());

      // Every job executed exactly once on the server; re-run shards reattached (409 on insert).
      JsonNode stats = ClusterRun.stats(server);
      JsonNode executions = stats.path("executionsPerJob");
      List<Integer> counts = new ArrayList<>();
      executions.forEach(n -> counts.add(n.asInt()));
      int duplicateExecutions = counts.stream().mapToInt(c -> c - 1).sum();
      assertEquals(JOBS, executions.size());
      assertThat(counts, everyItem(is(1)));
      JsonNode requests = stats.path("requests");
      long inserts200 = requests.path("jobs.insert 200").asLong();
      long inserts409 = requests.path("jobs.insert 409").asLong();
      long gets = 0;
      for (var it = requests.fields(); it.hasNext(); ) {
        var e = it.next();
        if (e.getKey().startsWith("jobs.get ")) {
          gets += e.getValue().asLong();
        }
      }
      ClusterRun.TaskCounts tasks = ClusterRun.taskCounts(events);
      List<String> reattachedLogged =
          SparkClusterIT.executorLogLines(clusterDir, "Reattached to existing BigQuery job");

      String figures =
          String.join(
              "\n",
              "spark-cluster fault run: " + JOBS + " jobs, 2 workers x 1 core, runtime 2s..5s",
              "executions on the server when one executor was SIGKILLed: " + executedAtKill,
              "killed executor pid: " + killed.pid(),
              "wall (driver, incl. SparkContext start): " + wallMs + " ms",
              "outputs: succeeded "
                  + succeeded.size()
                  + ", warnings "
                  + warnings.size()
                  + ", failed "
                  + failed.size()
                  + ", duplicate results "
                  + duplicateResults,
              "server: jobs "
                  + executions.size()
                  + ", executions beyond one per job "
                  + duplicateExecutions
                  + ", jobs.insert 200: "
                  + inserts200
                  + ", jobs.insert 409 (reattached): "
                  + inserts409
                  + ", jobs.get: "
                  + gets,
              "executor logs: 'Reattached' lines " + reattachedLogged.size(),
              "event log: " + tasks,
              "command output:",
              run.out);
      System.out.println(figures);
      Files.writeString(Path.of("target", "spark-cluster-fault.txt"), figures);

      assertThat("an executor was lost", tasks.executorsRemoved, greaterThanOrEqualTo(1));
      assertThat("lost tasks were re-run", tasks.failedTasks, greaterThan(0));
      assertThat("re-run shards reattached", inserts409, greaterThan(0L));
      assertEquals(JOBS, inserts200);
    } finally {
      driver.shutdownNow();
    }
  }
}
