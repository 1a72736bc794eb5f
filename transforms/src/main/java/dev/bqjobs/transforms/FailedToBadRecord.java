package dev.bqjobs.transforms;

import com.google.api.services.bigquery.model.ErrorProto;
import com.google.api.services.bigquery.model.JobReference;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.errorhandling.BadRecord;
import org.apache.beam.sdk.util.CoderUtils;

/**
 * Turns each FAILED {@link JobResult} into a Beam {@link BadRecord} for {@link
 * BigQueryJobs.Run#withErrorHandler}.
 *
 * <p>Beam's IOs build bad records with a {@code BadRecordRouter} from an exception caught inside
 * their DoFn. Here nothing is thrown: a failure is already a result in {@code failed()}, so the
 * record is built directly, with BigQuery's reason and message instead of an exception (the
 * exception fields stay null, as {@link BadRecord.Failure} documents for such failures).
 */
final class FailedToBadRecord extends DoFn<JobResult, BadRecord> {
  private static final long serialVersionUID = 1L;

  @ProcessElement
  public void process(@Element JobResult failed, OutputReceiver<BadRecord> out) {
    out.output(of(failed));
  }

  static BadRecord of(JobResult failed) {
    byte[] encodedRequest;
    try {
      encodedRequest = CoderUtils.encodeToByteArray(JobRequestCoder.of(), failed.getRequest());
    } catch (IOException e) {
      // JobRequestCoder writes a string it already holds: this cannot happen for a valid request.
      throw new UncheckedIOException(e);
    }
    return BadRecord.builder()
        .setRecord(
            BadRecord.Record.builder()
                .setHumanReadableJsonRecord(recordJson(failed))
                // The failing input element itself, so a dead-letter reader can decode and
                // resubmit the very request (with a new run token, or it reattaches to the job).
                .setEncodedRecord(encodedRequest)
                .setCoder(JobRequestCoder.of().toString())
                .build())
        .setFailure(BadRecord.Failure.builder().setDescription(description(failed)).build())
        .build();
  }

  /**
   * {@code {"key", "jobId", "projectId", "location", "request"}}: the request as the transform saw
   * it, plus the resolved key (the fingerprint when the request had none) and where the last
   * attempt ran ({@code null} when no job was started, e.g. an invalid request). The job ID is kept
   * out of {@code request}, where it would mean an explicit ID to reuse.
   */
  static String recordJson(JobResult failed) {
    JobReference ref = failed.getJobReference();
    JobRequest request = failed.getRequest();
    JsonObject tree = new JsonObject();
    tree.addProperty("key", failed.getKey());
    tree.addProperty("jobId", ref == null ? null : ref.getJobId());
    tree.addProperty(
        "projectId",
        ref != null && ref.getProjectId() != null ? ref.getProjectId() : request.getProject());
    tree.addProperty(
        "location",
        ref != null && ref.getLocation() != null ? ref.getLocation() : request.getLocation());
    tree.add("request", request.toTree());
    JsonArray attempts = new JsonArray();
    failed.getAttemptJobIds().forEach(attempts::add);
    tree.add("attemptJobIds", attempts);
    return CanonicalJson.toJson(tree);
  }

  /**
   * {@code "<reason>: <message> (job PROJECT:LOCATION.JOB_ID; attempts: A, B)"}, reason first so
   * that a sink can split on the first {@code ": "}; {@code (no job ran)} for a request that never
   * reached BigQuery.
   */
  static String description(JobResult failed) {
    ErrorProto error = failed.getErrorResult();
    String reason = error == null || error.getReason() == null ? "failed" : error.getReason();
    String message = error == null || error.getMessage() == null ? "" : error.getMessage();
    JobReference ref = failed.getJobReference();
    String where =
        ref == null
            ? "no job ran"
            : "job "
                + ref.getProjectId()
                + ":"
                + ref.getLocation()
                + "."
                + ref.getJobId()
                + "; attempts: "
                + String.join(", ", failed.getAttemptJobIds());
    return reason + ": " + message + " (" + where + ")";
  }
}
