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

  private final String key;
  private final JobRequest request;
  private final @Nullable Job job;
  private final @Nullable JobReference jobReference;
  private final Outcome outcome;
  private final @Nullable ErrorProto errorResult;
  private final List<ErrorProto> errors;
  private final List<String> attemptJobIds;

  /**
   * The canonical JSON, made at its first use: a result is immutable (its model objects are copied
   * in and out), and runners encode each result several times (outputs, immutability checks,
   * equality).
   */
  private transient volatile @Nullable String canonicalJson;

  private JobResult(
      String key,
      JobRequest request,
      @Nullable Job job,
      @Nullable JobReference jobReference,
      Outcome outcome,
      @Nullable ErrorProto errorResult,
      List<ErrorProto> errors,
      List<String> attemptJobIds) {
    this.key = requireNonNull(key, "key");
    this.request = requireNonNull(request, "request");
    this.job = CanonicalJson.copy(job);
    this.jobReference = CanonicalJson.copy(jobReference);
    this.outcome = requireNonNull(outcome, "outcome");
    this.errorResult = CanonicalJson.copy(errorResult);
    this.errors = Collections.unmodifiableList(CanonicalJson.copyList(errors));
    this.attemptJobIds = Collections.unmodifiableList(new ArrayList<>(attemptJobIds));
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
        key, request, job, jobReference, outcome, errorResult, errors, attemptJobIds);
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
    return new JobResult(
        key, request, job, jobReference, Outcome.FAILED, error, errors, attemptJobIds);
  }

  /**
   * This result without the bulky, per-stage parts of its job's statistics ({@code
   * statistics.query.queryPlan} and {@code statistics.query.timeline}); everything else, including
   * the totals, the destination table and the status, stays.
   */
  JobResult lean() {
    if (job == null
        || job.getStatistics() == null
        || job.getStatistics().getQuery() == null
        || (job.getStatistics().getQuery().getQueryPlan() == null
            && job.getStatistics().getQuery().getTimeline() == null)) {
      return this;
    }
    Job slim = job.clone();
    slim.getStatistics().getQuery().setQueryPlan(null).setTimeline(null);
    return new JobResult(
        key, request, slim, jobReference, outcome, errorResult, errors, attemptJobIds);
  }

  /** The same outcome for another request that shared this job (same key and configuration). */
  JobResult forRequest(String otherKey, JobRequest otherRequest) {
    return new JobResult(
        otherKey, otherRequest, job, jobReference, outcome, errorResult, errors, attemptJobIds);
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
    return CanonicalJson.copy(job);
  }

  /** The job's reference (project, location, ID of the last attempt), or null if none was made. */
  public @Nullable JobReference getJobReference() {
    return CanonicalJson.copy(jobReference);
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
    return CanonicalJson.copy(errorResult);
  }

  /** The job's {@code status.errors} (the first errors met, not necessarily all); never null. */
  public List<ErrorProto> getErrors() {
    return CanonicalJson.copyList(errors);
  }

  /** The job's statistics, or null without a job. */
  public @Nullable JobStatistics getStatistics() {
    return job == null ? null : CanonicalJson.copy(job.getStatistics());
  }

  /** The job ID of every attempt, in order (reruns add {@code -r2}, {@code -r3}, ...). */
  public List<String> getAttemptJobIds() {
    return attemptJobIds;
  }

  /** When BigQuery created the (last attempt's) job, from its statistics; or null. */
  public @Nullable Instant getCreationTime() {
    JobStatistics s = job == null ? null : job.getStatistics();
    return s == null || s.getCreationTime() == null ? null : new Instant(s.getCreationTime());
  }

  public @Nullable Instant getStartTime() {
    JobStatistics s = job == null ? null : job.getStatistics();
    return s == null || s.getStartTime() == null ? null : new Instant(s.getStartTime());
  }

  public @Nullable Instant getEndTime() {
    JobStatistics s = job == null ? null : job.getStatistics();
    return s == null || s.getEndTime() == null ? null : new Instant(s.getEndTime());
  }

  /** From start (or creation) to end of the last attempt, or null when not known. */
  public @Nullable Duration getRuntime() {
    Instant end = getEndTime();
    Instant start = getStartTime() != null ? getStartTime() : getCreationTime();
    return end == null || start == null ? null : new Duration(start, end);
  }

  String toCanonicalJson() {
    String json = canonicalJson;
    if (json == null) {
      json = makeCanonicalJson();
      canonicalJson = json;
    }
    return json;
  }

  private String makeCanonicalJson() {
    JsonObject tree = new JsonObject();
    tree.addProperty("key", key);
    tree.add("request", request.toTree());
    if (job != null) {
      tree.add("job", CanonicalJson.toTree(job));
    }
    if (jobReference != null) {
      tree.add("jobReference", CanonicalJson.toTree(jobReference));
    }
    tree.addProperty("outcome", outcome.name());
    if (errorResult != null) {
      tree.add("errorResult", CanonicalJson.toTree(errorResult));
    }
    JsonArray errorArray = new JsonArray();
    for (ErrorProto e : errors) {
      errorArray.add(CanonicalJson.toTree(e));
    }
    tree.add("errors", errorArray);
    JsonArray ids = new JsonArray();
    attemptJobIds.forEach(ids::add);
    tree.add("attemptJobIds", ids);
    return CanonicalJson.toJson(tree);
  }

  static JobResult fromCanonicalJson(String json) {
    JsonObject tree = JsonParser.parseString(json).getAsJsonObject();
    List<ErrorProto> errors = new ArrayList<>();
    for (JsonElement e : tree.getAsJsonArray("errors")) {
      errors.add(CanonicalJson.parse(e, ErrorProto.class));
    }
    List<String> ids = new ArrayList<>();
    for (JsonElement e : tree.getAsJsonArray("attemptJobIds")) {
      ids.add(e.getAsString());
    }
    return new JobResult(
        tree.get("key").getAsString(),
        JobRequest.fromTree(tree.getAsJsonObject("request")),
        tree.has("job") ? CanonicalJson.parse(tree.get("job"), Job.class) : null,
        tree.has("jobReference")
            ? CanonicalJson.parse(tree.get("jobReference"), JobReference.class)
            : null,
        Outcome.valueOf(tree.get("outcome").getAsString()),
        tree.has("errorResult")
            ? CanonicalJson.parse(tree.get("errorResult"), ErrorProto.class)
            : null,
        errors,
        ids);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof JobResult && toCanonicalJson().equals(((JobResult) o).toCanonicalJson());
  }

  @Override
  public int hashCode() {
    return toCanonicalJson().hashCode();
  }

  @Override
  public String toString() {
    String ref = jobReference == null ? "-" : jobReference.getJobId();
    String reason =
        errorResult == null ? "" : " " + errorResult.getReason() + ": " + errorResult.getMessage();
    return "JobResult{key=" + key + ", job=" + ref + ", " + outcome + reason + "}";
  }
}
