package dev.bqjobs.transforms;

import static dev.bqjobs.transforms.LocalServerSupport.collect;
import static dev.bqjobs.transforms.LocalServerSupport.collected;
import static dev.bqjobs.transforms.LocalServerSupport.executions;
import static dev.bqjobs.transforms.LocalServerSupport.query;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import com.google.api.services.bigquery.model.Job;
import dev.bqjobs.emulator.LocalBigQueryRule;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.values.PCollectionList;
import org.joda.time.Duration;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * Over HTTP against the local server, whose every job fails with a retryable backendError: a
 * GoogleSQL script (statementType SCRIPT, reported by the server for the failed job) is not rerun,
 * since its statements commit one by one, while a single statement is rerun up to the limit.
 */
public class LocalServerScriptRerunIT {
  static final String P = "script-rerun-project";

  @ClassRule
  public static final LocalBigQueryRule BQ =
      new LocalBigQueryRule(b -> b.faults("job:backendError=1.0"));

  @Rule public final transient TestPipeline p = TestPipeline.create();

  @Test
  public void aRetryablyFailedScriptIsNotRerunButASingleStatementIs() throws Exception {
    BigQueryJobs.Result result =
        p.apply(
                Create.of(
                    query("DECLARE n INT64 DEFAULT 3;\nSELECT n * 2;", "script"),
                    query("SELECT 6 AS n", "single")))
            .apply(
                BigQueryJobs.run()
                    .withRootUrl(BQ.rootUrl())
                    .withProject(P)
                    .withLocation("US")
                    .withJobIdPrefix("scr")
                    .withRunToken("once")
                    .withMaxJobAttempts(3)
                    .withPollBackoff(Duration.millis(20), Duration.millis(200)));
    collect(
        PCollectionList.of(result.succeeded()).and(result.failed()).apply(Flatten.pCollections()),
        "scripts");
    p.run().waitUntilFinish();

    Map<String, JobResult> byKey =
        collected("scripts").stream().collect(Collectors.toMap(JobResult::getKey, r -> r));
    JobResult script = byKey.get("script");
    assertThat(script.getOutcome(), equalTo(JobResult.Outcome.FAILED));
    assertThat(script.getAttemptJobIds(), hasSize(1));
    assertThat(script.getErrorResult().getReason(), equalTo("backendError"));
    assertThat(script.getErrorResult().getMessage(), containsString("multi-statement script"));
    Job failed =
        BQ.client().jobs().get(P, script.getAttemptJobIds().get(0)).setLocation("US").execute();
    assertThat(failed.getStatistics().getQuery().getStatementType(), equalTo("SCRIPT"));

    JobResult single = byKey.get("single");
    assertThat(single.getOutcome(), equalTo(JobResult.Outcome.FAILED));
    assertThat(single.getAttemptJobIds(), hasSize(3));

    List<Integer> scriptRuns =
        executions(BQ.server(), P).entrySet().stream()
            .filter(e -> e.getKey().equals(script.getAttemptJobIds().get(0)))
            .map(Map.Entry::getValue)
            .collect(Collectors.toList());
    assertThat("the script's one attempt ran once", scriptRuns, equalTo(List.of(1)));
  }
}
