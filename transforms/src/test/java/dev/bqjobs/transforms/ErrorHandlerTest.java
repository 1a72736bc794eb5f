package dev.bqjobs.transforms;

import static dev.bqjobs.transforms.LocalServerSupport.describe;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobConfigurationLoad;
import com.google.api.services.bigquery.model.TableReference;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.bqjobs.transforms.FakeBigQuery.Plan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.errorhandling.BadRecord;
import org.apache.beam.sdk.transforms.errorhandling.ErrorHandler.BadRecordErrorHandler;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.PCollection;
import org.junit.Rule;
import org.junit.Test;

/**
 * {@link BigQueryJobs.Run#withErrorHandler}: FAILED results also reach a Beam {@link
 * BadRecordErrorHandler} as {@link BadRecord}s, on the DirectRunner against the in-memory fake.
 */
public class ErrorHandlerTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  private final FakeTime time = new FakeTime(1_700_000_000_000L);
  private final FakeBigQuery bq = new FakeBigQuery(time);

  private BigQueryJobs.Run transform() {
    return BigQueryJobs.run()
        .withProject("proj")
        .withLocation("EU")
        .withJobIdPrefix("eh")
        .withRunToken("errors")
        .withJobServiceFactory(bq.factory())
        .withTimeSource(time);
  }

  /** The handler's sink: passes the bad records through, so the test can assert on them. */
  static final class PassThrough
      extends PTransform<PCollection<BadRecord>, PCollection<BadRecord>> {
    @Override
    public PCollection<BadRecord> expand(PCollection<BadRecord> input) {
      return input
          .apply("Identity", ParDo.of(new IdentityFn()))
          .setCoder(BadRecord.getCoder(input.getPipeline()));
    }
  }

  static final class IdentityFn extends DoFn<BadRecord, BadRecord> {
    @ProcessElement
    public void process(@Element BadRecord r, OutputReceiver<BadRecord> out) {
      out.output(r);
    }
  }

  /** Succeeds, succeeds with warnings, or fails in each of the ways a request can. */
  private void planByQuery() {
    bq.setPlanner(
        job -> {
          if (job.getConfiguration().getLoad() != null) {
            return Plan.warn(800, "row 3: bad value");
          }
          String sql = BigQueryJobsTest.sql(job);
          if (sql.contains("missing_table")) {
            return Plan.fail(1_000, "notFound");
          }
          if (sql.contains("flaky")) {
            return Plan.fail(600, "jobBackendError"); // retryable: every attempt fails
          }
          return Plan.succeed(500);
        });
  }

  private static List<JobRequest> mixedRequests() {
    return List.of(
        BigQueryJobsTest.query("SELECT 1").withKey("ok"),
        JobRequest.of(
                new JobConfiguration()
                    .setLoad(
                        new JobConfigurationLoad()
                            .setSourceUris(List.of("gs://b/people.csv"))
                            .setMaxBadRecords(5)
                            .setDestinationTable(
                                new TableReference()
                                    .setProjectId("proj")
                                    .setDatasetId("ds")
                                    .setTableId("people"))))
            .withKey("warned"),
        BigQueryJobsTest.query("SELECT * FROM missing_table").withKey("missing"),
        BigQueryJobsTest.query("SELECT 'flaky'").withKey("flaky"),
        JobRequest.of(new JobConfiguration()).withKey("no_type"));
  }

  /** Key to the request's canonical JSON: serialisable, unlike JobRequest, for PAssert lambdas. */
  private static Map<String, String> canonical(List<JobRequest> requests) {
    Map<String, String> out = new HashMap<>();
    requests.forEach(r -> out.put(r.getKey(), r.toCanonicalJson()));
    return out;
  }

  @Test
  public void failedResultsAlsoReachTheHandlerAndFailedKeepsThemAll() {
    planByQuery();
    List<JobRequest> requests = mixedRequests();
    Map<String, String> sent = canonical(requests);

    BadRecordErrorHandler<PCollection<BadRecord>> handler =
        p.registerBadRecordErrorHandler(new PassThrough());
    BigQueryJobs.Result result =
        p.apply(Create.of(requests)).apply(transform().withErrorHandler(handler));
    handler.close();

    PAssert.that(describe(result.succeeded(), "s")).containsInAnyOrder("ok:SUCCEEDED");
    PAssert.that(describe(result.succeededWithWarnings(), "w"))
        .containsInAnyOrder("warned:SUCCEEDED_WITH_WARNINGS");
    // failed() is unchanged by the handler: it still holds every failure.
    PAssert.that(describe(result.failed(), "f"))
        .containsInAnyOrder(
            "missing:FAILED:notFound", "flaky:FAILED:jobBackendError", "no_type:FAILED:invalid");
    PAssert.that(handler.getOutput()).satisfies(checkBadRecords(sent));

    PipelineResult run = p.run();
    assertEquals(PipelineResult.State.DONE, run.waitUntilFinish());
  }

  private static SerializableFunction<Iterable<BadRecord>, Void> checkBadRecords(
      Map<String, String> sent) {
    return records -> {
      Map<String, BadRecord> byKey = new HashMap<>();
      for (BadRecord r : records) {
        String key = json(r).get("key").getAsString();
        assertNull("one bad record per failed request: " + key, byKey.put(key, r));
      }
      // Exactly the failed requests: none of the succeeded ones, no duplicates.
      assertEquals(Set.of("missing", "flaky", "no_type"), byKey.keySet());

      BadRecord missing = byKey.get("missing");
      JsonObject missingJson = json(missing);
      String missingJobId = missingJson.get("jobId").getAsString();
      assertThat(missingJobId, startsWith("eh_errors_"));
      assertEquals("proj", missingJson.get("projectId").getAsString());
      assertEquals("EU", missingJson.get("location").getAsString());
      assertEquals(
          "notFound: fake notFound (job proj:EU."
              + missingJobId
              + "; attempts: "
              + missingJobId
              + ")",
          missing.getFailure().getDescription());
      // BigQuery's failure is not a Java exception: Beam's exception fields stay empty.
      assertNull(missing.getFailure().getException());
      assertNull(missing.getFailure().getExceptionStacktrace());

      // A retryable failure reports every attempt, the last one's job ID in the record.
      BadRecord flaky = byKey.get("flaky");
      JsonArray attempts = json(flaky).getAsJsonArray("attemptJobIds");
      assertEquals(3, attempts.size());
      assertThat(attempts.get(2).getAsString(), endsWith("-r3"));
      assertEquals(attempts.get(2).getAsString(), json(flaky).get("jobId").getAsString());
      assertThat(flaky.getFailure().getDescription(), startsWith("jobBackendError: "));
      assertThat(
          flaky.getFailure().getDescription(),
          containsString("; attempts: " + attempts.get(0).getAsString() + ", "));

      // A request that never reached BigQuery: our reason, no job.
      BadRecord noType = byKey.get("no_type");
      assertTrue(json(noType).get("jobId").isJsonNull());
      assertThat(noType.getFailure().getDescription(), startsWith("invalid: "));
      assertThat(noType.getFailure().getDescription(), endsWith("(no job ran)"));

      for (Map.Entry<String, BadRecord> e : byKey.entrySet()) {
        BadRecord.Record record = e.getValue().getRecord();
        // The record carries the request itself: as JSON, and encoded for a resubmission.
        assertEquals(
            JsonParser.parseString(sent.get(e.getKey())), json(e.getValue()).get("request"));
        assertEquals(JobRequestCoder.of().toString(), record.getCoder());
        try {
          JobRequest decoded =
              CoderUtils.decodeFromByteArray(JobRequestCoder.of(), record.getEncodedRecord());
          assertEquals(sent.get(e.getKey()), decoded.toCanonicalJson());
        } catch (Exception ex) {
          throw new AssertionError("encoded request of " + e.getKey() + " does not decode", ex);
        }
      }
      return null;
    };
  }

  private static JsonObject json(BadRecord r) {
    return JsonParser.parseString(r.getRecord().getHumanReadableJsonRecord()).getAsJsonObject();
  }

  @Test
  public void oneHandlerCollectsTheFailuresOfSeveralTransforms() {
    planByQuery();
    BadRecordErrorHandler<PCollection<BadRecord>> handler =
        p.registerBadRecordErrorHandler(new PassThrough());
    BigQueryJobs.Result first =
        p.apply(
                "First",
                Create.of(
                    BigQueryJobsTest.query("SELECT * FROM missing_table").withKey("a_missing"),
                    BigQueryJobsTest.query("SELECT 1").withKey("a_ok")))
            .apply("RunFirst", transform().withErrorHandler(handler));
    BigQueryJobs.Result second =
        p.apply("Second", Create.of(JobRequest.of(new JobConfiguration()).withKey("b_no_type")))
            .apply("RunSecond", transform().withErrorHandler(handler));
    handler.close();

    PAssert.that(describe(first.failed(), "f1")).containsInAnyOrder("a_missing:FAILED:notFound");
    PAssert.that(describe(second.failed(), "f2")).containsInAnyOrder("b_no_type:FAILED:invalid");
    PAssert.that(handler.getOutput())
        .satisfies(
            records -> {
              List<String> keys = new ArrayList<>();
              records.forEach(r -> keys.add(json(r).get("key").getAsString()));
              keys.sort(null);
              assertEquals(List.of("a_missing", "b_no_type"), keys);
              return null;
            });
    p.run().waitUntilFinish();
  }

  @Test
  public void withoutAHandlerThePipelineBuildsAndRunsWithNoExtraStep() {
    planByQuery();
    BigQueryJobs.Result result = p.apply(Create.of(mixedRequests())).apply(transform());

    PAssert.that(describe(result.succeeded(), "s")).containsInAnyOrder("ok:SUCCEEDED");
    PAssert.that(describe(result.succeededWithWarnings(), "w"))
        .containsInAnyOrder("warned:SUCCEEDED_WITH_WARNINGS");
    PAssert.that(describe(result.failed(), "f"))
        .containsInAnyOrder(
            "missing:FAILED:notFound", "flaky:FAILED:jobBackendError", "no_type:FAILED:invalid");
    assertThat(transformNames(p), not(hasItem(containsString("FailedToBadRecords"))));

    assertEquals(PipelineResult.State.DONE, p.run().waitUntilFinish());
  }

  private static List<String> transformNames(Pipeline pipeline) {
    List<String> names = new ArrayList<>();
    pipeline.traverseTopologically(
        new Pipeline.PipelineVisitor.Defaults() {
          @Override
          public CompositeBehavior enterCompositeTransform(TransformHierarchy.Node node) {
            names.add(node.getFullName());
            return CompositeBehavior.ENTER_TRANSFORM;
          }

          @Override
          public void visitPrimitiveTransform(TransformHierarchy.Node node) {
            names.add(node.getFullName());
          }
        });
    return names;
  }

  @Test
  public void aNullOrClosedHandlerIsRejectedWithAMessageNamingTheOption() {
    BigQueryJobs.Run run = BigQueryJobs.run();
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> run.withErrorHandler(null)).getMessage(),
        startsWith("withErrorHandler(null): "));

    Pipeline other = Pipeline.create(PipelineOptionsFactory.create());
    BadRecordErrorHandler<PCollection<BadRecord>> closed =
        other.registerBadRecordErrorHandler(new PassThrough());
    closed.close();
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> run.withErrorHandler(closed))
            .getMessage(),
        containsString("already closed"));
  }

  @Test
  public void displayDataNamesTheHandlerOnlyWhenOneIsGiven() {
    Pipeline other = Pipeline.create(PipelineOptionsFactory.create());
    BadRecordErrorHandler<PCollection<BadRecord>> handler =
        other.registerBadRecordErrorHandler(new PassThrough());
    assertThat(
        DisplayData.from(BigQueryJobs.run()).toString(), not(containsString("errorHandler")));
    assertThat(
        DisplayData.from(BigQueryJobs.run().withErrorHandler(handler)).toString(),
        containsString(BadRecordErrorHandler.class.getName()));
  }
}
