package dev.bqjobs.emulator.engine;

import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobReference;
import com.google.api.services.bigquery.model.JobStatistics;
import com.google.api.services.bigquery.model.JobStatistics2;
import com.google.api.services.bigquery.model.JobStatus;

/** Builds the {@link Job} resources jobs.insert answers: a new PENDING job, or a dry run's. */
final class JobResources {
  private final String userEmail;
  private volatile String baseUrl = "http://127.0.0.1/";

  /**
   * @param userEmail the user jobs report when access control is off
   */
  JobResources(String userEmail) {
    this.userEmail = userEmail;
  }

  /** The server's root URL, for selfLink. */
  void setBaseUrl(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  /** A new job as stored: PENDING, its configuration completed as BigQuery shows it. */
  Job newJob(
      JobKind kind,
      String project,
      String jobId,
      String location,
      JobConfiguration config,
      long now,
      String principal) {
    Job job = new Job();
    job.setKind("bigquery#job");
    job.setJobReference(
        new JobReference().setProjectId(project).setJobId(jobId).setLocation(location));
    job.setId(project + ":" + location + "." + jobId);
    job.setSelfLink(
        baseUrl + "bigquery/v2/projects/" + project + "/jobs/" + jobId + "?location=" + location);
    job.setUserEmail(principal == null ? userEmail : principal);
    if (principal != null) {
      job.setPrincipalSubject("user:" + principal);
    }
    config.setJobType(kind.jobType());
    kind.completeConfiguration(config);
    job.setConfiguration(config);
    job.setStatus(new JobStatus().setState("PENDING"));
    job.setStatistics(new JobStatistics().setCreationTime(now));
    return job;
  }

  /** A dry run's answer: the job as it would run, DONE, with nothing stored. */
  Job dryRunAnswer(
      JobKind kind,
      String project,
      String location,
      JobConfiguration config,
      long now,
      String principal) {
    JobStatistics2 stats = kind.dryRun(project, location, config, principal);
    Job job = new Job();
    job.setKind("bigquery#job");
    job.setJobReference(new JobReference().setProjectId(project).setLocation(location));
    job.setUserEmail(userEmail);
    config.setJobType(kind.jobType());
    job.setConfiguration(config);
    job.setStatus(new JobStatus().setState("DONE"));
    job.setStatistics(
        new JobStatistics()
            .setCreationTime(now)
            .setTotalBytesProcessed(stats.getTotalBytesProcessed())
            .setQuery(stats));
    return job;
  }
}
