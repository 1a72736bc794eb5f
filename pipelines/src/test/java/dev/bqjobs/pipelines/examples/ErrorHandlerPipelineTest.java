package dev.bqjobs.pipelines.examples;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertEquals;

import com.google.api.services.bigquery.model.Dataset;
import com.google.api.services.bigquery.model.DatasetReference;
import com.google.api.services.bigquery.model.Table;
import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.api.services.bigquery.model.TableReference;
import com.google.api.services.bigquery.model.TableSchema;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.bqjobs.emulator.LocalBigQuery;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

/** The error-handler example against the local server: only the failed query is a bad record. */
@RunWith(JUnit4.class)
public class ErrorHandlerPipelineTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void aFailedQueryIsABadRecordAndTheOthersAreNot() throws Exception {
    try (LocalBigQuery server = LocalBigQuery.builder().start()) {
      server
          .client()
          .datasets()
          .insert(
              "p",
              new Dataset()
                  .setDatasetReference(
                      new DatasetReference().setProjectId("p").setDatasetId("demo")))
          .execute();
      server
          .client()
          .tables()
          .insert(
              "p",
              "demo",
              new Table()
                  .setTableReference(
                      new TableReference()
                          .setProjectId("p")
                          .setDatasetId("demo")
                          .setTableId("orders"))
                  .setSchema(
                      new TableSchema()
                          .setFields(
                              List.of(new TableFieldSchema().setName("id").setType("INTEGER")))))
          .execute();

      ErrorHandlerPipeline.Options options =
          PipelineOptionsFactory.fromArgs(
                  "--project=p",
                  "--bigQueryEndpoint=" + server.rootUrl(),
                  "--tables=orders,missing",
                  "--badRecordPrefix=" + tmp.getRoot().toPath().resolve("bad/records"))
              .withValidation()
              .as(ErrorHandlerPipeline.Options.class);
      assertEquals(PipelineResult.State.DONE, ErrorHandlerPipeline.run(options).waitUntilFinish());
      assertEquals(2, server.executionsPerJob().size()); // both queries ran
    }

    List<String> lines = new ArrayList<>();
    try (Stream<Path> files = Files.list(tmp.getRoot().toPath().resolve("bad"))) {
      for (Path f : (Iterable<Path>) files::iterator) {
        lines.addAll(Files.readAllLines(f, StandardCharsets.UTF_8));
      }
    }
    assertEquals(1, lines.size());
    JsonObject line = JsonParser.parseString(lines.get(0)).getAsJsonObject();
    assertEquals("count_missing", line.getAsJsonObject("record").get("key").getAsString());
    assertThat(line.get("failure").getAsString(), startsWith("notFound: "));
  }
}
