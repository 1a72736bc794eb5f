package dev.bqjobs.pipelines.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bqjobs.emulator.testing.ServerProcess;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A Spark standalone cluster on loopback for tests: one master and {@code n} workers, each its own
 * JVM started from this JVM's classpath ({@code java.class.path}: the Maven test classpath), so no
 * Spark download is needed. Recipe: {@code spark-cluster.md}; the script {@code
 * pipelines/scripts/spark-cluster.sh} does the same for people.
 *
 * <ul>
 *   <li>A Spark home under the cluster folder: {@code jars/} with a link to every jar of the
 *       classpath (and each classpath folder packed as a jar) and an empty {@code RELEASE}; workers
 *       run with {@code SPARK_HOME} set to it and {@code SPARK_SCALA_VERSION=2.12}, because they
 *       build each executor's command from it.
 *   <li>Ports are chosen at run time (port 0) and read from the daemons' logs; everything binds
 *       127.0.0.1.
 *   <li>{@link #start} returns once the master's JSON UI lists every worker ALIVE.
 *   <li>{@link #close} stops executors (children of the workers), workers and master by process ID,
 *       SIGTERM then SIGKILL after a deadline; a shutdown hook does the same if the JVM exits
 *       first.
 * </ul>
 */
final class SparkCluster implements AutoCloseable {
  /** JVM flags every Spark JVM needs on Java 17 (the {@code spark.opens} of pipelines/pom.xml). */
  static final List<String> OPENS =
      List.of(
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
          "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED");

  /**
   * INFO logs with times for the daemons and executors: the classpath's simplelogger.properties
   * (the command's quiet defaults) would hide the lines the cluster is waited for and checked by.
   */
  static final List<String> LOG_FLAGS =
      List.of(
          "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
          "-Dorg.slf4j.simpleLogger.log.org.apache.spark=info",
          "-Dorg.slf4j.simpleLogger.showDateTime=true");

  static final String EXECUTOR_MAIN = "org.apache.spark.executor.CoarseGrainedExecutorBackend";
  private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
  private static final Pattern MASTER_PORT =
      Pattern.compile("Successfully started service 'sparkMaster' on port (\\d+)");
  private static final Pattern MASTER_UI_PORT =
      Pattern.compile("Successfully started service 'MasterUI' on port (\\d+)");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final List<Process> daemons = new ArrayList<>();
  private final List<Process> workers = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private final Thread shutdownHook;
  private String masterUrl;
  private String webUi;
  private boolean closed;

  private SparkCluster(Path dir) {
    this.dir = dir;
    this.shutdownHook = new Thread(this::stopAll, "spark-cluster-stop");
  }

  /**
   * Starts a master and {@code workers} workers ({@code cores} task slots and {@code memory}, e.g.
   * {@code 1g}, each) in {@code dir}; returns when all are registered. On any failure everything
   * started is stopped before the exception propagates.
   */
  static SparkCluster start(Path dir, int workers, int cores, String memory)
      throws IOException, InterruptedException {
    SparkCluster cluster = new SparkCluster(dir);
    Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
    try {
      cluster.startAll(workers, cores, memory);
      return cluster;
    } catch (IOException | InterruptedException | RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  private void startAll(int workerCount, int cores, String memory)
      throws IOException, InterruptedException {
    Path home = dir.resolve("spark-home");
    Path jars = home.resolve("jars");
    Files.createDirectories(jars);
    Files.writeString(home.resolve("RELEASE"), "");
    Files.createDirectories(dir.resolve("logs"));
    Files.createDirectories(dir.resolve("local"));
    Path classpathFile = dir.resolve("classpath.txt");
    Files.writeString(classpathFile, classPath());
    int folder = 0;
    for (String entry : classPath().split(File.pathSeparator)) {
      Path path = Paths.get(entry);
      if (Files.isDirectory(path)) {
        // Executors load SPARK_HOME/jars/*: a classpath folder (target/classes) goes in as a jar.
        jarFolder(path, jars.resolve("classpath-folder-" + folder++ + ".jar"));
      } else if (entry.endsWith(".jar") && Files.exists(path)) {
        Path link = jars.resolve(path.getFileName());
        if (Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        if (isSnapshot(path)) {
          // Our own modules' jars: copied, as an install running meanwhile may replace them.
          Files.copy(path, link);
        } else {
          Files.createSymbolicLink(link, path.toAbsolutePath());
        }
      }
    }

    Path masterLog = dir.resolve("logs/master.log");
    daemons.add(
        launch(
            home,
            masterLog,
            "org.apache.spark.deploy.master.Master",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--webui-port",
            "0"));
    Process master = daemons.get(0);
    int port = Integer.parseInt(waitForLog(masterLog, MASTER_PORT, master));
    int uiPort = Integer.parseInt(waitForLog(masterLog, MASTER_UI_PORT, master));
    masterUrl = "spark://127.0.0.1:" + port;
    webUi = "http://127.0.0.1:" + uiPort;

    for (int i = 1; i <= workerCount; i++) {
      Path work = dir.resolve("work/worker-" + i);
      Files.createDirectories(work);
      Process worker =
          launch(
              home,
              dir.resolve("logs/worker-" + i + ".log"),
              "org.apache.spark.deploy.worker.Worker",
              "--host",
              "127.0.0.1",
              "--port",
              "0",
              "--webui-port",
              "0",
              "--cores",
              String.valueOf(cores),
              "--memory",
              memory,
              "--work-dir",
              work.toString(),
              masterUrl);
      daemons.add(worker);
      workers.add(worker);
    }
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (aliveWorkers() < workerCount) {
      for (Process p : daemons) {
        if (!p.isAlive()) {
          throw new IOException("a Spark daemon exited (" + p.exitValue() + "); logs in " + dir);
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IOException("workers did not register within " + START_TIMEOUT + "; see " + dir);
      }
      Thread.sleep(250);
    }
  }

  private Process launch(Path home, Path log, String mainClass, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(javaBinary());
    command.addAll(OPENS);
    command.add("-Xmx512m");
    command.addAll(LOG_FLAGS);
    command.add("-cp");
    command.add(classPath());
    command.add(mainClass);
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("SPARK_HOME", home.toString());
    builder.environment().put("SPARK_SCALA_VERSION", "2.12");
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    builder.environment().put("SPARK_LOCAL_DIRS", dir.resolve("local").toString());
    builder.redirectErrorStream(true);
    builder.redirectOutput(log.toFile());
    builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    return builder.start();
  }

  /**
   * An empty folder {@code target/cluster-tests/NAME} (emptied if it exists): logs of the cluster,
   * its executors and the server stay there after a failed test.
   */
  static Path freshDir(String name) throws IOException {
    Path dir = Paths.get("target", "cluster-tests", name).toAbsolutePath();
    if (Files.exists(dir)) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p :
            (Iterable<Path>) files.sorted(java.util.Comparator.reverseOrder())::iterator) {
          Files.delete(p);
        }
      }
    }
    Files.createDirectories(dir);
    return dir;
  }

  /**
   * The local server for a cluster test, as its own process on a free loopback port, with a {@code
   * gs://} folder the driver and the executors share; output in {@code root/server.log}. Run from a
   * {@linkplain #stableClassPath stable copy} of this JVM's class path.
   */
  static ServerProcess.Builder localServer(Path root, Path gcsRoot) throws IOException {
    return ServerProcess.builder()
        .classPath(stableClassPath(root.resolve("server-jars")))
        .jvmOptions("-Xmx768m")
        .args("--host", "127.0.0.1", "--gcs-root", gcsRoot.toString())
        .log(root.resolve("server.log"));
  }

  /**
   * This JVM's classpath with every {@code -SNAPSHOT.jar} (this project's modules, which a
   * concurrent {@code mvn install} may rewrite under a running JVM) replaced by a copy in {@code
   * copies}.
   */
  static String stableClassPath(Path copies) throws IOException {
    Files.createDirectories(copies);
    List<String> entries = new ArrayList<>();
    for (String entry : classPath().split(File.pathSeparator)) {
      Path path = Paths.get(entry);
      if (isSnapshot(path) && Files.isRegularFile(path)) {
        Path copy = copies.resolve(path.getFileName());
        if (!Files.exists(copy)) {
          Files.copy(path, copy);
        }
        entries.add(copy.toString());
      } else {
        entries.add(entry);
      }
    }
    return String.join(File.pathSeparator, entries);
  }

  private static boolean isSnapshot(Path jar) {
    return jar.getFileName() != null && jar.getFileName().toString().endsWith("-SNAPSHOT.jar");
  }

  static String classPath() {
    return System.getProperty("java.class.path");
  }

  static String javaBinary() {
    return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Waits (bounded) for {@code pattern} in the log; returns its first group. */
  static String waitForLog(Path log, Pattern pattern, Process process)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(log)) {
        Matcher m = pattern.matcher(Files.readString(log, StandardCharsets.UTF_8));
        if (m.find()) {
          return m.group(1);
        }
      }
      if (!process.isAlive()) {
        throw new IOException("process exited before logging " + pattern + "; see " + log);
      }
      Thread.sleep(100);
    }
    throw new IOException("no " + pattern + " in " + log + " within " + START_TIMEOUT);
  }

  private static void jarFolder(Path folder, Path jar) throws IOException {
    try (OutputStream out = Files.newOutputStream(jar);
        ZipOutputStream zip = new ZipOutputStream(out);
        Stream<Path> files = Files.walk(folder)) {
      for (Path file : (Iterable<Path>) files.sorted()::iterator) {
        if (Files.isRegularFile(file)) {
          zip.putNextEntry(new ZipEntry(folder.relativize(file).toString().replace('\\', '/')));
          Files.copy(file, zip);
          zip.closeEntry();
        }
      }
    }
  }

  /** {@code spark://127.0.0.1:PORT}. */
  String masterUrl() {
    return masterUrl;
  }

  /** The master's web UI, {@code http://127.0.0.1:PORT}; {@code /json/} describes the cluster. */
  String webUi() {
    return webUi;
  }

  Path dir() {
    return dir;
  }

  /** The master's {@code /json/} document: workers, active and completed applications. */
  JsonNode masterJson() throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(webUi + "/json/"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(response.body());
  }

  int aliveWorkers() throws InterruptedException {
    try {
      int alive = 0;
      for (JsonNode worker : masterJson().path("workers")) {
        if ("ALIVE".equals(worker.path("state").asText())) {
          alive++;
        }
      }
      return alive;
    } catch (IOException e) {
      return 0; // the UI is not up yet
    }
  }

  /** The worker JVMs, in start order. */
  List<ProcessHandle> workers() {
    return workers.stream().map(Process::toHandle).toList();
  }

  /** The executor JVMs running now (children of the workers). */
  List<ProcessHandle> executors() {
    List<ProcessHandle> out = new ArrayList<>();
    for (Process worker : workers) {
      worker.descendants().filter(p -> p.isAlive() && isExecutor(p)).forEach(out::add);
    }
    return out;
  }

  private static boolean isExecutor(ProcessHandle p) {
    Optional<String> line = p.info().commandLine();
    Optional<String[]> args = p.info().arguments();
    return line.map(l -> l.contains(EXECUTOR_MAIN)).orElse(false)
        || args.map(a -> List.of(a).contains(EXECUTOR_MAIN)).orElse(false);
  }

  /** Stops everything (idempotent). */
  @Override
  public void close() {
    stopAll();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // The JVM is shutting down: the hook runs (or ran) stopAll itself.
    }
  }

  private synchronized void stopAll() {
    if (closed) {
      return;
    }
    closed = true;
    // Executors first (a worker's children), then workers, then the master: by process ID.
    List<ProcessHandle> order = new ArrayList<>();
    for (int i = daemons.size() - 1; i >= 0; i--) {
      daemons.get(i).descendants().forEach(order::add);
      order.add(daemons.get(i).toHandle());
    }
    for (ProcessHandle p : order) {
      p.destroy();
    }
    long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
    for (ProcessHandle p : order) {
      while (p.isAlive() && System.nanoTime() < deadline) {
        try {
          p.onExit().get(100, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (Exception e) {
          // still alive: keep waiting until the deadline
        }
      }
      if (p.isAlive()) {
        p.destroyForcibly();
      }
    }
  }
}
