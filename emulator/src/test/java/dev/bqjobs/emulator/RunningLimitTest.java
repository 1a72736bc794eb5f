package dev.bqjobs.emulator;

import static dev.bqjobs.emulator.TestSupport.pollUntil;
import static dev.bqjobs.emulator.TestSupport.queryJob;
import static dev.bqjobs.emulator.TestSupport.runOk;
import static dev.bqjobs.emulator.TestSupport.waitDone;
import static dev.bqjobs.emulator.TestSupport.withRuntime;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.isOneOf;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.nullValue;

import com.google.api.services.bigquery.Bigquery;
import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobList;
import com.google.api.services.bigquery.model.JobStatistics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.ClassRule;
import org.junit.Test;

/** {@code --max-running-jobs} and {@code --job-runtime}, through the real client. */
public class RunningLimitTest {
  @ClassRule
  public static final LocalBigQueryRule BQ =
      new LocalBigQueryRule(
          b -> b.maxRunningJobs(2).jobRuntime(Duration.ofMillis(50), Duration.ofMillis(100)));

  private final Bigquery bq = BQ.client();

  private int running(String project) throws Exception {
    JobList list = bq.jobs().list(project).setStateFilter(List.of("running")).execute();
    return list.getJobs() == null ? 0 : list.getJobs().size();
  }

  @Test
  public void atMostMaxRunningJobsRunAtOnceAndTheRestWaitPending() throws Exception {
    String project = "limit-project";
    List<Job> inserted = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      inserted.add(
          bq.jobs()
              .insert(project, withRuntime(queryJob(project, "limited_" + i, "SELECT " + i), 250))
              .execute());
    }
    // The first two take the slots (or wait an instant for a slot the previous test's jobs are
    // still releasing: a job turns DONE just before its slot frees); the other four must wait.
    for (Job j : inserted.subList(0, 2)) {
      assertThat(j.getId(), j.getStatus().getState(), isOneOf("RUNNING", "PENDING"));
    }
    for (Job j : inserted.subList(2, 6)) {
      assertThat(j.getId(), j.getStatus().getState(), equalTo("PENDING"));
    }

    // Every poll sees at most two RUNNING (jobs.list reads newest first, so a job that started
    // after another finished is never seen beside it).
    int maxSeen =
        pollUntil(
            "all limited jobs DONE",
            () -> {
              int r = running(project);
              assertThat("RUNNING jobs in one jobs.list", r, lessThanOrEqualTo(2));
              JobList done = bq.jobs().list(project).setStateFilter(List.of("done")).execute();
              return done.getJobs() == null ? 0 : done.getJobs().size();
            },
            n -> n == 6);
    assertThat(maxSeen, equalTo(6));

    // The recorded RUNNING intervals [startTime, endTime) never overlap more than two deep.
    List<JobStatistics> stats = new ArrayList<>();
    for (Job j : inserted) {
      Job done = bq.jobs().get(project, j.getJobReference().getJobId()).execute();
      assertThat(done.getStatus().getErrorResult(), nullValue());
      stats.add(done.getStatistics());
    }
    for (JobStatistics s : stats) {
      int overlapping = 0;
      for (JobStatistics o : stats) {
        if (o.getStartTime() <= s.getStartTime() && s.getStartTime() < o.getEndTime()) {
          overlapping++;
        }
      }
      assertThat("jobs running at " + s.getStartTime(), overlapping, lessThanOrEqualTo(2));
      assertThat(s.getEndTime() - s.getStartTime(), greaterThanOrEqualTo(250L));
    }
    for (Job j : inserted) {
      assertThat(
          BQ.server().executionsPerJob().get(project + ":" + j.getJobReference().getJobId()),
          equalTo(1));
    }
  }

  @Test
  public void cancellingAPendingJobStopsItBeforeItRuns() throws Exception {
    String project = "pending-project";
    Job a =
        bq.jobs()
            .insert(project, withRuntime(queryJob(project, "hog_a", "SELECT 1"), 10_000))
            .execute();
    Job b =
        bq.jobs()
            .insert(project, withRuntime(queryJob(project, "hog_b", "SELECT 1"), 10_000))
            .execute();
    Job waiting =
        bq.jobs()
            .insert(project, queryJob(project, "waiting", "CREATE SCHEMA never_made"))
            .execute();
    assertThat(waiting.getStatus().getState(), equalTo("PENDING"));

    Job cancelled = bq.jobs().cancel(project, "waiting").execute().getJob();
    Job done = waitDone(bq, cancelled.getJobReference());
    assertThat(done.getStatus().getErrorResult().getReason(), equalTo("stopped"));
    assertThat(BQ.server().executionsPerJob().containsKey(project + ":waiting"), is(false));
    TestSupport.expectError(
        404, "notFound", () -> bq.datasets().get(project, "never_made").execute());

    bq.jobs().cancel(project, "hog_a").execute();
    bq.jobs().cancel(project, "hog_b").execute();
    assertThat(
        waitDone(bq, a.getJobReference()).getStatus().getErrorResult().getReason(),
        equalTo("stopped"));
    assertThat(
        waitDone(bq, b.getJobReference()).getStatus().getErrorResult().getReason(),
        equalTo("stopped"));
    // The freed slots serve new jobs.
    assertThat(running(project), equalTo(0));
    runOk(bq, queryJob(project, "after_hogs", "SELECT 1"));
  }

  @Test
  public void jobsWithoutTheLabelGetARuntimeFromTheServerRange() throws Exception {
    Job done = runOk(bq, queryJob("range-project", "ranged", "SELECT 1"));
    long ran = done.getStatistics().getEndTime() - done.getStatistics().getStartTime();
    assertThat(ran, greaterThanOrEqualTo(50L));

    Job labelled = runOk(bq, withRuntime(queryJob("range-project", "zero", "SELECT 1"), 0));
    // The label overrides the range; wall-clock upper bounds would be flaky, so check the order.
    assertThat(
        labelled.getStatistics().getStartTime(),
        lessThanOrEqualTo(labelled.getStatistics().getEndTime()));
  }
}
