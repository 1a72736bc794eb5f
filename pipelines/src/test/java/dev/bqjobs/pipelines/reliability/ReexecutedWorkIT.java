package dev.bqjobs.pipelines.reliability;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobConfigurationQuery;
import dev.bqjobs.emulator.LocalBigQuery;
import dev.bqjobs.pipelines.BqJobsCommand;
import dev.bqjobs.transforms.BigQueryJobs;
import dev.bqjobs.transforms.CollectedResults;
import dev.bqjobs.transforms.JobRequest;
import dev.bqjobs.transforms.JobResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Re-executed work starts no second job: (1) the transform's job step executed twice over the same
 * input at the same time (two applications with one run token in one pipeline, as a runner retry or
 * speculative execution does); (2) the command on Spark {@code local[2,4]} with tasks of the job
 * step failing once after their inserts ({@link TaskFailureSparkRunner}), which Spark runs again.
 */
public class ReexecutedWorkIT {
  private static final String PROJECT = "bqjobs-local";

  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void jobStepExecutedTwiceOverTheSameInputStartsEachJobOnce() throws Exception {
    int jobs = Reliability.full() ? 500 : 100;
    try (LocalBigQuery server =
        LocalBigQuery.builder()
            .project(PROJECT)
            .faults("jobs.insert:lost=0.1")
            .jobRuntime(Duration.ofMillis(50), Duration.ofMillis(500))
            .seed(5)
            .start()) {
      Reliability.createLog(server.client(), PROJECT);
      List<JobRequest> requests = new ArrayList<>();
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < jobs; i++) {
        requests.add(
            JobRequest.of(
                    new JobConfiguration()
                        .setQuery(
                            new JobConfigurationQuery()
                                .setQuery("INSERT INTO ds.log (k) VALUES ('k" + i + "')")
                                .setUseLegacySql(false)))
                .withKey("k" + i));
        keys.add("k" + i);
      }
      BigQueryJobs.Run transform =
          BigQueryJobs.run()
              .withRootUrl(server.rootUrl())
              .withProject(PROJECT)
              .withJobIdPrefix("rel")
              .withRunToken("twice")
              .withPollBackoff(
                  org.joda.time.Duration.millis(50), org.joda.time.Duration.millis(500));
      Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
      PCollection<JobRequest> input = p.apply(Create.of(requests));
      CollectedResults.collect(input.apply("First", transform), "first");
      CollectedResults.collect(input.apply("Second", transform), "second");
      PipelineResult.State state =
          p.run().waitUntilFinish(org.joda.time.Duration.standardMinutes(10));
      assertThat(state, equalTo(PipelineResult.State.DONE));

      Map<String, Integer> executed =
          Reliability.executions(server.executionsPerJob(), PROJECT, "rel_twice_");
      Reliability.Check first =
          new Reliability.Check(keys, lines(CollectedResults.collected("first")), executed);
      Reliability.Check second =
          new Reliability.Check(keys, lines(CollectedResults.collected("second")), executed);
      long[] rows = Reliability.logRows(server.client(), PROJECT);
      Map<String, String> firstIds = jobIds(CollectedResults.collected("first"));
      Map<String, String> secondIds = jobIds(CollectedResults.collected("second"));

      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("executed", "job_step_twice_concurrently");
      fields.putAll(first.fields());
      fields.put("second_results", second.results);
      fields.put("second_each_once", second.eachOnce());
      fields.put("same_job_ids", firstIds.equals(secondIds));
      fields.put("inserts_409", server.requestCounts().getOrDefault("jobs.insert 409", 0L));
      fields.put("rows", rows[0]);
      fields.put("rows_dup_keys", rows[1]);
      Reliability.figure("reexecuted_job_step", fields);

      first.assertConserved("first application");
      second.assertConserved("second application");
      assertThat("both applications report the same jobs", secondIds, equalTo(firstIds));
      assertThat("one job per request", executed.size(), equalTo(jobs + first.reruns));
      assertThat("one row per request", rows[0], equalTo((long) jobs));
      assertThat(rows[1], equalTo(0L));
    }
  }

  @Test
  public void sparkTaskFailureAfterInsertsStartsNoSecondJob() throws Exception {
    sparkTaskFailureRow("sparkfail");
  }

  /**
   * The same without a run token: the token drawn per launch reaches every task through a singleton
   * side input, so a re-executed task computes the same job IDs and meets its own jobs.
   */
  @Test
  public void sparkTaskFailureWithoutARunTokenStartsNoSecondJob() throws Exception {
    sparkTaskFailureRow(null);
  }

  private void sparkTaskFailureRow(String runToken) throws Exception {
    int jobs = Reliability.full() ? 300 : 60;
    Path dir = tmp.getRoot().toPath();
    TaskFailureSparkRunner.reset();
    try (LocalBigQuery server =
        LocalBigQuery.builder()
            .project(PROJECT)
            .jobRuntime(Duration.ofMillis(200), Duration.ofMillis(1500))
            .seed(9)
            .start()) {
      Reliability.createLog(server.client(), PROJECT);
      Path jobsFile = Reliability.insertsFile(dir, jobs);
      Path out = dir.resolve("out");
      String prefix = runToken != null ? "rel" : "relnotoken";
      List<String> args =
          new ArrayList<>(
              List.of(
                  "--jobIdPrefix=" + prefix,
                  // 10 shards, 3 jobs in flight per shard: a failing task has jobs still running.
                  "--maxConcurrentJobs=30",
                  "--runner=" + TaskFailureSparkRunner.class.getName(),
                  "--sparkMaster=local[2,4]"));
      if (runToken != null) {
        args.add("--runToken=" + runToken);
      }
      Reliability.Run run =
          Reliability.commandOn(
              Duration.ofMinutes(Reliability.full() ? 20 : 8),
              server.rootUrl(),
              jobsFile,
              out,
              args.toArray(new String[0]));
      assertThat(run.toString(), run.exitCode, equalTo(BqJobsCommand.EXIT_OK));

      List<String> keys = new ArrayList<>();
      for (int i = 0; i < jobs; i++) {
        keys.add("k" + i);
      }
      Map<String, Integer> executed =
          Reliability.executions(
              server.executionsPerJob(),
              PROJECT,
              runToken != null ? prefix + "_" + runToken + "_" : prefix + "_");
      Reliability.Check check = new Reliability.Check(keys, Reliability.results(out), executed);
      long[] rows = Reliability.logRows(server.client(), PROJECT);
      long conflicts = server.requestCounts().getOrDefault("jobs.insert 409", 0L);

      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("runner", "spark_local[2,4]");
      fields.put("run_token", runToken != null ? "fixed" : "drawn_per_launch");
      fields.put("injected_task_failures", TaskFailureSparkRunner.INJECTED.get());
      fields.putAll(check.fields());
      fields.put("reexecuted_inserts_409", conflicts);
      fields.put("second_jobs", check.executions - jobs - check.reruns);
      fields.put("rows", rows[0]);
      fields.put("rows_dup_keys", rows[1]);
      fields.put("seconds", run.millis / 1000.0);
      Reliability.figure("reexecuted_spark_task", fields);

      assertThat(
          "the failures were injected",
          TaskFailureSparkRunner.INJECTED.get(),
          equalTo(TaskFailureSparkRunner.FAILURES));
      assertThat("the re-executed tasks met their own jobs (409)", conflicts, greaterThan(0L));
      check.assertConserved("spark task failure");
      assertThat("no second job", executed.size(), equalTo(jobs));
      assertThat(rows[0], equalTo((long) jobs));
      assertThat(rows[1], equalTo(0L));
    }
  }

  private static List<Reliability.Line> lines(List<JobResult> results) {
    List<Reliability.Line> lines = new ArrayList<>();
    for (JobResult r : results) {
      com.fasterxml.jackson.databind.node.ObjectNode n = Reliability.JSON.createObjectNode();
      n.put("key", r.getKey());
      n.put("outcome", r.getOutcome().name());
      n.put("jobId", r.getJobReference() == null ? null : r.getJobReference().getJobId());
      com.fasterxml.jackson.databind.node.ArrayNode a = n.putArray("attempts");
      r.getAttemptJobIds().forEach(a::add);
      if (r.getErrorResult() != null) {
        n.putObject("errorResult")
            .put("reason", r.getErrorResult().getReason())
            .put("message", r.getErrorResult().getMessage());
      }
      lines.add(new Reliability.Line(n, "collected"));
    }
    return lines;
  }

  private static Map<String, String> jobIds(List<JobResult> results) {
    Map<String, String> m = new java.util.TreeMap<>();
    for (JobResult r : results) {
      m.put(r.getKey(), String.valueOf(r.getAttemptJobIds()));
    }
    return m;
  }
}
