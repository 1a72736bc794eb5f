package dev.bqjobs.pipelines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What a run of the demo must produce, file by file, on any runner. */
final class DemoAssertions {
  private DemoAssertions() {}

  static void check(Path out, Path gcsRoot, CommandRun run) throws Exception {
    List<JsonNode> succeeded = CommandRun.lines(out, OutputFiles.SUCCEEDED);
    assertEquals(
        run.toString(),
        List.of("backup_customers", "count_countries", "export_customers", "load_customers"),
        CommandRun.keys(succeeded));
    for (JsonNode line : succeeded) {
      assertEquals("SUCCEEDED", line.get("outcome").asText());
      assertTrue(line.get("jobId").isTextual());
      assertEquals("bqjobs-local", line.get("projectId").asText());
      assertEquals("US", line.get("location").asText());
      assertEquals(List.of(line.get("jobId").asText()), texts(line.get("attempts")));
      assertTrue(line.get("statistics").isObject());
      assertTrue(!line.has("errorResult") && !line.has("errors"));
    }
    assertEquals("6", succeeded.get(0).at("/statistics/copy/copiedRows").asText());
    assertEquals("6", succeeded.get(3).at("/statistics/load/outputRows").asText());

    List<JsonNode> warnings = CommandRun.lines(out, OutputFiles.WARNINGS);
    assertEquals(List.of("load_orders"), CommandRun.keys(warnings));
    JsonNode orders = warnings.get(0);
    assertEquals("SUCCEEDED_WITH_WARNINGS", orders.get("outcome").asText());
    assertEquals(2, orders.get("errors").size());
    assertThat(orders.get("errors").get(0).get("message").asText(), containsString("oops"));
    assertEquals("2", orders.at("/statistics/load/badRecords").asText());
    assertEquals("6", orders.at("/statistics/load/outputRows").asText());

    List<JsonNode> failed = CommandRun.lines(out, OutputFiles.FAILED);
    assertEquals(List.of("fails_on_purpose"), CommandRun.keys(failed));
    assertEquals("FAILED", failed.get(0).get("outcome").asText());
    assertEquals("notFound", failed.get(0).at("/errorResult/reason").asText());
    assertThat(failed.get(0).at("/errorResult/message").asText(), containsString("no_such_table"));

    assertEquals(
        "{\"total\":6,\"succeeded\":4,\"warnings\":1,\"failed\":1}",
        Files.readString(out.resolve(OutputFiles.SUMMARY)).trim());
    List<String> extracted =
        Files.readAllLines(
            gcsRoot.resolve("demo-bucket/output/customers.csv"), StandardCharsets.UTF_8);
    assertEquals("customer,country,signup_date", extracted.get(0));
    assertEquals(7, extracted.size());

    // One run, one run token: every stage's job IDs share `<prefix>_<run token>_`.
    java.util.Set<String> tokens = new java.util.TreeSet<>();
    for (JsonNode line : concat(succeeded, warnings, failed)) {
      String jobId = line.get("jobId").asText();
      tokens.add(jobId.substring(0, jobId.lastIndexOf('_')));
    }
    assertEquals(run.toString(), 1, tokens.size());

    assertThat(run.out, containsString("6 jobs: 6 submitted, 0 running, 6 done"));
    assertThat(run.out, containsString("total 6: 4 succeeded, 1 with warnings, 1 failed"));
  }

  @SafeVarargs
  private static List<JsonNode> concat(List<JsonNode>... lists) {
    List<JsonNode> all = new java.util.ArrayList<>();
    for (List<JsonNode> l : lists) {
      all.addAll(l);
    }
    return all;
  }

  private static List<String> texts(JsonNode array) {
    return java.util.stream.StreamSupport.stream(array.spliterator(), false)
        .map(JsonNode::asText)
        .toList();
  }
}
