package dev.bqjobs.transforms;

import static java.util.Objects.requireNonNull;

import com.google.api.services.bigquery.model.ErrorProto;
import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobReference;
import com.google.api.services.bigquery.model.JobStatistics;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * What happened to one {@link JobRequest}: every input of {@link BigQueryJobs#run()} yields exactly
 * one {@code JobResult}, in exactly one of the three outputs.
 *
 * <p>Immutable: getters return copies of the BigQuery model objects.
 */
@DefaultCoder(JobResultCoder.class)
public final class JobResult {

  /** Which output a result goes to. */
  public enum Outcome {
    /** DONE without {@code errorResult} and without {@code errors}. */
    SUCCEEDED,
    /** DONE without {@code errorResult}, with non-fatal {@code status.errors} (e.g. bad rows). */
    SUCCEEDED_WITH_WARNINGS,
    /**
     * DONE with {@code errorResult}, or the request could not run (see {@link #getErrorResult}).
     */
    FAILED
  }

  // Held as canonical JSON, not as the client library's model objects: a result lives in memory
  // while its shard runs (the DirectRunner keeps a bundle's outputs, Spark a partition's), and a
  // GenericJson tree costs several times its JSON. Getters parse and so hand out fresh copies.
  private final String key;
  private final JobRequest request;
  private final @Nullable String jobJson;
  private final @Nullable String jobReferenceJson;
  private final Outcome outcome;
  private final @Nullable String errorResultJson;
  private final String errorsJson;
  private final List<String> attemptJobIds;

  /** Cached: runners hash every output (the DirectRunner's immutability check). */
  private transient int hash;

  private JobResult(
      String key,
      JobRequest request,
      @Nullable String jobJson,
      @Nullable String jobReferenceJson,
      Outcome outcome,
      @Nullable String errorResultJson,
      String errorsJson,
      List<String> attemptJobIds) {
    this.key = requireNonNull(key, "key");
    this.request = requireNonNull(request, "request");
    this.jobJson = jobJson;
    this.jobReferenceJson = jobReferenceJson;
    this.outcome = requireNonNull(outcome, "outcome");
    this.errorResultJson = errorResultJson;
    this.errorsJson = errorsJson;
    this.attemptJobIds = Collections.unmodifiableList(new ArrayList<>(attemptJobIds));
  }

  private static @Nullable String json(@Nullable Object value) {
    return value == null ? null : CanonicalJson.toJson(value);
  }

  private static final String NO_ERRORS = "[]";

  private static String errorsJson(List<ErrorProto> errors) {
    if (errors.isEmpty()) {
      return NO_ERRORS; // most results: one shared string, not one per result
    }
    JsonArray array = new JsonArray();
    for (ErrorProto e : errors) {
      array.add(CanonicalJson.toTree(e));
    }
    return CanonicalJson.toJson(array);
  }

  static JobResult create(
      String key,
      JobRequest request,
      @Nullable Job job,
      @Nullable JobReference jobReference,
      Outcome outcome,
      @Nullable ErrorProto errorResult,
      List<ErrorProto> errors,
      List<String> attemptJobIds) {
    return new JobResult(
        key,
        request,
        json(job),
        json(jobReference),
        outcome,
        json(errorResult),
        errorsJson(errors),
        attemptJobIds);
  }

  /**
   * A FAILED result made by us (no job, or a job we could not use) with a BigQuery-style reason.
   */
  static JobResult failed(
      String key,
      JobRequest request,
      @Nullable Job job,
      @Nullable JobReference jobReference,
      String reason,
      String message,
      List<String> attemptJobIds) {
    ErrorProto error = new ErrorProto().setReason(reason).setMessage(message);
    List<ErrorProto> errors = new ArrayList<>();
    if (job != null && job.getStatus() != null && job.getStatus().getErrors() != null) {
      errors.addAll(job.getStatus().getErrors());
    }
    return create(key, request, job, jobReference, Outcome.FAILED, error, errors, attemptJobIds);
  }

  /**
   * This result without the bulky, per-stage parts of its job's statistics ({@code
   * statistics.query.queryPlan} and {@code statistics.query.timeline}); everything else, including
   * the totals, the destination table and the status, stays.
   */
  JobResult lean() {
    Job job = getJob();
    if (job == null
        || job.getStatistics() == null
        || job.getStatistics().getQuery() == null
        || (job.getStatistics().getQuery().getQueryPlan() == null
            && job.getStatistics().getQuery().getTimeline() == null)) {
      return this;
    }
    job.getStatistics().getQuery().setQueryPlan(null).setTimeline(null);
    return new JobResult(
        key,
        request,
        json(job),
        jobReferenceJson,
        outcome,
        errorResultJson,
        errorsJson,
        attemptJobIds);
  }

  /** The same outcome for another request that shared this job (same key and configuration). */
  JobResult forRequest(String otherKey, JobRequest otherRequest) {
    return new JobResult(
        otherKey,
        otherRequest,
        jobJson,
        jobReferenceJson,
        outcome,
        errorResultJson,
        errorsJson,
        attemptJobIds);
  }

  /** The request's key, or its fingerprint when it had none. */
  public String getKey() {
    return key;
  }

  public JobRequest getRequest() {
    return request;
  }

  /**
   * The final {@code Job} resource as BigQuery returned it (for example with the resolved
   * destination table), or null for a request that never reached BigQuery. For a dry run, the
   * insert response.
   */
  public @Nullable Job getJob() {
    return jobJson == null ? null : CanonicalJson.parse(jobJson, Job.class);
  }

  /** The job's reference (project, location, ID of the last attempt), or null if none was made. */
  public @Nullable JobReference getJobReference() {
    return jobReferenceJson == null
        ? null
        : CanonicalJson.parse(jobReferenceJson, JobReference.class);
  }

  public Outcome getOutcome() {
    return outcome;
  }

  /**
   * Why the job failed: BigQuery's {@code status.errorResult}, or one made by us with a
   * BigQuery-style reason ({@code invalid}, {@code duplicate}, {@code timeout}, {@code notFound},
   * or the HTTP error's reason). Null unless {@link #getOutcome()} is FAILED.
   */
  public @Nullable ErrorProto getErrorResult() {
    return errorResultJson == null ? null : CanonicalJson.parse(errorResultJson, ErrorProto.class);
  }

  /** The job's {@code status.errors} (the first errors met, not necessarily all); never null. */
  public List<ErrorProto> getErrors() {
    List<ErrorProto> errors = new ArrayList<>();
    for (JsonElement e : JsonParser.parseString(errorsJson).getAsJsonArray()) {
      errors.add(CanonicalJson.parse(e, ErrorProto.class));
    }
    return errors;
  }

  /** The job's statistics, or null without a job. */
  public @Nullable JobStatistics getStatistics() {
    Job job = getJob();
    return job == null ? null : job.getStatistics();
  }

  /** The job ID of every attempt, in order (reruns add {@code -r2}, {@code -r3}, ...). */
  public List<String> getAttemptJobIds() {
    return attemptJobIds;
  }

  /** When BigQuery created the (last attempt's) job, from its statistics; or null. */
  public @Nullable Instant getCreationTime() {
    JobStatistics s = getStatistics();
    return s == null || s.getCreationTime() == null ? null : new Instant(s.getCreationTime());
  }

  public @Nullable Instant getStartTime() {
    JobStatistics s = getStatistics();
    return s == null || s.getStartTime() == null ? null : new Instant(s.getStartTime());
  }

  public @Nullable Instant getEndTime() {
    JobStatistics s = getStatistics();
    return s == null || s.getEndTime() == null ? null : new Instant(s.getEndTime());
  }

  /** From start (or creation) to end of the last attempt, or null when not known. */
  public @Nullable Duration getRuntime() {
    JobStatistics s = getStatistics();
    if (s == null || s.getEndTime() == null) {
      return null;
    }
    Long start = s.getStartTime() != null ? s.getStartTime() : s.getCreationTime();
    return start == null ? null : new Duration(start, s.getEndTime());
  }

  /**
   * The coder's wire format: the whole result as canonical JSON. Written by joining its parts,
   * which are canonical already, in sorted key order: the same bytes as sorting the whole tree
   * ({@link #toCanonicalJsonBySorting}, compared in CodersTest), without parsing anything. Runners
   * encode each result several times (outputs, immutability checks).
   */
  String toCanonicalJson() {
    StringBuilder out = new StringBuilder(256 + (jobJson == null ? 0 : jobJson.length()));
    out.append("{\"attemptJobIds\":").append(CanonicalJson.toJson(idsArray()));
    if (errorResultJson != null) {
      out.append(",\"errorResult\":").append(errorResultJson);
    }
    out.append(",\"errors\":").append(errorsJson);
    if (jobJson != null) {
      out.append(",\"job\":").append(jobJson);
    }
    if (jobReferenceJson != null) {
      out.append(",\"jobReference\":").append(jobReferenceJson);
    }
    out.append(",\"key\":").append(CanonicalJson.stringLiteral(key));
    out.append(",\"outcome\":").append(CanonicalJson.stringLiteral(outcome.name()));
    out.append(",\"request\":").append(request.toCanonicalJson());
    return out.append('}').toString();
  }

  /** The canonical JSON made the slow way, by sorting the whole tree: the reference for tests. */
  String toCanonicalJsonBySorting() {
    JsonObject tree = new JsonObject();
    tree.addProperty("key", key);
    tree.add("request", request.toTree());
    if (jobJson != null) {
      tree.add("job", JsonParser.parseString(jobJson));
    }
    if (jobReferenceJson != null) {
      tree.add("jobReference", JsonParser.parseString(jobReferenceJson));
    }
    tree.addProperty("outcome", outcome.name());
    if (errorResultJson != null) {
      tree.add("errorResult", JsonParser.parseString(errorResultJson));
    }
    tree.add("errors", JsonParser.parseString(errorsJson));
    tree.add("attemptJobIds", idsArray());
    return CanonicalJson.toJson(tree);
  }

  private JsonArray idsArray() {
    JsonArray ids = new JsonArray();
    attemptJobIds.forEach(ids::add);
    return ids;
  }

  /**
   * The result from the coder's own canonical JSON: split into its parts, which are canonical
   * already, not parsed into a tree and re-serialised (runners decode each result several times).
   */
  static JobResult fromCanonicalJson(String json) {
    Map<String, String> members = CanonicalJson.members(json);
    Function<String, String> required =
        name -> CanonicalJson.requiredMember(members, name, "JobResult", json);
    List<String> ids = new ArrayList<>();
    for (JsonElement e : JsonParser.parseString(required.apply("attemptJobIds")).getAsJsonArray()) {
      ids.add(e.getAsString());
    }
    String errors = required.apply("errors");
    return new JobResult(
        CanonicalJson.stringValue(required.apply("key")),
        JobRequest.fromCanonicalJson(required.apply("request")),
        members.get("job"),
        members.get("jobReference"),
        Outcome.valueOf(CanonicalJson.stringValue(required.apply("outcome"))),
        members.get("errorResult"),
        errors.equals(NO_ERRORS) ? NO_ERRORS : errors,
        ids);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof JobResult)) {
      return false;
    }
    JobResult other = (JobResult) o;
    return key.equals(other.key)
        && outcome == other.outcome
        && request.equals(other.request)
        && Objects.equals(jobJson, other.jobJson)
        && Objects.equals(jobReferenceJson, other.jobReferenceJson)
        && Objects.equals(errorResultJson, other.errorResultJson)
        && errorsJson.equals(other.errorsJson)
        && attemptJobIds.equals(other.attemptJobIds);
  }

  @Override
  public int hashCode() {
    int h = hash;
    if (h == 0) {
      h =
          Objects.hash(
              key,
              outcome,
              request,
              jobJson,
              jobReferenceJson,
              errorResultJson,
              errorsJson,
              attemptJobIds);
      hash = h;
    }
    return h;
  }

  @Override
  public String toString() {
    JobReference jobReference = getJobReference();
    ErrorProto errorResult = getErrorResult();
    String ref = jobReference == null ? "-" : jobReference.getJobId();
    String reason =
        errorResult == null ? "" : " " + errorResult.getReason() + ": " + errorResult.getMessage();
    return "JobResult{key=" + key + ", job=" + ref + ", " + outcome + reason + "}";
  }
}
