package dev.bqjobs.transforms;

import static dev.bqjobs.transforms.LocalServerSupport.createDataset;
import static dev.bqjobs.transforms.LocalServerSupport.describe;
import static dev.bqjobs.transforms.LocalServerSupport.query;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertEquals;

import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.bqjobs.emulator.LocalBigQueryRule;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.errorhandling.BadRecord;
import org.apache.beam.sdk.transforms.errorhandling.ErrorHandler.BadRecordErrorHandler;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * {@link BigQueryJobs.Run#withErrorHandler} over HTTP against the local server: the handler gets
 * BigQuery's own reasons and messages for exactly the failed requests.
 */
public class LocalServerErrorHandlerIT {
  static final String P = "handler-project";

  @ClassRule public static final LocalBigQueryRule BQ = new LocalBigQueryRule();
  @Rule public final transient TestPipeline p = TestPipeline.create();

  @BeforeClass
  public static void data() throws Exception {
    createDataset(BQ.server(), P, "ds");
  }

  @Test
  public void theHandlerReceivesExactlyTheFailedRequestsWithBigQueryReasons() {
    BadRecordErrorHandler<PCollection<BadRecord>> handler =
        p.registerBadRecordErrorHandler(new ErrorHandlerTest.PassThrough());
    BigQueryJobs.Result result =
        p.apply(
                Create.of(
                    query("SELECT 1 AS x", "ok"),
                    query("SELECT 2 AS y", "ok_too"),
                    query("SELECT * FROM ds.missing", "missing"),
                    query("SELECT FROM WHERE", "bad_sql"),
                    JobRequest.of(new JobConfiguration()).withKey("no_type")))
            .apply(
                BigQueryJobs.run()
                    .withRootUrl(BQ.rootUrl())
                    .withProject(P)
                    .withLocation("US")
                    .withJobIdPrefix("handler")
                    .withRunToken("handler")
                    .withPollBackoff(Duration.millis(20), Duration.millis(200))
                    .withErrorHandler(handler));
    handler.close();

    PAssert.that(describe(result.succeeded(), "s"))
        .containsInAnyOrder("ok:SUCCEEDED", "ok_too:SUCCEEDED");
    PAssert.that(describe(result.failed(), "f"))
        .containsInAnyOrder(
            "missing:FAILED:notFound", "bad_sql:FAILED:invalidQuery", "no_type:FAILED:invalid");
    PAssert.that(handler.getOutput())
        .satisfies(
            records -> {
              Map<String, String> descriptionByKey = new TreeMap<>();
              for (BadRecord r : records) {
                JsonObject json =
                    JsonParser.parseString(r.getRecord().getHumanReadableJsonRecord())
                        .getAsJsonObject();
                descriptionByKey.put(
                    json.get("key").getAsString(), r.getFailure().getDescription());
                if (!json.get("jobId").isJsonNull()) {
                  // The job the server really ran, where it ran.
                  assertEquals(P, json.get("projectId").getAsString());
                  assertEquals("US", json.get("location").getAsString());
                  assertThat(
                      r.getFailure().getDescription(),
                      containsString("(job " + P + ":US." + json.get("jobId").getAsString()));
                }
              }
              assertEquals(3, descriptionByKey.size());
              assertThat(descriptionByKey.get("missing"), startsWith("notFound: "));
              assertThat(descriptionByKey.get("missing"), containsString("ds.missing"));
              assertThat(descriptionByKey.get("bad_sql"), startsWith("invalidQuery: "));
              assertThat(descriptionByKey.get("no_type"), startsWith("invalid: "));
              return null;
            });

    assertEquals(PipelineResult.State.DONE, p.run().waitUntilFinish());
  }
}
