package dev.bqjobs.transforms;

import static dev.bqjobs.transforms.LocalServerSupport.collect;
import static dev.bqjobs.transforms.LocalServerSupport.collected;
import static dev.bqjobs.transforms.LocalServerSupport.countAll;
import static dev.bqjobs.transforms.LocalServerSupport.executions;
import static dev.bqjobs.transforms.LocalServerSupport.query;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;

import dev.bqjobs.emulator.LocalBigQueryRule;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * With lean results, jobs' final states come from the server's jobs.list of DONE jobs ({@code
 * projection=full}) over HTTP: outcomes, errors and statistics as jobs.get would give them, without
 * a jobs.get per job.
 */
public class LocalServerLeanResultsIT {
  static final String P = "lean-project";
  static final int JOBS = 60;

  @ClassRule
  public static final LocalBigQueryRule BQ =
      new LocalBigQueryRule(
          b ->
              b.maxRunningJobs(1_000)
                  .jobRuntime(
                      java.time.Duration.ofMillis(1_000), java.time.Duration.ofMillis(3_000)));

  @Rule public final transient TestPipeline p = TestPipeline.fromOptions(options());

  private static PipelineOptions options() {
    PipelineOptions options = TestPipeline.testingPipelineOptions();
    options.as(DirectOptions.class).setTargetParallelism(2);
    return options;
  }

  @Test
  public void finalStatesComeFromTheListOfDoneJobs() throws Exception {
    List<JobRequest> requests = new ArrayList<>();
    for (int i = 0; i < JOBS; i++) {
      requests.add(
          i % 10 == 7
              ? query("SELECT * FROM no_such_dataset.t" + i, "k" + i)
              : query("SELECT " + i + " AS n", "k" + i));
    }
    BigQueryJobs.Result result =
        p.apply(Create.of(requests))
            .apply(
                BigQueryJobs.run()
                    .withRootUrl(BQ.rootUrl())
                    .withProject(P)
                    .withLocation("US")
                    .withRunToken("lean")
                    .withNumShards(2)
                    .withLeanResults());
    collect(result.succeeded(), "lean-ok");
    collect(result.failed(), "lean-failed");
    p.run().waitUntilFinish();

    List<JobResult> ok = collected("lean-ok");
    List<JobResult> failed = collected("lean-failed");
    assertEquals(JOBS - JOBS / 10, ok.size());
    assertEquals(JOBS / 10, failed.size());
    for (JobResult r : ok) {
      assertEquals("DONE", r.getJob().getStatus().getState());
      assertNull(r.getJob().getStatus().getErrorResult());
      assertNotNull(r.getJob().getStatistics().getEndTime());
      assertNotNull(r.getJob().getConfiguration().getQuery());
    }
    for (JobResult r : failed) {
      assertEquals("notFound", r.getErrorResult().getReason());
    }
    assertThat(executions(BQ.server(), P).size(), equalTo(JOBS));
    assertThat(countAll(BQ.server(), "jobs.list"), greaterThan(0L));
    // per job only while fewer than FleetWatcher.MIN_JOBS are left in a JVM (the last few) and
    // they run longer than the list pays for
    assertThat(countAll(BQ.server(), "jobs.get"), lessThan(15L));
  }
}
