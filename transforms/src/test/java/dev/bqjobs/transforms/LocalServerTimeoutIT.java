package dev.bqjobs.transforms;

import static dev.bqjobs.transforms.LocalServerSupport.collect;
import static dev.bqjobs.transforms.LocalServerSupport.collected;
import static dev.bqjobs.transforms.LocalServerSupport.countAll;
import static dev.bqjobs.transforms.LocalServerSupport.createDataset;
import static dev.bqjobs.transforms.LocalServerSupport.describe;
import static dev.bqjobs.transforms.LocalServerSupport.executions;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.isOneOf;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.nullValue;

import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobConfigurationQuery;
import dev.bqjobs.emulator.LocalBigQueryRule;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.joda.time.Duration;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * The job timeout over HTTP: past it the job is cancelled and polled to DONE; a job stopped that
 * way is FAILED {@code timeout}, one that was already DONE when the cancel landed keeps its
 * outcome.
 */
public class LocalServerTimeoutIT {
  static final String P = "timeout-project";

  @ClassRule public static final LocalBigQueryRule BQ = new LocalBigQueryRule();
  @Rule public final transient TestPipeline p = TestPipeline.create();

  @BeforeClass
  public static void data() throws Exception {
    createDataset(BQ.server(), P, "ds");
  }

  /** A statement with effects that stays RUNNING {@code runtimeMs} on the server. */
  private static JobRequest slow(String sql, long runtimeMs, String key) {
    return JobRequest.of(
            new JobConfiguration()
                .setQuery(new JobConfigurationQuery().setQuery(sql).setUseLegacySql(false)))
        .withLabels(Map.of("bqjobs-emulator-runtime-ms", Long.toString(runtimeMs)))
        .withKey(key);
  }

  private static BigQueryJobs.Run transform(String runToken) {
    return BigQueryJobs.run()
        .withRootUrl(BQ.rootUrl())
        .withProject(P)
        .withLocation("US")
        .withJobIdPrefix("timeout")
        .withRunToken(runToken)
        .withJobTimeout(Duration.standardSeconds(2));
  }

  @Test
  public void aJobPastItsTimeoutIsCancelledAndFailedTimeout() throws Exception {
    long started = System.currentTimeMillis();
    BigQueryJobs.Result result =
        p.apply(Create.of(slow("CREATE TABLE ds.never AS SELECT 1 AS x", 60_000, "slow")))
            .apply(transform("cancel").withPollBackoff(Duration.millis(50), Duration.millis(500)));
    PAssert.that(result.succeeded()).empty();
    PAssert.that(result.succeededWithWarnings()).empty();
    PAssert.that(describe(result.failed(), "f")).containsInAnyOrder("slow:FAILED:timeout");
    collect(result.failed(), "cancel");
    p.run().waitUntilFinish();
    long elapsed = System.currentTimeMillis() - started;

    JobResult r = collected("cancel").get(0);
    String jobId = r.getAttemptJobIds().get(0);
    assertThat(r.getAttemptJobIds(), hasSize(1)); // a timeout is not rerun
    assertThat(
        r.getErrorResult().getMessage(),
        allOf(containsString(jobId), containsString("timeout of 2000 ms")));
    assertThat("the run did not wait for the 60 s job", elapsed, lessThan(30_000L));
    // The server's view: the job stopped (our cancel, or the jobTimeoutMs backstop we sent).
    Job onServer = BQ.client().jobs().get(P, jobId).setLocation("US").execute();
    assertThat(onServer.getStatus().getState(), equalTo("DONE"));
    assertThat(onServer.getStatus().getErrorResult().getReason(), isOneOf("stopped", "timeout"));
    assertThat(onServer.getConfiguration().getJobTimeoutMs(), equalTo(2000L));
    assertThat("it never executed", executions(BQ.server(), P).get(jobId), nullValue());
    assertThat(
        BQ.client().tables().list(P, "ds").execute().getTables() == null
            || BQ.client().tables().list(P, "ds").execute().getTables().stream()
                .noneMatch(t -> t.getTableReference().getTableId().equals("never")),
        is(true));
  }

  @Test
  public void aJobDoneBeforeTheCancelLandsKeepsItsOutcome() throws Exception {
    // The job ends after 300 ms, but the first poll is due only at the 3 s timeout (backoff 10 s,
    // capped at the deadline): the transform cancels a job that is already DONE, and must report
    // its real outcome, with its effects.
    long cancelsBefore = countAll(BQ.server(), "jobs.cancel");
    long getsBefore = countAll(BQ.server(), "jobs.get");
    BigQueryJobs.Result result =
        p.apply(Create.of(slow("CREATE TABLE ds.kept AS SELECT 7 AS x", 300, "quick")))
            .apply(
                transform("late")
                    .withJobTimeout(Duration.standardSeconds(3))
                    .withPollBackoff(Duration.standardSeconds(10), Duration.standardSeconds(10)));
    PAssert.that(describe(result.succeeded(), "s")).containsInAnyOrder("quick:SUCCEEDED");
    PAssert.that(result.succeededWithWarnings()).empty();
    PAssert.that(result.failed()).empty();
    collect(result.succeeded(), "late");
    p.run().waitUntilFinish();

    assertThat(
        "the cancel was sent", countAll(BQ.server(), "jobs.cancel") - cancelsBefore, equalTo(1L));
    assertThat("no poll before it", countAll(BQ.server(), "jobs.get") - getsBefore, equalTo(0L));
    JobResult r = collected("late").get(0);
    assertThat(r.getErrorResult(), nullValue());
    assertThat(r.getJob().getStatus().getState(), equalTo("DONE"));
    assertThat(r.getStatistics().getQuery().getStatementType(), equalTo("CREATE_TABLE_AS_SELECT"));
    assertThat(executions(BQ.server(), P).get(r.getAttemptJobIds().get(0)), equalTo(1));
    assertThat(
        BQ.client().tables().get(P, "ds", "kept").execute().getNumRows().longValue(), equalTo(1L));
    assertThat(List.of(r.getAttemptJobIds().get(0)), equalTo(r.getAttemptJobIds()));
  }
}
