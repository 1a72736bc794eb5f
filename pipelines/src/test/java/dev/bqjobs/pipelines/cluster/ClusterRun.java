package dev.bqjobs.pipelines.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bqjobs.emulator.testing.ServerProcess;
import dev.bqjobs.pipelines.BqJobsCommand;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One run of the {@code bqjobs} command with its driver in this JVM (the test classpath has Spark,
 * so no {@code -Pspark} jar is needed) and its tasks on a {@link SparkCluster}.
 *
 * <p>Spark settings Beam has no option for go in as {@code spark.*} system properties, which the
 * runner's {@code SparkConf} reads, and are restored afterwards: the executors' {@code --add-opens}
 * ({@code spark.executor.extraJavaOptions}), a loopback driver, no driver UI, and an event log (the
 * source of the task-retry counts).
 */
final class ClusterRun {
  private static final ObjectMapper JSON = new ObjectMapper();

  final int exitCode;
  final String out;
  final String err;

  private ClusterRun(int exitCode, String out, String err) {
    this.exitCode = exitCode;
    this.out = out;
    this.err = err;
  }

  /**
   * The runner arguments for {@code cluster}: SparkRunner, its master, only this module's classes
   * staged (the workers' Spark home already holds every jar of the classpath) and cached partitions
   * stored encoded, so that an executor can read one cached on another executor.
   */
  static List<String> runnerArgs(SparkCluster cluster) {
    return List.of(
        "--runner=SparkRunner",
        "--sparkMaster=" + cluster.masterUrl(),
        "--filesToStage=" + Paths.get("target", "classes").toAbsolutePath(),
        "--storageLevel=MEMORY_AND_DISK");
  }

  /** Runs the command with {@code args}; the event log goes to {@code eventLogDir}. */
  static ClusterRun of(Path eventLogDir, List<String> args) throws IOException {
    Files.createDirectories(eventLogDir);
    Map<String, String> props = new HashMap<>();
    props.put(
        "spark.executor.extraJavaOptions",
        String.join(" ", SparkCluster.OPENS) + " " + String.join(" ", SparkCluster.LOG_FLAGS));
    props.put("spark.executor.memory", "768m");
    props.put("spark.driver.host", "127.0.0.1");
    props.put("spark.driver.bindAddress", "127.0.0.1");
    props.put("spark.ui.enabled", "false");
    props.put("spark.eventLog.enabled", "true");
    props.put("spark.eventLog.dir", eventLogDir.toUri().toString());
    Map<String, String> saved = new HashMap<>();
    for (Map.Entry<String, String> p : props.entrySet()) {
      saved.put(p.getKey(), System.getProperty(p.getKey()));
      System.setProperty(p.getKey(), p.getValue());
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      int code =
          new BqJobsCommand(
                  new PrintStream(out, true, StandardCharsets.UTF_8),
                  new PrintStream(err, true, StandardCharsets.UTF_8),
                  false)
              .execute(args.toArray(new String[0]));
      return new ClusterRun(
          code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      for (Map.Entry<String, String> p : saved.entrySet()) {
        if (p.getValue() == null) {
          System.clearProperty(p.getKey());
        } else {
          System.setProperty(p.getKey(), p.getValue());
        }
      }
    }
  }

  /** The JSON objects of one output file, in file order. */
  static List<JsonNode> lines(Path file) throws IOException {
    List<JsonNode> nodes = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        nodes.add(JSON.readTree(line));
      }
    }
    return nodes;
  }

  static List<String> keys(List<JsonNode> nodes) {
    return nodes.stream().map(n -> n.get("key").asText()).toList();
  }

  /** Task figures from the Spark event log(s) in {@code eventLogDir}. */
  static TaskCounts taskCounts(Path eventLogDir) throws IOException {
    TaskCounts counts = new TaskCounts();
    try (Stream<Path> files = Files.list(eventLogDir)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          JsonNode event = JSON.readTree(line);
          String type = event.path("Event").asText();
          if (type.equals("SparkListenerTaskEnd")) {
            counts.tasks++;
            String reason = event.path("Task End Reason").path("Reason").asText();
            if (!reason.equals("Success")) {
              counts.failedTasks++;
              counts.failureReasons.merge(reason, 1, Integer::sum);
            }
            if (event.path("Task Info").path("Attempt").asInt() > 0) {
              counts.retriedTasks++;
            }
          } else if (type.equals("SparkListenerStageSubmitted")
              && event.path("Stage Info").path("Stage Attempt ID").asInt() > 0) {
            counts.stageRetries++;
          } else if (type.equals("SparkListenerExecutorAdded")) {
            counts.executorsAdded++;
          } else if (type.equals("SparkListenerExecutorRemoved")) {
            counts.executorsRemoved++;
          }
        }
      }
    }
    return counts;
  }

  /** What the event log says about tasks. */
  static final class TaskCounts {
    int tasks;
    int failedTasks;
    int retriedTasks;
    int stageRetries;
    int executorsAdded;
    int executorsRemoved;
    final Map<String, Integer> failureReasons = new HashMap<>();

    @Override
    public String toString() {
      return "task ends "
          + tasks
          + ", failed "
          + failedTasks
          + " "
          + failureReasons
          + ", task re-attempts "
          + retriedTasks
          + ", stage re-attempts "
          + stageRetries
          + ", executors added "
          + executorsAdded
          + ", removed "
          + executorsRemoved;
    }
  }

  @Override
  public String toString() {
    return "exit " + exitCode + "\nstdout:\n" + out + "\nstderr:\n" + err;
  }

  /** The server's stats as Jackson's tree, the JSON library of these tests. */
  static JsonNode stats(ServerProcess server) throws IOException {
    return new ObjectMapper().readTree(server.stats().toString());
  }
}
