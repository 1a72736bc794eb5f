package dev.bqjobs.pipelines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bqjobs.emulator.LocalBigQuery;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/** The command end to end on the DirectRunner, with the embedded or a given local server. */
@RunWith(JUnit4.class)
public class BqJobsCommandTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private static final String ONE_QUERY =
      "- key: answer\n  configuration:\n    query: {query: SELECT 17 AS answer, useLegacySql: false}\n";
  private static final String ONE_FAILURE =
      "- key: broken\n  configuration:\n"
          + "    query: {query: SELECT * FROM ds.missing, useLegacySql: false}\n";

  private Path write(String name, String content) throws Exception {
    Path path = tmp.getRoot().toPath().resolve(name);
    Files.writeString(path, content, StandardCharsets.UTF_8);
    return path;
  }

  @Test
  public void demoRunsOnTheEmbeddedServerAndWritesEveryFile() throws Exception {
    Path jobs = Demo.copyTo(tmp.newFolder("demo").toPath());
    Path out = tmp.getRoot().toPath().resolve("out");

    CommandRun run = CommandRun.of("--jobs=" + jobs, "--output=" + out);

    assertEquals(run.toString(), BqJobsCommand.EXIT_JOB_FAILED, run.exitCode);
    DemoAssertions.check(out, jobs.getParent(), run);
    assertThat(run.out, containsString("a local BigQuery server started for this run"));
    assertThat(run.out, containsString("created on the local server: dataset bqjobs-local:demo"));
  }

  @Test
  public void gsOutputLandsOnTheEmbeddedServersFolder() throws Exception {
    Path jobs = write("ok.yaml", ONE_QUERY);
    Path bucket = Files.createDirectories(jobs.getParent().resolve("out-bucket"));

    CommandRun run = CommandRun.of("--jobs=" + jobs, "--output=gs://out-bucket/results");

    assertEquals(run.toString(), BqJobsCommand.EXIT_OK, run.exitCode);
    assertEquals(
        List.of("answer"),
        CommandRun.keys(CommandRun.lines(bucket.resolve("results"), OutputFiles.SUCCEEDED)));
  }

  @Test
  public void givenEndpointIsUsedAndNothingFailedExitsZero() throws Exception {
    Path jobs = write("ok.yaml", ONE_QUERY);
    Path out = tmp.getRoot().toPath().resolve("out");
    try (LocalBigQuery server = LocalBigQuery.builder().start()) {
      CommandRun run =
          CommandRun.of(
              "--jobs=" + jobs, "--output=" + out, "--bigQueryEndpoint=" + server.rootUrl());
      assertEquals(run.toString(), BqJobsCommand.EXIT_OK, run.exitCode);
      assertThat(run.out, containsString("BigQuery endpoint " + server.rootUrl()));
      assertThat(run.out, containsString("(project bqjobs-local)"));
      assertEquals(1, server.executionsPerJob().size());
    }
    List<JsonNode> succeeded = CommandRun.lines(out, OutputFiles.SUCCEEDED);
    assertEquals(List.of("answer"), CommandRun.keys(succeeded));
    assertEquals("bqjobs-local", succeeded.get(0).get("projectId").asText());
    assertEquals(0, CommandRun.lines(out, OutputFiles.WARNINGS).size());
    assertEquals(0, CommandRun.lines(out, OutputFiles.FAILED).size());
    assertEquals(
        "{\"total\":1,\"succeeded\":1,\"warnings\":0,\"failed\":0}",
        Files.readString(out.resolve(OutputFiles.SUMMARY)).trim());
  }

  @Test
  public void failedJobExitsOneUnlessFailOnJobFailureIsFalse() throws Exception {
    Path jobs = write("fail.yaml", ONE_QUERY + ONE_FAILURE);
    Path out = tmp.getRoot().toPath().resolve("out");

    CommandRun lenient =
        CommandRun.of(
            "--jobs=" + jobs, "--output=" + out, "--failOnJobFailure=false", "--jobTimeout=5m");

    assertEquals(lenient.toString(), BqJobsCommand.EXIT_OK, lenient.exitCode);
    List<JsonNode> failed = CommandRun.lines(out, OutputFiles.FAILED);
    assertEquals(List.of("broken"), CommandRun.keys(failed));
    assertEquals("notFound", failed.get(0).at("/errorResult/reason").asText());
    assertThat(lenient.out, containsString("total 2: 1 succeeded, 0 with warnings, 1 failed"));
  }

  @Test
  public void badJobsFilesExitTwoNamingFileEntryAndLineAndRunNothing() throws Exception {
    Path out = tmp.getRoot().toPath().resolve("never");
    String[][] cases = {
      {"unparseable.yaml", "- key: a\n  configuration: {query: [x\n", "line "},
      {"unparseable.json", "[{\"key\": \"a\"},\n {\"key\": ]", "line 2"},
      {"unparseable.jsonl", "{\"key\": \"a\"}\n{oops}\n", "entry 2 (line 2)"},
      {"nokey.yaml", "- key: a\n- configuration: {}\n", "entry 2 (line 2): no key"},
      {"repeated.yaml", "- key: a\n- key: a\n", "entry 2 (line 2): key \"a\" is already used"},
      {"toplevel.json", "{\"key\": \"a\"}", "expected a JSON array"},
      {"toplevel.yaml", "key: a\n", "expected a list of entries"},
    };
    for (String[] c : cases) {
      Path jobs = write(c[0], c[1]);
      CommandRun run = CommandRun.of("--jobs=" + jobs, "--output=" + out);
      assertEquals(c[0] + ": " + run, BqJobsCommand.EXIT_USAGE, run.exitCode);
      assertThat(c[0], run.err, allOf(containsString(c[0]), containsString(c[2])));
      assertThat(run.err, containsString("No job was run"));
    }
    CommandRun missing = CommandRun.of("--jobs=" + tmp.getRoot() + "/absent.yaml");
    assertEquals(BqJobsCommand.EXIT_USAGE, missing.exitCode);
    assertThat(missing.err, allOf(containsString("absent.yaml"), containsString("no such file")));
    assertFalse("no output for a bad file", Files.exists(out));
  }

  @Test
  public void badCommandLinesExitTwoWithUsage() throws Exception {
    Path jobs = write("ok.yaml", ONE_QUERY);
    String[][] cases = {
      {"--output=x"},
      {"--jobs=" + jobs, "--noSuchOption=1"},
      {"--jobs=" + jobs, "--jobTimeout=soon"},
      {"--jobs=" + jobs, "--jobTimeout=30"},
      {"--jobs=" + jobs, "--jobTimeout=0s"},
      {"--jobs=" + jobs, "--jobIdPrefix=bad prefix!"},
      {"--jobs=" + jobs, "--maxConcurrentJobs=0"},
    };
    for (String[] args : cases) {
      CommandRun run = CommandRun.of(args);
      assertEquals(String.join(" ", args) + ": " + run, BqJobsCommand.EXIT_USAGE, run.exitCode);
      assertThat(run.err, containsString("Usage: java -jar bqjobs.jar --jobs=FILE"));
    }
    assertThat(CommandRun.of("--jobs=" + jobs, "--jobTimeout=soon").err, containsString("soon"));
    assertThat(
        CommandRun.of("--jobs=" + jobs, "--jobTimeout=30").err,
        containsString("--jobTimeout: \"30\" is not a duration: a number needs a unit"));
    CommandRun help = CommandRun.of("--help");
    assertEquals(BqJobsCommand.EXIT_OK, help.exitCode);
    assertThat(help.out, containsString("--failOnJobFailure"));
  }

  @Test
  public void withoutTheEmbeddedServerNeitherEndpointNorProjectIsAUsageError() throws Exception {
    // What a -Pdataflow bqjobs.jar, which leaves the local server out, does.
    Path jobs = write("ok.yaml", ONE_QUERY);
    BqJobsOptions neither =
        PipelineOptionsFactory.fromArgs("--jobs=" + jobs).as(BqJobsOptions.class);
    IllegalArgumentException e =
        org.junit.Assert.assertThrows(
            IllegalArgumentException.class, () -> Endpoint.choose(neither, jobs, false));
    assertThat(
        e.getMessage(),
        allOf(
            containsString("no embedded local BigQuery server"),
            containsString("--project=ID"),
            containsString("--bigQueryEndpoint=URL")));
    BqJobsOptions endpoint =
        PipelineOptionsFactory.fromArgs("--jobs=" + jobs, "--bigQueryEndpoint=http://127.0.0.1:1/")
            .as(BqJobsOptions.class);
    try (Endpoint chosen = Endpoint.choose(endpoint, jobs, false)) {
      assertFalse(chosen.embedded());
      assertEquals("http://127.0.0.1:1/", chosen.rootUrl());
    }
    assertTrue("this test classpath has the server", Endpoint.embeddedServerAvailable());
  }

  @Test
  public void onlyAnExplicitProjectCountsAsGiven() {
    BqJobsOptions given =
        PipelineOptionsFactory.fromArgs("--project=p1", "--jobs=j").as(BqJobsOptions.class);
    BqJobsOptions defaulted = PipelineOptionsFactory.fromArgs("--jobs=j").as(BqJobsOptions.class);
    defaulted.getProject(); // Beam may default it from gcloud; that must not count
    assertTrue(Endpoint.isExplicit(given, "project"));
    assertFalse(Endpoint.isExplicit(defaulted, "project"));
  }
}
