package dev.bqjobs.transforms;

import com.google.api.services.bigquery.model.ErrorProto;
import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobConfigurationLoad;
import com.google.api.services.bigquery.model.JobReference;
import com.google.api.services.bigquery.model.JobStatistics;
import com.google.api.services.bigquery.model.JobStatus;
import com.google.api.services.bigquery.model.TableReference;
import java.util.List;
import java.util.Map;

/** A request and results with every kind of field, for the coders' tests. */
final class CoderFixtures {
  private CoderFixtures() {}

  static JobRequest request() {
    return JobRequest.of(
            new JobConfiguration()
                .setJobTimeoutMs(5000L)
                .setLoad(
                    new JobConfigurationLoad()
                        .setSourceUris(List.of("gs://b/x.csv"))
                        .setMaxBadRecords(3)
                        .setDestinationTable(
                            new TableReference()
                                .setProjectId("p")
                                .setDatasetId("d")
                                .setTableId("t"))))
        .withKey("k \u00e9")
        .withProject("p")
        .withLocation("EU")
        .withLabels(Map.of("team", "a", "b", "2"));
  }

  static JobResult result() {
    Job job =
        new Job()
            .setJobReference(new JobReference().setProjectId("p").setJobId("j").setLocation("EU"))
            .setStatus(
                new JobStatus()
                    .setState("DONE")
                    .setErrors(List.of(new ErrorProto().setReason("invalid").setMessage("row 3"))))
            .setStatistics(
                new JobStatistics()
                    .setCreationTime(1000L)
                    .setStartTime(1500L)
                    .setEndTime(4000L)
                    .setTotalBytesProcessed(12345678901234L));
    return JobResult.create(
        "k \u00e9",
        request(),
        job,
        job.getJobReference(),
        JobResult.Outcome.SUCCEEDED_WITH_WARNINGS,
        null,
        job.getStatus().getErrors(),
        List.of("j"));
  }

  static JobResult failed() {
    return JobResult.failed(
        "k \"quoted\"", request(), null, null, "invalid", "bad <value> & more", List.of("a", "b"));
  }
}
