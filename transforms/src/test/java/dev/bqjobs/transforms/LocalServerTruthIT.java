package dev.bqjobs.transforms;

import static dev.bqjobs.transforms.LocalServerSupport.describe;
import static dev.bqjobs.transforms.LocalServerSupport.query;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;

import dev.bqjobs.emulator.LocalBigQueryRule;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * Results tell the truth over real HTTP (BigqueryJobService against the local server): a request
 * with a malformed project is its own FAILED result while the others run; the same explicit job ID
 * in two projects is two jobs; an endpoint that refuses connections fails within bounded retries.
 */
public class LocalServerTruthIT {
  @ClassRule public static final LocalBigQueryRule BQ = new LocalBigQueryRule();

  private static BigQueryJobs.Run transform(String token) {
    return BigQueryJobs.run()
        .withRootUrl(BQ.rootUrl())
        .withProject(BQ.server().projectId())
        .withLocation("US")
        .withRunToken(token)
        .withPollBackoff(Duration.millis(50), Duration.millis(500));
  }

  private static PCollection<String> messages(PCollection<JobResult> failed) {
    return failed.apply(
        "messages",
        MapElements.into(TypeDescriptors.strings()).via(r -> r.getErrorResult().getMessage()));
  }

  @Test
  public void malformedProjectFailsAloneAndTheOthersRun() {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    BigQueryJobs.Result result =
        p.apply(
                Create.of(
                    query("SELECT 1", "bad").withProject("projects/" + BQ.server().projectId()),
                    query("SELECT 2", "good")))
            .apply(transform("truth_project"));
    PAssert.that(describe(result.failed(), "f")).containsInAnyOrder("bad:FAILED:invalid");
    PAssert.that(messages(result.failed()))
        .satisfies(
            messages -> {
              for (String m : messages) {
                assertThat(m, containsString("did you mean '" + BQ.server().projectId() + "'?"));
              }
              return null;
            });
    PAssert.that(describe(result.succeeded(), "s")).containsInAnyOrder("good:SUCCEEDED");
    p.run().waitUntilFinish();
  }

  @Test
  public void sameExplicitJobIdInTwoProjectsRunsTwoJobs() {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    BigQueryJobs.Result result =
        p.apply(
                Create.of(
                    query("SELECT 1", "a").withProject("truth-a").withJobId("nightly_report"),
                    query("SELECT 1", "b").withProject("truth-b").withJobId("nightly_report")))
            .apply(transform("truth_projects"));
    PAssert.that(describe(result.succeeded(), "s"))
        .containsInAnyOrder("a:SUCCEEDED", "b:SUCCEEDED");
    PAssert.that(result.failed()).empty();
    p.run().waitUntilFinish();
    assertEquals(Integer.valueOf(1), BQ.server().executionsPerJob().get("truth-a:nightly_report"));
    assertEquals(Integer.valueOf(1), BQ.server().executionsPerJob().get("truth-b:nightly_report"));
  }

  @Test
  public void endpointThatRefusesConnectionsFailsWithinBoundedRetries() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort(); // free again once closed: nothing listens there
    }
    FakeTime time = new FakeTime(1_700_000_000_000L); // backoff sleeps are virtual
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    BigQueryJobs.Result result =
        p.apply(Create.of(query("SELECT 1", "nowhere")))
            .apply(
                BigQueryJobs.run()
                    .withRootUrl("http://127.0.0.1:" + closedPort + "/")
                    .withProject("proj")
                    .withRunToken("truth_refused")
                    .withTimeSource(time));
    PAssert.that(messages(result.failed()))
        .satisfies(
            messages -> {
              List<String> all = new ArrayList<>();
              messages.forEach(all::add);
              assertEquals(1, all.size());
              assertThat(all.get(0), containsString("failed 8 times"));
              assertThat(all.get(0), containsString("the job was not started"));
              assertThat(all.get(0), containsString("ConnectException"));
              return null;
            });
    p.run().waitUntilFinish();
  }
}
