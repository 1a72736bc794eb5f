package dev.bqjobs.emulator.api;

import com.google.api.services.bigquery.model.Job;
import dev.bqjobs.emulator.engine.JobManager;
import dev.bqjobs.emulator.http.HttpCall;
import dev.bqjobs.emulator.http.Reply;
import dev.bqjobs.emulator.http.Router;

/** jobs.insert, get, list, cancel and delete. */
public final class JobsApi {
  private final JobManager jobs;

  public JobsApi(JobManager jobs) {
    this.jobs = jobs;
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
    return Reply.ok(jobs.insert(call.param("projectId"), request));
  }

  private Reply get(HttpCall call) {
    return Reply.ok(jobs.get(call.param("projectId"), call.param("jobId"), call.query("location")));
  }

  private Reply list(HttpCall call) {
    String min = call.query("minCreationTime");
    String max = call.query("maxCreationTime");
    return Reply.ok(
        jobs.list(
            call.param("projectId"),
            call.queryAll("stateFilter"),
            call.queryLong("maxResults", 0),
            call.query("pageToken"),
            "minimal".equalsIgnoreCase(call.query("projection")),
            min == null ? null : call.queryLong("minCreationTime", 0),
            max == null ? null : call.queryLong("maxCreationTime", 0)));
  }

  private Reply cancel(HttpCall call) {
    return Reply.ok(
        jobs.cancel(call.param("projectId"), call.param("jobId"), call.query("location")));
  }

  private Reply delete(HttpCall call) {
    jobs.delete(call.param("projectId"), call.param("jobId"), call.query("location"));
    return Reply.noContent();
  }
}
