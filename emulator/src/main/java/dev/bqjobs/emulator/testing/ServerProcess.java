package dev.bqjobs.emulator.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The local BigQuery server as its own process: {@code java -jar bqjobs-emulator.jar} or its main
 * class {@code dev.bqjobs.emulator.Main} from a class path. {@link Builder#start} returns once the
 * server printed its {@code listening on http://HOST:PORT} line; {@link #kill} SIGKILLs it and
 * {@link #restart} starts it again on the same port with the same options (retrying while the
 * killed process still holds the port); {@link #close} stops it with SIGTERM. A shutdown hook stops
 * a process its test left running.
 *
 * <p>Everything the server prints (stdout and stderr) is appended to {@link Builder#log} when
 * given; the last lines are kept in memory either way, for the message of a failed start. Needs
 * nothing but the JDK (and Gson for {@link #stats}).
 */
public final class ServerProcess implements AutoCloseable {
  /** The standalone jar as {@code mvn package} builds it, seen from a sibling module. */
  public static final Path BUILT_JAR = Paths.get("..", "emulator", "target", "bqjobs-emulator.jar");

  /** The server's main class. */
  public static final String MAIN_CLASS = "dev.bqjobs.emulator.Main";

  private static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+)");
  private static final int KEPT_OUTPUT_CHARS = 16_384;

  private final Builder settings;
  private final StringBuilder recentOutput = new StringBuilder();
  private final Thread shutdownHook;
  private Process process;
  private int port;
  private String rootUrl;

  private ServerProcess(Builder settings) {
    this.settings = settings;
    this.port = settings.port;
    this.shutdownHook = new Thread(this::destroyNow, "bqjobs-server-process-stop");
  }

  public static Builder builder() {
    return new Builder();
  }

  /** How a server process is launched; {@link #start} launches one. */
  public static final class Builder {
    private Path jar;
    private String classPath;
    private final List<String> jvmOptions = new ArrayList<>();
    private final List<String> args = new ArrayList<>();
    private int port;
    private Path log;
    private Duration startTimeout = Duration.ofSeconds(90);

    private Builder() {}

    /** Runs {@code java -jar jar}; default: {@link #MAIN_CLASS} from {@link #classPath}. */
    public Builder jar(Path jar) {
      this.jar = Objects.requireNonNull(jar, "jar");
      return this;
    }

    /**
     * {@link #jar} when that file exists (e.g. {@link #BUILT_JAR} after {@code mvn package}), else
     * the main class from the class path: tests then run the artifact users run where there is one.
     */
    public Builder jarIfBuilt(Path jar) {
      this.jar = Files.isRegularFile(jar) ? jar : null;
      return this;
    }

    /** The class path of {@link #MAIN_CLASS} when no jar is set; default: this JVM's. */
    public Builder classPath(String classPath) {
      this.classPath = Objects.requireNonNull(classPath, "classPath");
      return this;
    }

    /** JVM options such as {@code -Xmx512m}, before the jar or main class. */
    public Builder jvmOptions(String... options) {
      jvmOptions.addAll(List.of(options));
      return this;
    }

    /** The server's own options (see its {@code --help}), e.g. {@code --job-runtime 1s..4s}. */
    public Builder args(String... serverArgs) {
      for (String arg : serverArgs) {
        if (arg.equals("--port") || arg.startsWith("--port=")) {
          throw new IllegalArgumentException(
              "give the port with port(int), not as " + arg + ": restart() reuses it");
        }
      }
      args.addAll(List.of(serverArgs));
      return this;
    }

    /** A fixed port; default 0, a free one chosen by the server (and kept by restarts). */
    public Builder port(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port " + port + " is not a TCP port");
      }
      this.port = port;
      return this;
    }

    /** A file the server's output is appended to, across restarts. */
    public Builder log(Path log) {
      this.log = Objects.requireNonNull(log, "log");
      return this;
    }

    /** How long a start (or restart) may take before it fails; default 90 s. */
    public Builder startTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("start timeout " + timeout + " is not positive");
      }
      this.startTimeout = timeout;
      return this;
    }

    /** "jar" or "classpath": how {@link #start} launches, for reports. */
    public String launcher() {
      return jar != null ? "jar" : "classpath";
    }

    /** The command line {@link #start} runs (with its port), e.g. to run one that must fail. */
    public List<String> command() {
      return command(port);
    }

    private List<String> command(int onPort) {
      List<String> command = new ArrayList<>();
      command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(jvmOptions);
      if (jar != null) {
        command.add("-jar");
        command.add(jar.toString());
      } else {
        command.add("-cp");
        command.add(classPath != null ? classPath : System.getProperty("java.class.path"));
        command.add(MAIN_CLASS);
      }
      command.add("--port");
      command.add(Integer.toString(onPort));
      command.addAll(args);
      return command;
    }

    /** Starts the server and waits for its listening line. */
    public ServerProcess start() throws IOException, InterruptedException {
      ServerProcess server = new ServerProcess(this);
      Runtime.getRuntime().addShutdownHook(server.shutdownHook);
      try {
        server.launch();
      } catch (IOException | InterruptedException | RuntimeException e) {
        server.close();
        throw e;
      }
      return server;
    }
  }

  /** The root URL, e.g. {@code http://127.0.0.1:PORT/}. */
  public String rootUrl() {
    return rootUrl;
  }

  /** The port the server listens on (the one it chose, with port 0). */
  public int port() {
    return port;
  }

  /** "jar" or "classpath". */
  public String launcher() {
    return settings.launcher();
  }

  /** The server's {@code GET /emulator/v1/stats}. */
  public com.google.gson.JsonObject stats() throws IOException {
    return ServerFixtures.stats(rootUrl);
  }

  /** CPU time the current process has used (zero when the platform does not say). */
  public Duration cpuTime() {
    return process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO);
  }

  /** Whether the current process is running. */
  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** SIGKILL: no shutdown hook runs in the server, its data files are not closed cleanly. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /**
   * Starts the server again on the same port with the same options, after {@link #kill} or {@link
   * #close}; returns how long it took until it listened.
   */
  public Duration restart() throws IOException, InterruptedException {
    long start = System.nanoTime();
    try {
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    } catch (IllegalArgumentException alreadyRegistered) {
      // kill() keeps the hook; only close() removes it
    }
    launch();
    return Duration.ofNanos(System.nanoTime() - start);
  }

  /** SIGTERM, then SIGKILL if the server has not stopped within 20 s. */
  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or about to: it stops the process
    }
  }

  private void destroyNow() {
    if (process != null) {
      process.destroyForcibly();
    }
  }

  /**
   * Launches until a process prints its listening line. A process that exits first is launched
   * again while the port is fixed and the deadline allows (the killed one may still hold the port);
   * otherwise the start fails with what the server printed.
   */
  private void launch() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + settings.startTimeout.toNanos();
    while (true) {
      List<String> command = settings.command(port);
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
      process.getOutputStream().close();
      CompletableFuture<String> listening = drain(process);
      long left = deadline - System.nanoTime();
      try {
        String url = listening.get(Math.max(left, 1), TimeUnit.NANOSECONDS);
        rootUrl = url.endsWith("/") ? url : url + "/";
        port = Integer.parseInt(rootUrl.replaceAll(".*:(\\d+)/$", "$1"));
        return;
      } catch (TimeoutException e) {
        process.destroyForcibly();
        throw new IOException(
            "the local server did not listen within "
                + settings.startTimeout
                + ": "
                + command
                + "\n"
                + recentOutput(),
            e);
      } catch (ExecutionException exited) {
        if (port == 0 || System.nanoTime() >= deadline) {
          throw new IOException(
              "the local server exited before listening: " + command + "\n" + recentOutput(),
              exited.getCause());
        }
        process.waitFor();
        // A fixed port still held by the process killed before: launch again.
      }
    }
  }

  /**
   * Reads the process' output to its end (a full pipe would block the server), appending it to the
   * log and the recent output; the result completes with the listening URL, or exceptionally when
   * the output ends first.
   */
  private CompletableFuture<String> drain(Process p) {
    CompletableFuture<String> listening = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  record(line);
                  Matcher m = LISTENING.matcher(line);
                  if (!listening.isDone() && m.find()) {
                    listening.complete(m.group(1));
                  }
                }
                listening.completeExceptionally(new IOException("the server's output ended"));
              } catch (IOException | UncheckedIOException e) {
                listening.completeExceptionally(e);
              }
            },
            "bqjobs-server-process-output");
    reader.setDaemon(true);
    reader.start();
    return listening;
  }

  private synchronized void record(String line) {
    recentOutput.append(line).append('\n');
    if (recentOutput.length() > KEPT_OUTPUT_CHARS) {
      recentOutput.delete(0, recentOutput.length() - KEPT_OUTPUT_CHARS);
    }
    if (settings.log != null) {
      try {
        Files.writeString(
            settings.log,
            line + "\n",
            StandardCharsets.UTF_8,
            StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private synchronized String recentOutput() {
    return recentOutput.toString();
  }
}
