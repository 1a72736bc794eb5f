package dev.bqjobs.transforms;

import com.google.api.services.bigquery.model.ErrorProto;
import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobStatus;
import java.util.List;

/**
 * The final status of a job: DONE only means stopped. {@code errorResult}: FAILED; otherwise
 * non-empty {@code errors} (e.g. rows skipped under maxBadRecords): SUCCEEDED_WITH_WARNINGS;
 * otherwise SUCCEEDED.
 */
final class OutcomeClassifier {
  private OutcomeClassifier() {}

  static JobResult.Outcome outcome(Job job) {
    JobStatus status = job.getStatus();
    if (status == null) {
      return JobResult.Outcome.SUCCEEDED; // a dry run may answer without a status
    }
    if (status.getErrorResult() != null) {
      return JobResult.Outcome.FAILED;
    }
    List<ErrorProto> errors = status.getErrors();
    return errors == null || errors.isEmpty()
        ? JobResult.Outcome.SUCCEEDED
        : JobResult.Outcome.SUCCEEDED_WITH_WARNINGS;
  }

  static JobResult result(PreparedJob request, Job job, List<String> attemptJobIds) {
    JobStatus status = job.getStatus();
    return JobResult.create(
        request.key,
        request.request,
        job,
        job.getJobReference(),
        outcome(job),
        status == null ? null : status.getErrorResult(),
        status == null || status.getErrors() == null ? List.of() : status.getErrors(),
        attemptJobIds);
  }
}
