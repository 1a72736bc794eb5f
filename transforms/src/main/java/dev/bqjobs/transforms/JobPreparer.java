package dev.bqjobs.transforms;

import com.google.api.services.bigquery.model.ErrorProto;
import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobReference;
import java.io.Serializable;
import java.util.List;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Validates a request and resolves its identity (key, fingerprint, job ID) before any call, so a
 * bad request becomes a FAILED {@code invalid} result and a good one gets the same ID wherever and
 * however often it is computed.
 */
final class JobPreparer implements Serializable {
  private static final long serialVersionUID = 1L;

  private final @Nullable String defaultProject;
  private final @Nullable String defaultLocation;
  private final String jobIdPrefix;

  JobPreparer(
      @Nullable String defaultProject, @Nullable String defaultLocation, String jobIdPrefix) {
    this.defaultProject = defaultProject;
    this.defaultLocation = defaultLocation;
    this.jobIdPrefix = jobIdPrefix;
  }

  /** Why the request cannot run, or null if it can. */
  @Nullable String problem(JobRequest request) {
    JobConfiguration configuration = request.getConfiguration();
    int types = 0;
    types += configuration.getQuery() != null ? 1 : 0;
    types += configuration.getLoad() != null ? 1 : 0;
    types += configuration.getExtract() != null ? 1 : 0;
    types += configuration.getCopy() != null ? 1 : 0;
    if (types == 0) {
      return "the job configuration has no job type: set exactly one of query, load, extract, copy";
    }
    if (types > 1) {
      return "the job configuration has "
          + types
          + " job types: set exactly one of query, load, extract, copy";
    }
    String project = project(request);
    if (project == null || project.isEmpty()) {
      return "no project: set one with JobRequest.withProject or BigQueryJobs.run().withProject";
    }
    String projectProblem = ResourceNames.problemWithProject(project);
    if (projectProblem != null) {
      return projectProblem;
    }
    String location = location(request);
    if (location != null) {
      String locationProblem = ResourceNames.problemWithLocation(location);
      if (locationProblem != null) {
        return locationProblem;
      }
    }
    if (request.getJobId() != null) {
      String idProblem = JobIds.problemWithExplicit(request.getJobId());
      if (idProblem != null) {
        return idProblem;
      }
    }
    return Labels.problem(configuration.getLabels());
  }

  PreparedJob prepare(JobRequest request, String runToken, long timestampMillis) {
    String project = project(request);
    String location = location(request);
    String fingerprint = Fingerprint.of(request.getConfigurationJson(), project, location);
    String key = key(request, fingerprint);
    String jobId =
        request.getJobId() != null
            ? request.getJobId()
            : JobIds.generate(jobIdPrefix, runToken, key, fingerprint);
    return new PreparedJob(key, jobId, fingerprint, project, location, request, timestampMillis);
  }

  /** The FAILED {@code invalid} result of a request that cannot run. */
  JobResult invalid(JobRequest request, String problem) {
    String project = project(request);
    String key =
        key(
            request,
            Fingerprint.of(
                request.getConfigurationJson(), project == null ? "" : project, location(request)));
    JobReference reference = null;
    if (request.getJobId() != null && project != null) {
      reference =
          new JobReference()
              .setProjectId(project)
              .setJobId(request.getJobId())
              .setLocation(location(request));
    }
    return JobResult.create(
        key,
        request,
        null,
        reference,
        JobResult.Outcome.FAILED,
        new ErrorProto().setReason("invalid").setMessage("invalid request: " + problem),
        List.of(),
        List.of());
  }

  private @Nullable String project(JobRequest request) {
    return request.getProject() != null ? request.getProject() : defaultProject;
  }

  private @Nullable String location(JobRequest request) {
    return request.getLocation() != null ? request.getLocation() : defaultLocation;
  }

  private static String key(JobRequest request, String fingerprint) {
    return request.getKey() != null ? request.getKey() : fingerprint;
  }
}
