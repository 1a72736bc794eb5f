package dev.bqjobs.emulator;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Google's {@code bq} tool against the server, as the README shows it: {@code --api} pointing here,
 * the discovery document shipped with the Cloud SDK, any token in {@code
 * CLOUDSDK_AUTH_ACCESS_TOKEN}. {@code bq} comes from no package registry, so where it (or the SDK's
 * discovery document) is missing the test is skipped.
 */
public class BqToolIT {
  @ClassRule public static final LocalBigQueryRule BQ = new LocalBigQueryRule();
  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  private static final String P = "bq-project";
  private static Path discovery;

  @BeforeClass
  public static void findBq() throws Exception {
    Assume.assumeTrue("bq is not installed", onPath("bq") && onPath("gcloud"));
    Result info = exec(List.of("gcloud", "info", "--format=value(installation.sdk_root)"));
    Assume.assumeTrue("gcloud info failed: " + info.output, info.code == 0);
    discovery = Path.of(info.output.trim(), "platform", "bq", "discovery_next", "bigquery.json");
    Assume.assumeTrue("no discovery document at " + discovery, Files.isRegularFile(discovery));
  }

  private static boolean onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }

  private static final class Result {
    final int code;
    final String output;

    Result(int code, String output) {
      this.code = code;
      this.output = output;
    }
  }

  private static Result exec(List<String> command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("CLOUDSDK_AUTH_ACCESS_TOKEN", "local-token");
    pb.environment().put("CLOUDSDK_CORE_DISABLE_PROMPTS", "1");
    Process process = pb.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat("bq ended in time", process.waitFor(60, TimeUnit.SECONDS), equalTo(true));
    return new Result(process.exitValue(), output);
  }

  /** Runs {@code bq <args>} against the server, expecting success; prints its output. */
  private static String bq(String... args) throws Exception {
    return bqExiting(0, args);
  }

  /** Runs {@code bq <args>} against the server, expecting {@code code}; prints its output. */
  private static String bqExiting(int code, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add("bq");
    command.add("--api=" + BQ.rootUrl().substring(0, BQ.rootUrl().length() - 1));
    command.add("--discovery_file=" + discovery);
    command.add("--project_id=" + P);
    command.add("--location=US");
    command.add("--bigqueryrc=" + TMP.getRoot().toPath().resolve("bigqueryrc"));
    command.addAll(List.of(args));
    Result result = exec(command);
    System.out.println("$ bq " + String.join(" ", args) + "\n" + result.output.trim());
    assertThat(result.output, result.code, equalTo(code));
    return result.output;
  }

  @Test
  public void everyCommandOfTheReadme() throws Exception {
    assertThat(bq("mk", "ds"), containsString("Dataset '" + P + ":ds' successfully created."));

    Path csv = TMP.newFile("people.csv").toPath();
    Files.writeString(csv, "name,n\na,1\nb,oops\nc,3\n");
    bq(
        "load",
        "--source_format=CSV",
        "--skip_leading_rows=1",
        "--max_bad_records=1",
        "ds.people",
        csv.toString(),
        "name:STRING,n:INTEGER");
    Path json = TMP.newFile("more.json").toPath();
    Files.writeString(json, "{\"name\":\"d\",\"n\":4}\n");
    bq("insert", "ds.people", json.toString());
    String head = bq("head", "ds.people");
    assertThat(head, containsString("| a    | 1 |"));
    assertThat(head, containsString("| d    | 4 |"));
    assertThat(head, not(containsString("oops")));

    String sum =
        bq("query", "--use_legacy_sql=false", "--format=csv", "SELECT SUM(n) AS s FROM ds.people");
    assertThat(sum, containsString("s\n8"));
    assertThat(
        bq("query", "--dry_run", "--use_legacy_sql=false", "SELECT name FROM ds.people"),
        containsString("Query successfully validated."));

    assertThat(
        bq("cp", "ds.people", "ds.copy"),
        containsString("Table '" + P + ":ds.people' successfully copied to '" + P + ":ds.copy'"));
    bq("extract", "ds.copy", "gs://bucket/people.csv");
    assertThat(
        Files.readString(BQ.server().gcsRoot().resolve("bucket/people.csv")),
        containsString("c,3"));

    assertThat(
        bq(
            "query",
            "--nosync",
            "--job_id=slow_job",
            // An hour: each bq call takes seconds on a loaded machine; the cancel must land first.
            "--label=bqjobs-emulator-runtime-ms:3600000",
            "--use_legacy_sql=false",
            "SELECT 2"),
        containsString("Successfully started query " + P + ":slow_job"));
    assertThat(bq("show", "-j", "slow_job"), containsString("RUNNING"));
    bq("cancel", "--nosync", "slow_job");
    // bq wait exits 1 for a job that ended with an error, as a cancelled job does
    assertThat(bqExiting(1, "wait", "slow_job"), containsString("User requested cancellation"));
    String jobs = bq("ls", "-j");
    assertThat(jobs, containsString("slow_job"));
    assertThat(jobs, containsString("extract"));
  }
}
