package dev.bqjobs.pipelines.examples;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import com.google.api.services.bigquery.model.Dataset;
import com.google.api.services.bigquery.model.DatasetReference;
import dev.bqjobs.emulator.LocalBigQuery;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/** The chained example against the local server: loads -> report -> extract, and dead letters. */
@RunWith(JUnit4.class)
public class ChainedReportPipelineTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private static final Path INPUT = Paths.get("examples", "demo", "demo-bucket", "input");

  private LocalBigQuery server(Path gcsRoot) throws Exception {
    Path input = Files.createDirectories(gcsRoot.resolve("demo-bucket/input"));
    for (String name : List.of("orders.csv", "customers.ndjson")) {
      Files.copy(INPUT.resolve(name), input.resolve(name));
    }
    LocalBigQuery server = LocalBigQuery.builder().gcsRoot(gcsRoot).start();
    server
        .client()
        .datasets()
        .insert(
            "p",
            new Dataset()
                .setDatasetReference(new DatasetReference().setProjectId("p").setDatasetId("demo")))
        .execute();
    return server;
  }

  private ChainedReportPipeline.Options options(LocalBigQuery server, String... more) {
    List<String> args = new ArrayList<>(List.of(more));
    args.add("--project=p");
    args.add("--bigQueryEndpoint=" + server.rootUrl());
    args.add("--deadLetterPrefix=" + tmp.getRoot().toPath().resolve("dead/letters"));
    return PipelineOptionsFactory.fromArgs(args.toArray(new String[0]))
        .withValidation()
        .as(ChainedReportPipeline.Options.class);
  }

  private List<String> deadLetters() throws Exception {
    List<String> lines = new ArrayList<>();
    try (Stream<Path> files = Files.list(tmp.getRoot().toPath().resolve("dead"))) {
      for (Path f : (Iterable<Path>) files::iterator) {
        lines.addAll(Files.readAllLines(f, StandardCharsets.UTF_8));
      }
    }
    return lines;
  }

  @Test
  public void loadsThenReportThenExtract() throws Exception {
    Path gcsRoot = tmp.newFolder("gcs").toPath();
    try (LocalBigQuery server = server(gcsRoot)) {
      PipelineResult.State state = ChainedReportPipeline.run(options(server)).waitUntilFinish();
      assertEquals(PipelineResult.State.DONE, state);
    }
    List<String> report =
        Files.readAllLines(gcsRoot.resolve("demo-bucket/output/sales_by_country.csv"));
    assertEquals("country,orders,revenue", report.get(0));
    // Orders 1003 and 1005 are bad rows, skipped: six good orders from DE, FR and ES.
    assertEquals(List.of("DE,2,61.99", "FR,3,20.6", "ES,1,"), report.subList(1, report.size()));
    assertEquals(List.of(), deadLetters());
  }

  @Test
  public void aFailedLoadIsADeadLetterAndNoReportRuns() throws Exception {
    Path gcsRoot = tmp.newFolder("gcs").toPath();
    try (LocalBigQuery server = server(gcsRoot)) {
      PipelineResult.State state =
          ChainedReportPipeline.run(
                  options(server, "--ordersUri=gs://demo-bucket/input/missing.csv"))
              .waitUntilFinish();
      assertEquals(PipelineResult.State.DONE, state);
      assertEquals(2, server.executionsPerJob().size()); // the two loads, nothing else
    }
    List<String> dead = deadLetters();
    assertEquals(1, dead.size());
    assertThat(dead.get(0), containsString("\"key\":\"load_orders\""));
    assertThat(dead.get(0), containsString("\"reason\":\"notFound\""));
    assertFalse(Files.exists(gcsRoot.resolve("demo-bucket/output/sales_by_country.csv")));
  }
}
