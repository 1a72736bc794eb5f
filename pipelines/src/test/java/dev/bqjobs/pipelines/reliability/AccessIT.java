package dev.bqjobs.pipelines.reliability;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertThrows;

import dev.bqjobs.emulator.LocalBigQuery;
import dev.bqjobs.emulator.testing.IamPolicy;
import dev.bqjobs.emulator.testing.ServerProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Access: jobs under a principal without {@code bigquery.jobs.create} end FAILED with the
 * remediation (the permission and the roles that grant it); bearer tokens never appear in logs or
 * outputs (a child JVM at full log verbosity, its console and files scanned); the server refuses a
 * non-loopback bind without access control.
 */
public class AccessIT {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private static final String ALLOWED = "tok-ALLOWED-7f3a9c1e5b2d4860-distinctive";
  private static final String DENIED = "tok-DENIED-2b8e6d0f4a1c9357-distinctive";
  private static final String UNKNOWN = "tok-UNKNOWN-9d4c2a7e1f6b3850-distinctive";

  @Test
  public void deniedPrincipalFailsWithRemediationAndNoTokenLeaks() throws Exception {
    Path dir = tmp.getRoot().toPath();
    Path out = tmp.newFolder("out").toPath();
    Path iam = dir.resolve("iam.json");
    IamPolicy.create()
        .principal(ALLOWED, "alice@example.com")
        .principal(DENIED, "bob@example.com")
        .grant("roles/bigquery.jobUser", "secure", "alice@example.com")
        .grant("roles/bigquery.dataViewer", "secure", "bob@example.com")
        .writeTo(iam);
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    Path console = dir.resolve("console.txt");
    Process child =
        new ProcessBuilder(
                java,
                "-Xmx1g",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=debug",
                // The local server in this JVM is the test's BigQuery, not the code under test:
                // its HTTP library (Jetty) writes every request header, bearer tokens included,
                // at DEBUG. A known limit of the local server (reliability.md), like the JDK's
                // HttpURLConnection logger that TokenScanMain keeps at INFO.
                "-Dorg.slf4j.simpleLogger.log.org.eclipse.jetty=info",
                "-Dorg.slf4j.simpleLogger.logFile=System.err",
                "-cp",
                System.getProperty("java.class.path"),
                TokenScanMain.class.getName(),
                out.toString(),
                iam.toString(),
                ALLOWED,
                DENIED,
                UNKNOWN)
            .redirectErrorStream(true)
            .redirectOutput(console.toFile())
            .start();
    boolean ended = child.waitFor(5, TimeUnit.MINUTES);
    if (!ended) {
      child.destroyForcibly();
    }
    String consoleText = Files.readString(console, StandardCharsets.UTF_8);
    assertThat("the child ended: " + consoleText, ended, is(true));
    assertThat(consoleText, child.exitValue(), equalTo(0));

    Map<String, String[]> results = new LinkedHashMap<>();
    for (String line : Files.readAllLines(out.resolve("results.txt"), StandardCharsets.UTF_8)) {
      String[] f = line.split("\t", -1);
      results.put(f[0], f);
    }
    assertThat(results.keySet().toString(), results.size(), equalTo(9));
    int denied = 0;
    int unknown = 0;
    for (int j = 0; j < 3; j++) {
      assertThat(results.get("allowed" + j)[1], equalTo("SUCCEEDED"));
      String[] d = results.get("denied" + j);
      assertThat(d[1], equalTo("FAILED"));
      assertThat(d[2], equalTo("accessDenied"));
      assertThat(d[3], containsString("bigquery.jobs.create"));
      assertThat(d[3], containsString("bigquery.user"));
      assertThat(d[3], containsString("bigquery.jobUser"));
      assertThat(d[3], containsString("bigquery.admin"));
      denied++;
      String[] u = results.get("unknown" + j);
      assertThat(u[1], equalTo("FAILED"));
      unknown++;
    }

    // Scan everything the run produced: console (slf4j, java.util.logging), result files.
    List<Path> scanned = new ArrayList<>(List.of(console));
    try (Stream<Path> files = Files.walk(out)) {
      files.filter(Files::isRegularFile).forEach(scanned::add);
    }
    long bytes = 0;
    List<String> leaks = new ArrayList<>();
    for (Path f : scanned) {
      String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
      bytes += text.length();
      for (String token : List.of(ALLOWED, DENIED, UNKNOWN)) {
        // The whole token or its distinctive middle part.
        String part = token.split("-")[2];
        int at = text.indexOf(part);
        if (at >= 0) {
          leaks.add(
              f.getFileName()
                  + " contains "
                  + token
                  + ": ..."
                  + text.substring(Math.max(0, at - 300), Math.min(text.length(), at + 100))
                  + "...");
        }
      }
    }
    boolean headersLogged = consoleText.contains("Authorization: <Not Logged>");
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("principals", 3);
    fields.put("jobs", results.size());
    fields.put("denied_failed_with_remediation", denied);
    fields.put("unknown_token_failed", unknown + ":" + results.get("unknown0")[2]);
    fields.put("files_scanned", scanned.size());
    fields.put("bytes_scanned", bytes);
    fields.put("http_headers_logged_redacted", headersLogged);
    fields.put("token_leaks", leaks.size());
    Reliability.figure("access_tokens", fields);
    assertThat(String.join("\n", leaks), leaks.size(), equalTo(0));
    assertThat("the scan saw debug logs", consoleText, containsString("DEBUG"));
  }

  @Test
  public void serverRefusesNonLoopbackBindWithoutAccessControl() throws Exception {
    // In process.
    IllegalArgumentException inProcess =
        assertThrows(
            IllegalArgumentException.class,
            () -> LocalBigQuery.builder().host("0.0.0.0").start().close());
    assertThat(inProcess.getMessage(), containsString("--iam"));
    // The standalone server.
    Path log = tmp.getRoot().toPath().resolve("bind.log");
    ServerProcess.Builder openBind = Reliability.server(log).args("--host", "0.0.0.0");
    Process p =
        new ProcessBuilder(openBind.command())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    assertThat("the server exits", p.waitFor(2, TimeUnit.MINUTES), is(true));
    String text = Files.readString(log);
    assertThat(text, p.exitValue(), not(equalTo(0)));
    assertThat(text, containsString("--iam"));
    assertThat(text, not(containsString("listening on")));
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("host", "0.0.0.0");
    fields.put("iam", "none");
    fields.put("refused_in_process", true);
    fields.put("standalone_exit", p.exitValue());
    fields.put("launcher", openBind.launcher());
    Reliability.figure("non_loopback_bind", fields);
  }
}
