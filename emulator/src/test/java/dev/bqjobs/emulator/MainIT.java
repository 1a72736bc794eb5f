package dev.bqjobs.emulator;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.Test;

/** The standalone server as a separate process: start-up line, port in use, SIGTERM, usage. */
public class MainIT {
  private static final Pattern LISTENING = Pattern.compile("listening on (http://[^\\s]+)");

  private static Process launch(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.addAll(List.of(args));
    File err = File.createTempFile("bqjobs-emulator-stderr", ".txt");
    err.deleteOnExit();
    Process process = new ProcessBuilder(command).redirectError(err).start();
    STDERR.put(process, err);
    return process;
  }

  private static final java.util.Map<Process, File> STDERR =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** Reads stdout until the listening line; fails if the process ends first. */
  private static String awaitListening(Process process) throws Exception {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      Matcher m = LISTENING.matcher(line);
      if (m.find()) {
        return m.group(1);
      }
    }
    throw new AssertionError("server ended before listening; stderr: " + stderr(process));
  }

  private static String stderr(Process process) throws Exception {
    return java.nio.file.Files.readString(STDERR.get(process).toPath(), StandardCharsets.UTF_8);
  }

  @Test
  public void printsListeningLineServesAndStopsOnSigterm() throws Exception {
    Process server = launch("--port=0", "--project", "demo");
    try {
      String url = awaitListening(server);
      assertThat(url, matchesPattern("http://127\\.0\\.0\\.1:\\d+"));
      HttpURLConnection c =
          (HttpURLConnection) new URL(url + "/bigquery/v2/projects/demo/datasets").openConnection();
      assertThat(c.getResponseCode(), equalTo(200));
      server.destroy(); // SIGTERM
      assertThat("stops within 10 s", server.waitFor(10, TimeUnit.SECONDS), equalTo(true));
      assertThat(stderr(server), equalTo(""));
    } finally {
      server.destroyForcibly();
    }
  }

  @Test
  public void portInUseIsAClearErrorWithExitCodeOne() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Process server = launch("--port", Integer.toString(taken.getLocalPort()));
      try {
        assertThat(server.waitFor(30, TimeUnit.SECONDS), equalTo(true));
        assertThat(server.exitValue(), equalTo(1));
        assertThat(stderr(server), containsString("already in use"));
      } finally {
        server.destroyForcibly();
      }
    }
  }

  @Test
  public void badOptionIsAUsageErrorWithExitCodeTwo() throws Exception {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    int code =
        Main.run(
            new String[] {"--job-runtime", "fast"},
            new java.io.PrintStream(out, true, StandardCharsets.UTF_8),
            new java.io.PrintStream(err, true, StandardCharsets.UTF_8),
            false);
    assertThat(code, equalTo(2));
    assertThat(err.toString(StandardCharsets.UTF_8), containsString("\"fast\" is not a duration"));
    assertThat(err.toString(StandardCharsets.UTF_8), containsString("Usage:"));
  }

  @Test
  public void helpListsEveryOption() throws Exception {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    int code =
        Main.run(
            new String[] {"--help"},
            new java.io.PrintStream(out, true, StandardCharsets.UTF_8),
            System.err,
            false);
    assertThat(code, equalTo(0));
    String help = out.toString(StandardCharsets.UTF_8);
    for (String option :
        List.of(
            "--host",
            "--port",
            "--project",
            "--data-dir",
            "--gcs-root",
            "--job-runtime",
            "--max-running-jobs")) {
      assertThat(help, containsString(option));
    }
  }

  @Test
  public void bareJobRuntimeIsStillMillisecondsWithADeprecationWarning() throws Exception {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    int code =
        Main.run(
            new String[] {"--port=0", "--job-runtime", "200..1500"},
            new java.io.PrintStream(out, true, StandardCharsets.UTF_8),
            new java.io.PrintStream(err, true, StandardCharsets.UTF_8),
            false);
    assertThat(err.toString(StandardCharsets.UTF_8), code, equalTo(0));
    assertThat(
        err.toString(StandardCharsets.UTF_8),
        containsString(
            "warning: --job-runtime 1500: a number without a unit is deprecated and will be"
                + " rejected; it is read as 1500ms, write 1500ms instead"));
  }
}
