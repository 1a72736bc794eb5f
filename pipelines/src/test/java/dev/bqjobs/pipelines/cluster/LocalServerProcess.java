package dev.bqjobs.pipelines.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The local BigQuery server as its own process ({@code dev.bqjobs.emulator.Main}, the main class of
 * {@code bqjobs-emulator.jar}, run from the test classpath), on a free loopback port, with a {@code
 * gs://} folder that the driver and executors share. Stopped by process ID in {@link #close}, and
 * by a shutdown hook if the JVM exits first.
 */
final class LocalServerProcess implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+)");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final String url;
  private final HttpClient http = HttpClient.newHttpClient();
  private final Thread shutdownHook;

  private LocalServerProcess(Process process, String url, Thread shutdownHook) {
    this.process = process;
    this.url = url;
    this.shutdownHook = shutdownHook;
  }

  /** Starts the server with {@code --port 0 --gcs-root gcsRoot} plus {@code extraArgs}. */
  static LocalServerProcess start(Path gcsRoot, Path log, String... extraArgs)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(SparkCluster.javaBinary());
    command.add("-Xmx768m");
    command.add("-cp");
    command.add(SparkCluster.stableClassPath(log.resolveSibling("server-jars")));
    command.add("dev.bqjobs.emulator.Main");
    command.addAll(List.of("--host", "127.0.0.1", "--port", "0", "--gcs-root", gcsRoot.toString()));
    command.addAll(List.of(extraArgs));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.redirectErrorStream(true);
    builder.redirectOutput(log.toFile());
    builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Process process = builder.start();
    Thread hook = new Thread(process::destroyForcibly, "local-server-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      String url = SparkCluster.waitForLog(log, LISTENING, process);
      return new LocalServerProcess(process, url.endsWith("/") ? url : url + "/", hook);
    } catch (IOException | InterruptedException | RuntimeException e) {
      process.destroyForcibly();
      Runtime.getRuntime().removeShutdownHook(hook);
      throw e;
    }
  }

  /** The root URL, e.g. {@code http://127.0.0.1:PORT/}. */
  String url() {
    return url;
  }

  /** Creates a dataset (as a real project would have before its jobs run). */
  void createDataset(String project, String dataset, String location)
      throws IOException, InterruptedException {
    String body =
        "{\"datasetReference\": {\"datasetId\": \""
            + dataset
            + "\"}, \"location\": \""
            + location
            + "\"}";
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(url + "bigquery/v2/projects/" + project + "/datasets"))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("dataset " + dataset + ": " + response.statusCode() + response.body());
    }
  }

  /** {@code GET /emulator/v1/stats}: requests, executionsPerJob, jobsByState, ... */
  JsonNode stats() throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(url + "emulator/v1/stats"))
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(response.body());
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // shutting down: the hook stops the process
    }
  }
}
