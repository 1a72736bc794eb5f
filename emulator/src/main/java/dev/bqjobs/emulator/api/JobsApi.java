package dev.bqjobs.emulator.api;

import com.google.api.services.bigquery.model.Job;
import dev.bqjobs.emulator.engine.JobManager;
import dev.bqjobs.emulator.errors.BigQueryError;
import dev.bqjobs.emulator.http.HttpCall;
import dev.bqjobs.emulator.http.Reply;
import dev.bqjobs.emulator.http.Router;
import dev.bqjobs.emulator.iam.AccessControl;

/** jobs.insert, get, list, cancel and delete. */
public final class JobsApi {
  private final JobManager jobs;
  private final AccessControl access;

  public JobsApi(JobManager jobs, AccessControl access) {
    this.jobs = jobs;
    this.access = access;
  }

  public void register(Router router) {
    String base = "/projects/{projectId}/jobs";
    router
        .add("POST", base, "jobs.insert", this::insert)
        .add("GET", base, "jobs.list", this::list)
        .add("GET", base + "/{jobId}", "jobs.get", this::get)
        .add("POST", base + "/{jobId}/cancel", "jobs.cancel", this::cancel)
        .add("DELETE", base + "/{jobId}/delete", "jobs.delete", this::delete);
  }

  private Reply insert(HttpCall call) {
    Job request = call.json(Job.class, "job");
    return Reply.ok(jobs.insert(call.param("projectId"), request, call.principal()));
  }

  private Reply get(HttpCall call) {
    String project = call.param("projectId");
    if (!access.enabled()) {
      // the poller's request: answered from the job's stored JSON, no copy, no serialisation
      return Reply.okJson(jobs.getJson(project, call.param("jobId"), call.query("location")));
    }
    Job job = jobs.get(project, call.param("jobId"), call.query("location"));
    access.requireJobVisible(call.principal(), job);
    return Reply.ok(job);
  }

  private Reply list(HttpCall call) {
    String min = call.query("minCreationTime");
    String max = call.query("maxCreationTime");
    String project = call.param("projectId");
    boolean allUsers = call.queryBoolean("allUsers", false);
    if (allUsers && !access.maySeeAllJobs(call.principal(), project)) {
      throw BigQueryError.accessDenied(
          "Access Denied: Project "
              + project
              + ": User does not have bigquery.jobs.listAll permission in project "
              + project
              + ".");
    }
    String onlyUser = access.enabled() && !allUsers ? call.principal() : null;
    if (call.query("parentJobId") != null) {
      // The local server runs a script's statements inside the script job, without child jobs:
      // a parent has none to list (bq then prints the script job's own result).
      return Reply.ok(
          new com.google.api.services.bigquery.model.JobList()
              .setKind("bigquery#jobList")
              .setJobs(java.util.List.of()));
    }
    return Reply.ok(
        jobs.list(
            project,
            onlyUser,
            call.queryAll("stateFilter"),
            call.queryLong("maxResults", 0),
            call.query("pageToken"),
            "minimal".equalsIgnoreCase(call.query("projection")),
            min == null ? null : call.queryLong("minCreationTime", 0),
            max == null ? null : call.queryLong("maxCreationTime", 0)));
  }

  private Reply cancel(HttpCall call) {
    access.requireJobVisible(
        call.principal(),
        jobs.get(call.param("projectId"), call.param("jobId"), call.query("location")));
    return Reply.ok(
        jobs.cancel(call.param("projectId"), call.param("jobId"), call.query("location")));
  }

  private Reply delete(HttpCall call) {
    access.requireJobVisible(
        call.principal(),
        jobs.get(call.param("projectId"), call.param("jobId"), call.query("location")));
    jobs.delete(call.param("projectId"), call.param("jobId"), call.query("location"));
    return Reply.noContent();
  }
}
