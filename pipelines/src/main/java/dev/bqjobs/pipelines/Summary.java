package dev.bqjobs.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;

/**
 * What the run produced, read back from the output folder (so it is the same on every runner): the
 * counts of {@code summary.json} and the lines of the three result files; printed as the final
 * table.
 */
final class Summary {
  /** Rows listed one by one; beyond this only failures and warnings are listed. */
  static final int MAX_ROWS = 30;

  final long total;
  final long succeeded;
  final long warnings;
  final long failed;
  final List<JsonNode> rows;

  private Summary(long total, long succeeded, long warnings, long failed, List<JsonNode> rows) {
    this.total = total;
    this.succeeded = succeeded;
    this.warnings = warnings;
    this.failed = failed;
    this.rows = rows;
  }

  static Summary read(String outputDir) throws IOException {
    ResourceId dir = FileSystems.matchNewResource(outputDir, true);
    JsonNode counts = ResultJson.parse(String.join("\n", lines(dir, OutputFiles.SUMMARY)));
    List<JsonNode> rows = new ArrayList<>();
    for (String name : List.of(OutputFiles.FAILED, OutputFiles.WARNINGS, OutputFiles.SUCCEEDED)) {
      for (String line : lines(dir, name)) {
        if (!line.isBlank()) {
          rows.add(ResultJson.parse(line));
        }
      }
    }
    return new Summary(
        counts.path("total").asLong(),
        counts.path("succeeded").asLong(),
        counts.path("warnings").asLong(),
        counts.path("failed").asLong(),
        rows);
  }

  private static List<String> lines(ResourceId dir, String name) throws IOException {
    ResourceId file = dir.resolve(name, ResolveOptions.StandardResolveOptions.RESOLVE_FILE);
    List<String> lines = new ArrayList<>();
    try (BufferedReader reader =
        new BufferedReader(
            Channels.newReader(FileSystems.open(file), StandardCharsets.UTF_8.name()))) {
      String line;
      while ((line = reader.readLine()) != null) {
        lines.add(line);
      }
    }
    return lines;
  }

  /** The table: one row per job (failures first), then the counts. */
  void print(PrintStream out, String outputDir) {
    int keyWidth = 3;
    for (JsonNode row : rows) {
      keyWidth = Math.max(keyWidth, Math.min(40, row.path("key").asText().length()));
    }
    String format = "  %-" + keyWidth + "s  %-23s  %s%n";
    out.println();
    out.printf(format, "key", "outcome", "job / detail");
    int shown = 0;
    for (JsonNode row : rows) {
      String outcome = row.path("outcome").asText();
      if (rows.size() > MAX_ROWS && outcome.equals("SUCCEEDED")) {
        continue;
      }
      if (shown++ == MAX_ROWS) {
        out.println("  ... (" + (rows.size() - MAX_ROWS) + " more in the files)");
        break;
      }
      out.printf(format, abbreviate(row.path("key").asText(), 40), outcome, detail(row));
    }
    out.println();
    out.printf(
        "  total %d: %d succeeded, %d with warnings, %d failed%n",
        total, succeeded, warnings, failed);
    out.println("  results in " + outputDir + " (" + String.join(", ", OutputFiles.ALL) + ")");
  }

  private static String detail(JsonNode row) {
    String jobId = row.path("jobId").isTextual() ? row.path("jobId").asText() : "(no job)";
    JsonNode error = row.path("errorResult");
    if (!error.isMissingNode() && !error.isNull()) {
      return jobId
          + "  "
          + error.path("reason").asText()
          + ": "
          + abbreviate(error.path("message").asText(), 160);
    }
    JsonNode errors = row.path("errors");
    if (errors.isArray() && errors.size() > 0) {
      return jobId
          + "  "
          + errors.size()
          + " warning(s), first: "
          + abbreviate(errors.get(0).path("message").asText(), 120);
    }
    return jobId;
  }

  private static String abbreviate(String s, int max) {
    String one = s.replaceAll("\\s+", " ");
    return one.length() > max ? one.substring(0, max - 3) + "..." : one;
  }
}
