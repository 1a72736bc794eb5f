package dev.bqjobs.transforms;

import static java.util.Objects.requireNonNull;

import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * One BigQuery job to run: an immutable request for {@link BigQueryJobs#run()}.
 *
 * <p>Requests are data, often built from files or upstream steps, so the factory and the withers
 * never throw for bad content (only for {@code null} arguments): a request that cannot run (no job
 * type, several job types, a bad explicit job ID, bad labels) becomes a {@link
 * JobResult.Outcome#FAILED FAILED} result with reason {@code invalid} in the transform.
 *
 * <p>The <b>key</b> is the request's identity: requests with the same key and configuration are one
 * job (running the pipeline again with the same run token reattaches to it). To run the same
 * configuration twice, give the requests two different keys. Without {@link #withKey}, the key is
 * the configuration's fingerprint.
 */
@DefaultCoder(JobRequestCoder.class)
public final class JobRequest {
  private final String configurationJson;
  private final @Nullable String key;
  private final @Nullable String jobId;
  private final @Nullable String project;
  private final @Nullable String location;

  /** The canonical JSON, made at its first use: the request is immutable (coders, equality). */
  private transient volatile @Nullable String canonicalJson;

  private JobRequest(
      String configurationJson,
      @Nullable String key,
      @Nullable String jobId,
      @Nullable String project,
      @Nullable String location) {
    this.configurationJson = configurationJson;
    this.key = key;
    this.jobId = jobId;
    this.project = project;
    this.location = location;
  }

  /** A request to run {@code configuration} (copied; later changes to it have no effect). */
  public static JobRequest of(JobConfiguration configuration) {
    requireNonNull(configuration, "configuration");
    return new JobRequest(CanonicalJson.toJson(configuration), null, null, null, null);
  }

  /** The request's identity; see the class documentation. */
  public JobRequest withKey(String key) {
    requireNonNull(key, "key");
    return new JobRequest(configurationJson, key, jobId, project, location);
  }

  /**
   * Runs the job under exactly this job ID instead of a generated one. Reruns of retryable failures
   * append {@code -r2}, {@code -r3}, ... to it.
   */
  public JobRequest withJobId(String jobId) {
    requireNonNull(jobId, "jobId");
    return new JobRequest(configurationJson, key, jobId, project, location);
  }

  /** The project that runs (and is billed for) the job; overrides the transform's default. */
  public JobRequest withProject(String project) {
    requireNonNull(project, "project");
    return new JobRequest(configurationJson, key, jobId, project, location);
  }

  /** The job's location (e.g. {@code EU}); overrides the transform's default. */
  public JobRequest withLocation(String location) {
    requireNonNull(location, "location");
    return new JobRequest(configurationJson, key, jobId, project, location);
  }

  /**
   * Adds labels to {@code configuration.labels}; on a clash the value given here wins. Labels are
   * checked by the transform, not here.
   */
  public JobRequest withLabels(Map<String, String> labels) {
    requireNonNull(labels, "labels");
    JobConfiguration configuration = getConfiguration();
    Map<String, String> merged = new TreeMap<>();
    if (configuration.getLabels() != null) {
      merged.putAll(configuration.getLabels());
    }
    for (Map.Entry<String, String> label : labels.entrySet()) {
      merged.put(requireNonNull(label.getKey(), "label key"), requireNonNull(label.getValue()));
    }
    configuration.setLabels(merged);
    return new JobRequest(CanonicalJson.toJson(configuration), key, jobId, project, location);
  }

  /** A copy of the job configuration, labels included. */
  public JobConfiguration getConfiguration() {
    return CanonicalJson.parse(configurationJson, JobConfiguration.class);
  }

  /** The key given with {@link #withKey}, or null (the transform then uses the fingerprint). */
  public @Nullable String getKey() {
    return key;
  }

  public @Nullable String getJobId() {
    return jobId;
  }

  public @Nullable String getProject() {
    return project;
  }

  public @Nullable String getLocation() {
    return location;
  }

  /** A request from its parts, as a coder decodes it: nothing is parsed or re-serialised. */
  static JobRequest fromParts(
      String configurationJson,
      @Nullable String key,
      @Nullable String jobId,
      @Nullable String project,
      @Nullable String location) {
    return new JobRequest(configurationJson, key, jobId, project, location);
  }

  /** The configuration as canonical JSON (sorted keys); what the fingerprint is computed from. */
  String getConfigurationJson() {
    return configurationJson;
  }

  JsonObject toTree() {
    JsonObject tree = new JsonObject();
    tree.add("configuration", JsonParser.parseString(configurationJson));
    if (key != null) {
      tree.addProperty("key", key);
    }
    if (jobId != null) {
      tree.addProperty("jobId", jobId);
    }
    if (project != null) {
      tree.addProperty("project", project);
    }
    if (location != null) {
      tree.addProperty("location", location);
    }
    return tree;
  }

  /**
   * Canonical JSON of the whole request; the coder's wire format. Written by joining its parts in
   * sorted key order (the configuration is canonical already): the same bytes as sorting {@link
   * #toTree()}, without parsing anything.
   */
  String toCanonicalJson() {
    String json = canonicalJson;
    if (json == null) {
      StringBuilder out = new StringBuilder(configurationJson.length() + 128);
      out.append("{\"configuration\":").append(configurationJson);
      appendField(out, "jobId", jobId);
      appendField(out, "key", key);
      appendField(out, "location", location);
      appendField(out, "project", project);
      json = out.append('}').toString();
      canonicalJson = json;
    }
    return json;
  }

  private static void appendField(StringBuilder out, String name, @Nullable String value) {
    if (value != null) {
      out.append(",\"").append(name).append("\":").append(CanonicalJson.stringLiteral(value));
    }
  }

  /** The request from the coder's own canonical JSON: split, not parsed into a tree and sorted. */
  static JobRequest fromCanonicalJson(String json) {
    Map<String, String> members = CanonicalJson.members(json);
    return new JobRequest(
        CanonicalJson.requiredMember(members, "configuration", "JobRequest", json),
        stringMember(members, "key"),
        stringMember(members, "jobId"),
        stringMember(members, "project"),
        stringMember(members, "location"));
  }

  private static @Nullable String stringMember(Map<String, String> members, String field) {
    String raw = members.get(field);
    return raw == null || raw.equals("null") ? null : CanonicalJson.stringValue(raw);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof JobRequest && toCanonicalJson().equals(((JobRequest) o).toCanonicalJson());
  }

  @Override
  public int hashCode() {
    return toCanonicalJson().hashCode();
  }

  @Override
  public String toString() {
    return "JobRequest" + toCanonicalJson();
  }
}
