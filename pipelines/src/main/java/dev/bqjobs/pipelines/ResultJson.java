package dev.bqjobs.pipelines;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.api.client.json.gson.GsonFactory;
import com.google.api.services.bigquery.model.ErrorProto;
import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobReference;
import dev.bqjobs.transforms.JobResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * One line of {@code succeeded.jsonl}, {@code warnings.jsonl} or {@code failed.jsonl}: {@code key},
 * {@code jobId} (null when no job ran), {@code projectId}, {@code location}, {@code outcome},
 * {@code errorResult} and {@code errors} when present, {@code statistics}, {@code attempts} (every
 * job ID tried, in order). BigQuery's own objects keep BigQuery's JSON (int64 values as strings).
 */
final class ResultJson {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private ResultJson() {}

  /** The line for a result of the transform. */
  static String of(JobResult result, @Nullable String defaultProject) {
    Job job = result.getJob();
    JobReference ref = result.getJobReference();
    ObjectNode line = MAPPER.createObjectNode();
    line.put("key", result.getKey());
    // A reference alone means an ID was planned; only a Job resource means BigQuery ran one.
    line.put("jobId", job != null && ref != null ? ref.getJobId() : null);
    line.put(
        "projectId",
        ref != null && ref.getProjectId() != null
            ? ref.getProjectId()
            : firstNonNull(result.getRequest().getProject(), defaultProject));
    line.put(
        "location",
        ref != null && ref.getLocation() != null
            ? ref.getLocation()
            : result.getRequest().getLocation());
    line.put("outcome", result.getOutcome().name());
    if (result.getErrorResult() != null) {
      line.set("errorResult", tree(result.getErrorResult()));
    }
    if (!result.getErrors().isEmpty()) {
      ArrayNode errors = line.putArray("errors");
      for (ErrorProto e : result.getErrors()) {
        errors.add(tree(e));
      }
    }
    line.set("statistics", result.getStatistics() == null ? null : tree(result.getStatistics()));
    ArrayNode attempts = line.putArray("attempts");
    result.getAttemptJobIds().forEach(attempts::add);
    return write(line);
  }

  /** The FAILED line of an entry whose configuration could not be sent at all. */
  static String invalidEntry(
      String key, @Nullable String projectId, @Nullable String location, String message) {
    ObjectNode line = MAPPER.createObjectNode();
    line.put("key", key);
    line.putNull("jobId");
    line.put("projectId", projectId);
    line.put("location", location);
    line.put("outcome", JobResult.Outcome.FAILED.name());
    ObjectNode error = line.putObject("errorResult");
    error.put("reason", "invalid");
    error.put("message", message);
    line.putNull("statistics");
    line.putArray("attempts");
    return write(line);
  }

  static String write(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode parse(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode tree(Object model) {
    try {
      return MAPPER.readTree(GsonFactory.getDefaultInstance().toString(model));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static @Nullable String firstNonNull(@Nullable String a, @Nullable String b) {
    return a != null ? a : b;
  }
}
