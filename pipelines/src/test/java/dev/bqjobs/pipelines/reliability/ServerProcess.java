package dev.bqjobs.pipelines.reliability;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The local server as its own process: the standalone jar {@code
 * emulator/target/bqjobs-emulator.jar} when it has been built, else its main class from the test
 * classpath. Killed with SIGKILL ({@link Process#destroyForcibly}) and restarted on the same port.
 */
final class ServerProcess implements AutoCloseable {
  static final Path JAR = Paths.get("..", "emulator", "target", "bqjobs-emulator.jar");

  private final List<String> options;
  private final Path log;
  private Process process;
  final int port;

  private ServerProcess(int port, List<String> options, Path log) {
    this.port = port;
    this.options = options;
    this.log = log;
  }

  /** Starts the server on a free port with these options; returns once it accepts connections. */
  static ServerProcess start(Path log, String... options) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    ServerProcess p = new ServerProcess(port, List.of(options), log);
    p.launch(Duration.ofSeconds(90));
    return p;
  }

  /** How the server is launched, for the report. */
  static String launcher() {
    return Files.exists(JAR) ? "jar" : "classpath";
  }

  static List<String> command(List<String> options) {
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m"));
    if (Files.exists(JAR)) {
      cmd.addAll(List.of("-jar", JAR.toString()));
    } else {
      cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.bqjobs.emulator.Main"));
    }
    cmd.addAll(options);
    return cmd;
  }

  private void launch(Duration deadline) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add("--port");
    cmd.add(String.valueOf(port));
    cmd.addAll(options);
    long end = System.nanoTime() + deadline.toNanos();
    while (true) {
      process =
          new ProcessBuilder(command(cmd))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
      // Accepting connections, or exited (e.g. the port still held by the killed process).
      while (process.isAlive() && !answers() && System.nanoTime() < end) {
        process.waitFor(100, TimeUnit.MILLISECONDS);
      }
      if (answers()) {
        return;
      }
      if (System.nanoTime() >= end) {
        process.destroyForcibly();
        throw new AssertionError(
            "the server did not start within " + deadline + ":\n" + Files.readString(log));
      }
      // exited: retry on the same port until the deadline
    }
  }

  String rootUrl() {
    return "http://127.0.0.1:" + port + "/";
  }

  /** True if the server answers its stats route. */
  boolean answers() {
    try {
      stats();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** {@code GET /emulator/v1/stats}. */
  JsonObject stats() throws IOException {
    HttpURLConnection c =
        (HttpURLConnection) new URL(rootUrl() + "emulator/v1/stats").openConnection();
    c.setConnectTimeout(2_000);
    c.setReadTimeout(10_000);
    try (InputStream in = c.getInputStream()) {
      return JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8))
          .getAsJsonObject();
    } finally {
      c.disconnect();
    }
  }

  /** SIGKILL: no shutdown hook, no clean close of the data files. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** Starts the server again on the same port with the same options. */
  long restart() throws Exception {
    long start = System.nanoTime();
    launch(Duration.ofSeconds(90));
    return (System.nanoTime() - start) / 1_000_000;
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
