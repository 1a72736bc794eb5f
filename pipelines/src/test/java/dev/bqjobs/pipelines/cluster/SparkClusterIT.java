package dev.bqjobs.pipelines.cluster;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.junit.Assert.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bqjobs.emulator.testing.ServerFixtures;
import dev.bqjobs.emulator.testing.ServerProcess;
import dev.bqjobs.pipelines.BqJobsCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * The demo on a real Spark standalone cluster: a master and two workers in their own JVMs, the
 * pipeline's tasks in executor JVMs the workers start, the local BigQuery server in its own process
 * with a {@code gs://} folder every process sees. The driver runs here ({@link BqJobsCommand} with
 * {@code --runner=SparkRunner --sparkMaster=spark://127.0.0.1:PORT}).
 */
@RunWith(JUnit4.class)
public class SparkClusterIT {
  @Test
  public void demoRunsOnTwoWorkerCluster() throws Exception {
    Path root = SparkCluster.freshDir("demo");
    Path gcsRoot = copyDemo(root.resolve("demo"));
    Path out = root.resolve("out");
    Path events = root.resolve("events");
    Path clusterDir = root.resolve("cluster");

    try (SparkCluster cluster = SparkCluster.start(clusterDir, 2, 1, "1g");
        ServerProcess server = SparkCluster.localServer(root, gcsRoot).start()) {
      ServerFixtures.createDataset(
          ServerFixtures.client(server.rootUrl()), "bqjobs-local", "demo", "US");
      List<String> args = new ArrayList<>();
      args.add("--jobs=" + gcsRoot.resolve("jobs.yaml"));
      args.add("--output=" + out);
      args.add("--bigQueryEndpoint=" + server.rootUrl());
      args.addAll(ClusterRun.runnerArgs(cluster));

      ClusterRun run = ClusterRun.of(events, args);

      assertEquals(run.toString(), BqJobsCommand.EXIT_JOB_FAILED, run.exitCode);
      List<JsonNode> succeeded = ClusterRun.lines(out.resolve("succeeded.jsonl"));
      assertEquals(
          run.toString(),
          List.of("backup_customers", "count_countries", "export_customers", "load_customers"),
          ClusterRun.keys(succeeded));
      assertEquals("6", succeeded.get(3).at("/statistics/load/outputRows").asText());
      List<JsonNode> warnings = ClusterRun.lines(out.resolve("warnings.jsonl"));
      assertEquals(List.of("load_orders"), ClusterRun.keys(warnings));
      assertEquals("2", warnings.get(0).at("/statistics/load/badRecords").asText());
      List<JsonNode> failed = ClusterRun.lines(out.resolve("failed.jsonl"));
      assertEquals(List.of("fails_on_purpose"), ClusterRun.keys(failed));
      assertEquals("notFound", failed.get(0).at("/errorResult/reason").asText());
      assertEquals(
          "{\"total\":6,\"succeeded\":4,\"warnings\":1,\"failed\":1}",
          Files.readString(out.resolve("summary.json")).trim());
      assertEquals(
          7, Files.readAllLines(gcsRoot.resolve("demo-bucket/output/customers.csv")).size());
      assertThat(run.out, containsString("total 6: 4 succeeded, 1 with warnings, 1 failed"));

      // Each job ran exactly once on the server.
      JsonNode executions = ClusterRun.stats(server).path("executionsPerJob");
      assertEquals(executions.toString(), 6, executions.size());
      List<Integer> counts = new ArrayList<>();
      executions.forEach(n -> counts.add(n.asInt()));
      assertThat(counts, everyItem(is(1)));

      // The jobs were started by executor JVMs of the workers, not by the driver.
      assertThat(executorLogLines(clusterDir, "Started BigQuery job"), hasSize(6));
      JsonNode apps = cluster.masterJson().path("completedapps");
      assertEquals(apps.toString(), 1, apps.size());
      assertThat(ClusterRun.taskCounts(events).tasks, greaterThan(0));
    }
  }

  /** Lines containing {@code text} in every executor's stderr under the workers' work folders. */
  static List<String> executorLogLines(Path clusterDir, String text) throws IOException {
    List<String> lines = new ArrayList<>();
    Path work = clusterDir.resolve("work");
    try (Stream<Path> files = Files.walk(work)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (f.getFileName().toString().equals("stderr")) {
          for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
            if (line.contains(text)) {
              lines.add(line);
            }
          }
        }
      }
    }
    return lines;
  }

  /** Copies {@code examples/demo} (without earlier output) to {@code target}; returns target. */
  static Path copyDemo(Path target) throws IOException {
    Path source = Paths.get("examples", "demo");
    try (Stream<Path> files = Files.walk(source)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Path dest = target.resolve(source.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(dest);
        } else if (!file.toString().contains("output")) {
          Files.copy(file, dest);
        }
      }
    }
    return target;
  }
}
