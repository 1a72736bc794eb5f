package dev.bqjobs.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A local BigQuery server in its own process, so the client's timings and heap are the client's
 * alone. Started fresh for each contender; stopped (and only it) when closed.
 */
final class LocalServerProcess implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("listening on (http://[^\\s]+)");
  private static final long START_TIMEOUT_MILLIS = 60_000;

  private final Process process;
  private final String rootUrl;

  private LocalServerProcess(Process process, String rootUrl) {
    this.process = process;
    this.rootUrl = rootUrl.endsWith("/") ? rootUrl : rootUrl + "/";
  }

  /** Starts {@code java -jar JAR --port 0 ...} and waits for its listening line. */
  static LocalServerProcess start(
      Path jar,
      int maxRunningJobs,
      String runtime,
      long seed,
      @Nullable String faults,
      @Nullable String quota)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(jar.toString());
    command.add("--port");
    command.add("0");
    command.add("--max-running-jobs");
    command.add(Integer.toString(maxRunningJobs));
    command.add("--job-runtime");
    command.add(Durations.toServerRange(runtime));
    command.add("--seed");
    command.add(Long.toString(seed));
    if (faults != null) {
      command.add("--faults");
      command.add(faults);
    }
    if (quota != null) {
      command.add("--quota");
      command.add(quota);
    }
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    CompletableFuture<String> url = new CompletableFuture<>();
    Thread drain =
        new Thread(
            () -> {
              // Keep reading after the listening line, or a full pipe would block the server.
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                StringBuilder seen = new StringBuilder();
                while ((line = in.readLine()) != null) {
                  if (!url.isDone()) {
                    seen.append(line).append('\n');
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                      url.complete(m.group(1));
                    }
                  }
                }
                url.completeExceptionally(
                    new IOException("the local server exited before listening:\n" + seen));
              } catch (IOException e) {
                url.completeExceptionally(e);
              }
            },
            "local-server-output");
    drain.setDaemon(true);
    drain.start();
    try {
      return new LocalServerProcess(process, url.get(START_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS));
    } catch (Exception e) {
      process.destroyForcibly();
      throw new IOException("could not start the local server " + command + ": " + e, e);
    }
  }

  /** CPU time the server process has used so far (0 when the platform does not tell). */
  long cpuMillis() {
    return process.toHandle().info().totalCpuDuration().map(d -> d.toMillis()).orElse(0L);
  }

  String rootUrl() {
    return rootUrl;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
