package dev.bqjobs.transforms;

import static dev.bqjobs.transforms.LocalServerSupport.counter;
import static dev.bqjobs.transforms.LocalServerSupport.describe;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import com.google.api.services.bigquery.model.ErrorProto;
import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobConfigurationExtract;
import com.google.api.services.bigquery.model.JobConfigurationLoad;
import com.google.api.services.bigquery.model.JobConfigurationQuery;
import com.google.api.services.bigquery.model.JobConfigurationTableCopy;
import com.google.api.services.bigquery.model.TableReference;
import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import dev.bqjobs.transforms.FakeBigQuery.Call;
import dev.bqjobs.transforms.FakeBigQuery.Plan;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;

/** The whole transform on the DirectRunner, against the in-memory fake on a virtual clock. */
public class BigQueryJobsTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  private final FakeTime time = new FakeTime(1_700_000_000_000L);
  private final FakeBigQuery bq = new FakeBigQuery(time);

  private BigQueryJobs.Run transform() {
    return BigQueryJobs.run()
        .withProject("proj")
        .withLocation("EU")
        .withJobIdPrefix("test")
        .withJobServiceFactory(bq.factory())
        .withTimeSource(time);
  }

  static JobRequest query(String sql) {
    return JobRequest.of(
        new JobConfiguration()
            .setQuery(new JobConfigurationQuery().setQuery(sql).setUseLegacySql(false)));
  }

  private static TableReference table(String id) {
    return new TableReference().setProjectId("proj").setDatasetId("ds").setTableId(id);
  }

  static String sql(Job job) {
    return job.getConfiguration().getQuery() == null
        ? ""
        : job.getConfiguration().getQuery().getQuery();
  }

  @Test
  public void everyJobTypeAndOutcomeEndsInItsOutput() {
    bq.setPlanner(
        job -> {
          if (job.getConfiguration().getLoad() != null) {
            return Plan.warn(2_000, "row 7: bad value"); // within maxBadRecords
          }
          return sql(job).contains("missing_table")
              ? Plan.fail(1_000, "notFound")
              : Plan.succeed(1_500);
        });
    List<JobRequest> requests =
        List.of(
            query("SELECT 1").withKey("query"),
            JobRequest.of(
                    new JobConfiguration()
                        .setLoad(
                            new JobConfigurationLoad()
                                .setSourceUris(List.of("gs://b/people.csv"))
                                .setMaxBadRecords(10)
                                .setDestinationTable(table("people"))))
                .withKey("load"),
            JobRequest.of(
                    new JobConfiguration()
                        .setExtract(
                            new JobConfigurationExtract()
                                .setSourceTable(table("people"))
                                .setDestinationUris(List.of("gs://b/out-*.csv"))))
                .withKey("extract"),
            JobRequest.of(
                    new JobConfiguration()
                        .setCopy(
                            new JobConfigurationTableCopy()
                                .setSourceTable(table("people"))
                                .setDestinationTable(table("people_copy"))))
                .withKey("copy"),
            JobRequest.of(
                    new JobConfiguration()
                        .setDryRun(true)
                        .setQuery(new JobConfigurationQuery().setQuery("SELECT 2")))
                .withKey("dry"),
            query("SELECT * FROM missing_table").withKey("fails"),
            JobRequest.of(new JobConfiguration()).withKey("no_type"),
            query("SELECT 1").withKey("bad_id").withJobId("bad id!"),
            query("SELECT 1").withKey("bad_label").withLabels(Map.of("Team", "x")));

    BigQueryJobs.Result result = p.apply(Create.of(requests)).apply(transform());

    PAssert.that(describe(result.succeeded(), "s"))
        .containsInAnyOrder(
            "query:SUCCEEDED", "extract:SUCCEEDED", "copy:SUCCEEDED", "dry:SUCCEEDED");
    PAssert.that(describe(result.succeededWithWarnings(), "w"))
        .containsInAnyOrder("load:SUCCEEDED_WITH_WARNINGS");
    PAssert.that(describe(result.failed(), "f"))
        .containsInAnyOrder(
            "fails:FAILED:notFound",
            "no_type:FAILED:invalid",
            "bad_id:FAILED:invalid",
            "bad_label:FAILED:invalid");
    PipelineResult run = p.run();
    run.waitUntilFinish();

    assertEquals(5, counter(run, "jobs_inserted")); // dry run and invalid requests are not jobs
    assertEquals(4, counter(run, "jobs_succeeded"));
    assertEquals(1, counter(run, "jobs_succeeded_with_warnings"));
    assertEquals(4, counter(run, "jobs_failed"));
    assertThat(counter(run, "polls"), greaterThan(0L));
    assertEquals(0, counter(run, "jobs_reattached"));
    assertEquals(0, bq.calls(Call.CANCEL));
  }

  @Test
  public void rerunWithTheSameRunTokenReattachesInsteadOfStartingAgain() {
    List<JobRequest> requests = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      requests.add(query("SELECT " + i).withKey("k" + i));
    }
    for (int attempt = 0; attempt < 2; attempt++) {
      Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
      BigQueryJobs.Result result =
          pipeline.apply(Create.of(requests)).apply(transform().withRunToken("nightly_2026_11_26"));
      PAssert.that(result.succeeded())
          .satisfies(
              rs -> {
                int n = 0;
                for (JobResult r : rs) {
                  n++;
                }
                assertEquals(20, n);
                return null;
              });
      PipelineResult run = pipeline.run();
      run.waitUntilFinish();
      assertEquals(attempt == 0 ? 20 : 0, counter(run, "jobs_inserted"));
      assertEquals(attempt == 0 ? 0 : 20, counter(run, "jobs_reattached"));
    }
    assertEquals(20, bq.executions().size());
    bq.executions().values().forEach(n -> assertEquals(1, (int) n));
  }

  @Test
  public void twoLaunchesUnderTheSameJobNameRunTheirJobsTwice() {
    // Schedulers relaunch pipelines under a fixed job name every day; day 2 must not reattach to
    // day 1's jobs and skip its work.
    BigQueryJobs.Run transform = transform(); // built once, launched twice (like a template)
    for (int launch = 0; launch < 2; launch++) {
      PipelineOptions options = PipelineOptionsFactory.create();
      options.setJobName("nightly-load");
      Pipeline pipeline = Pipeline.create(options);
      pipeline.apply(Create.of(query("INSERT INTO ds.t VALUES (1)").withKey("k"))).apply(transform);
      PipelineResult run = pipeline.run();
      run.waitUntilFinish();
      assertEquals(1, counter(run, "jobs_inserted"));
      assertEquals(0, counter(run, "jobs_reattached"));
    }
    assertEquals(2, bq.executions().size());
    for (String jobId : bq.executions().keySet()) {
      assertThat(
          jobId, matchesPattern("test_nightly-load_\\d{8}T\\d{6}Z_[0-9a-f]{8}_[0-9a-f]{32}"));
    }
  }

  @Test
  public void everyStepOfOneLaunchSharesItsRunToken() {
    PipelineOptions options = PipelineOptionsFactory.create();
    options.setJobName("two-steps");
    Pipeline pipeline = Pipeline.create(options);
    pipeline.apply("First", Create.of(query("SELECT 1").withKey("a"))).apply("RunA", transform());
    pipeline.apply("Second", Create.of(query("SELECT 2").withKey("b"))).apply("RunB", transform());
    pipeline.run().waitUntilFinish();
    java.util.Set<String> tokens = new java.util.TreeSet<>();
    for (String jobId : bq.executions().keySet()) {
      tokens.add(jobId.substring(0, jobId.lastIndexOf('_')));
    }
    assertEquals(2, bq.executions().size());
    assertEquals("one launch, one run token: " + tokens, 1, tokens.size());
  }

  @Test
  public void twoLaunchesWithTheSameExplicitRunTokenReattach() {
    for (int launch = 0; launch < 2; launch++) {
      PipelineOptions options = PipelineOptionsFactory.create();
      options.setJobName("nightly-load");
      Pipeline pipeline = Pipeline.create(options);
      pipeline
          .apply(Create.of(query("INSERT INTO ds.t VALUES (1)").withKey("k")))
          .apply(transform().withRunToken("nightly_2026_12_02"));
      PipelineResult run = pipeline.run();
      run.waitUntilFinish();
      assertEquals(launch == 0 ? 1 : 0, counter(run, "jobs_inserted"));
      assertEquals(launch == 0 ? 0 : 1, counter(run, "jobs_reattached"));
    }
    assertEquals(1, bq.executions().size());
  }

  @Test
  public void malformedProjectIsThatRequestsFailureAndTheOthersRun() {
    BigQueryJobs.Result result =
        p.apply(
                Create.of(
                    query("SELECT 1").withKey("bad").withProject("projects/my-proj"),
                    query("SELECT 2").withKey("good1"),
                    query("SELECT 3").withKey("good2")))
            .apply(transform());
    PAssert.that(describe(result.failed(), "f"))
        .satisfies(
            rs -> {
              List<String> all = new ArrayList<>();
              rs.forEach(all::add);
              assertEquals(List.of("bad:FAILED:invalid"), all);
              return null;
            });
    PAssert.that(describe(result.succeeded(), "s"))
        .containsInAnyOrder("good1:SUCCEEDED", "good2:SUCCEEDED");
    p.run().waitUntilFinish();
  }

  @Test
  public void malformedDefaultProjectIsRejectedWhenThePipelineIsBuilt() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> BigQueryJobs.run().withProject("projects/x"));
    assertThat(e.getMessage(), containsString("did you mean 'x'?"));
  }

  @Test
  public void lostInsertResponsesStillStartEachJobOnce() {
    bq.loseInsertResponses(id -> true, 15);
    List<JobRequest> requests = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      requests.add(query("SELECT " + i));
    }
    BigQueryJobs.Result result = p.apply(Create.of(requests)).apply(transform());
    PAssert.that(result.failed()).empty();
    PipelineResult run = p.run();
    run.waitUntilFinish();
    assertEquals(30, bq.executions().size());
    bq.executions().values().forEach(n -> assertEquals(1, (int) n));
    // A fault may also hit a retry (then it meets the 409 anyway), so up to 15 reattach.
    assertThat(counter(run, "jobs_reattached"), greaterThan(0L));
    assertThat(counter(run, "jobs_reattached"), lessThanOrEqualTo(15L));
    assertThat(counter(run, "request_retries"), greaterThan(0L));
  }

  @Test
  public void identicalRequestsShareOneJob() {
    BigQueryJobs.Result result =
        p.apply(
                Create.of(
                    query("SELECT 1").withKey("same"),
                    query("SELECT 1").withKey("same"),
                    query("SELECT 1"),
                    query("SELECT 1")))
            .apply(transform());
    PAssert.that(describe(result.succeeded(), "s"))
        .satisfies(
            rs -> {
              int n = 0;
              for (String r : rs) {
                n++;
              }
              assertEquals(4, n);
              return null;
            });
    p.run().waitUntilFinish();
    assertEquals(2, bq.executions().size()); // one per distinct (key, configuration)
  }

  @Test
  public void oneRequestSeenInManyBundlesWithTheDefaultTokenIsOneJob() {
    // The default run token must be the same in every bundle and worker of a run.
    BigQueryJobs.Result result =
        p.apply(GenerateSequence.from(0).to(300))
            .apply(
                MapElements.into(TypeDescriptor.of(JobRequest.class))
                    .via(i -> query("SELECT 1").withKey("same")))
            .apply(transform());
    PAssert.that(result.failed()).empty();
    p.run().waitUntilFinish();
    assertEquals(1, bq.executions().size());
  }

  @Test
  public void jobIdCollisionIsFailedNotReattached() {
    bq.preexisting("proj", "EU", "taken_id", query("SELECT 'another team'").getConfiguration());
    BigQueryJobs.Result result =
        p.apply(Create.of(query("SELECT 1").withKey("mine").withJobId("taken_id")))
            .apply(transform());
    PAssert.that(result.failed())
        .satisfies(
            rs -> {
              JobResult r = rs.iterator().next();
              ErrorProto e = r.getErrorResult();
              assertEquals("duplicate", e.getReason());
              assertThat(e.getMessage(), containsString("job ID collision"));
              assertThat(e.getMessage(), containsString("proj:EU.taken_id"));
              return null;
            });
    p.run().waitUntilFinish();
  }

  @Test
  public void retryableJobFailuresAreRerun() {
    bq.setPlanner(
        job ->
            job.getJobReference().getJobId().endsWith("-r3")
                ? Plan.succeed(1_000)
                : Plan.fail(1_000, "jobBackendError"));
    BigQueryJobs.Result result =
        p.apply(Create.of(query("SELECT 1").withKey("k"))).apply(transform());
    PAssert.that(result.succeeded())
        .satisfies(
            rs -> {
              JobResult r = rs.iterator().next();
              assertEquals(3, r.getAttemptJobIds().size());
              assertThat(r.getAttemptJobIds().get(2), containsString("-r3"));
              return null;
            });
    PipelineResult run = p.run();
    run.waitUntilFinish();
    assertEquals(2, counter(run, "job_reruns"));
  }

  @Test
  public void timeoutCancelsTheJob() {
    bq.setPlanner(job -> Plan.succeed(Duration.standardHours(10).getMillis()));
    BigQueryJobs.Result result =
        p.apply(Create.of(query("SELECT 1").withKey("slow")))
            .apply(transform().withJobTimeout(Duration.standardMinutes(30)));
    PAssert.that(describe(result.failed(), "f")).containsInAnyOrder("slow:FAILED:timeout");
    p.run().waitUntilFinish();
    assertEquals(1, bq.calls(Call.CANCEL));
  }

  @Test
  public void permissionDenialNamesThePermission() {
    bq.denyJobCreation("proj");
    BigQueryJobs.Result result =
        p.apply(Create.of(query("SELECT 1").withKey("k")))
            .apply(transform().withCredentials(new FakeCredentials()));
    PAssert.that(result.failed())
        .satisfies(
            rs -> {
              ErrorProto e = rs.iterator().next().getErrorResult();
              assertEquals("accessDenied", e.getReason());
              assertThat(e.getMessage(), containsString("bigquery.jobs.create"));
              return null;
            });
    p.run().waitUntilFinish();
  }

  @Test
  public void fiveHundredJobsRespectTheConcurrencyCap() {
    bq.setPlanner(job -> Plan.succeed(500 + Math.abs(sql(job).hashCode()) % 2_000));
    PCollection<JobRequest> requests =
        p.apply(GenerateSequence.from(0).to(500))
            .apply(
                MapElements.into(TypeDescriptor.of(JobRequest.class))
                    .via(i -> query("SELECT " + i).withKey("k" + i)));
    BigQueryJobs.Result result =
        requests.apply(transform().withMaxConcurrentJobs(40).withMaxQueuedJobs(0).withNumShards(4));
    PAssert.that(result.failed()).empty();
    PipelineResult run = p.run();
    run.waitUntilFinish();
    assertEquals(500, bq.executions().size());
    assertThat(bq.maxJobsInFlight(), lessThanOrEqualTo(40));
    assertEquals(500, counter(run, "jobs_succeeded"));
  }

  @Test
  public void aShardCheckpointedByTheRunnerGoesOnWithoutRerunningOrReattaching() {
    // The DirectRunner asks to checkpoint a splittable call from its 100th output on; accepted
    // after every 100 results, 450 results in one shard take at least five calls, each committing
    // its results; the jobs in flight at each checkpoint are taken over by the next call, not
    // inserted again.
    bq.setPlanner(job -> Plan.succeed(500 + Math.abs(sql(job).hashCode()) % 2_000));
    PCollection<JobRequest> requests =
        p.apply(GenerateSequence.from(0).to(450))
            .apply(
                MapElements.into(TypeDescriptor.of(JobRequest.class))
                    .via(i -> query("SELECT " + i).withKey("k" + i)));
    BigQueryJobs.Result result =
        requests.apply(
            transform().withMaxConcurrentJobs(50).withNumShards(1).withResultsPerCheckpoint(100));
    PAssert.that(result.failed()).empty();
    PAssert.that(
            result
                .succeeded()
                .apply("Keys", MapElements.into(TypeDescriptors.strings()).via(JobResult::getKey))
                .apply("CountPerKey", Count.perElement())
                .apply("Counts", Values.create()))
        .satisfies(
            counts -> {
              int keys = 0;
              for (long count : counts) {
                assertEquals("each request's result exactly once", 1, count);
                keys++;
              }
              assertEquals(450, keys);
              return null;
            });
    p.run().waitUntilFinish();
    assertEquals(450, bq.executions().size());
    bq.executions().values().forEach(n -> assertEquals(1, (int) n));
    assertEquals("one insert per job", 450, bq.calls(FakeBigQuery.Call.INSERT));
  }

  @Test
  public void theDefaultQueueAllowanceAddsAQuarterOfTheConcurrentJobs() {
    bq.setPlanner(job -> Plan.succeed(500 + Math.abs(sql(job).hashCode()) % 2_000));
    PCollection<JobRequest> requests =
        p.apply(GenerateSequence.from(0).to(300))
            .apply(
                MapElements.into(TypeDescriptor.of(JobRequest.class))
                    .via(i -> query("SELECT " + i).withKey("k" + i)));
    BigQueryJobs.Result result =
        requests.apply(transform().withMaxConcurrentJobs(40).withNumShards(4));
    PAssert.that(result.failed()).empty();
    p.run().waitUntilFinish();
    assertEquals(300, bq.executions().size());
    assertThat(bq.maxJobsInFlight(), lessThanOrEqualTo(50));
    bq.executions().values().forEach(n -> assertEquals(1, (int) n));
  }

  @Test
  public void conservationOverARandomMix() {
    Random random = new Random(42);
    bq.setPlanner(
        job -> {
          String q = sql(job);
          return q.contains("fail")
              ? Plan.fail(700, "invalidQuery")
              : q.contains("warn")
                  ? Plan.warn(900, "skipped")
                  : q.contains("flaky") && !job.getJobReference().getJobId().endsWith("-r2")
                      ? Plan.fail(800, "backendError")
                      : Plan.succeed(300 + random.nextInt(3_000));
        });
    bq.fail(Call.INSERT, id -> true, 20, 503, "backendError");
    bq.fail(Call.GET, id -> true, 20, 500, "internalError");
    bq.loseInsertResponses(id -> true, 10);
    List<JobRequest> requests = new ArrayList<>();
    Map<String, Integer> expected = new HashMap<>();
    String[] kinds = {"ok", "fail", "warn", "flaky", "invalid"};
    for (int i = 0; i < 300; i++) {
      String kind = kinds[random.nextInt(kinds.length)];
      String key = kind + i;
      expected.put(key, 1);
      requests.add(
          kind.equals("invalid")
              ? JobRequest.of(new JobConfiguration()).withKey(key)
              : query("SELECT '" + kind + "' AS x" + i).withKey(key));
    }
    BigQueryJobs.Result result = p.apply(Create.of(requests)).apply(transform());
    PCollection<String> all =
        org.apache.beam.sdk.values.PCollectionList.of(describe(result.succeeded(), "s"))
            .and(describe(result.succeededWithWarnings(), "w"))
            .and(describe(result.failed(), "f"))
            .apply(org.apache.beam.sdk.transforms.Flatten.pCollections());
    PAssert.that(all)
        .satisfies(
            rs -> {
              Map<String, Integer> seen = new HashMap<>();
              for (String r : rs) {
                String key = r.substring(0, r.indexOf(':'));
                seen.merge(key, 1, Integer::sum);
                String kind = key.replaceAll("[0-9]+$", "");
                String outcome = r.substring(r.indexOf(':') + 1);
                switch (kind) {
                  case "ok":
                  case "flaky":
                    assertEquals(r, "SUCCEEDED", outcome);
                    break;
                  case "warn":
                    assertEquals(r, "SUCCEEDED_WITH_WARNINGS", outcome);
                    break;
                  case "fail":
                    assertEquals(r, "FAILED:invalidQuery", outcome);
                    break;
                  default:
                    assertEquals(r, "FAILED:invalid", outcome);
                }
              }
              assertEquals(expected, seen);
              return null;
            });
    p.run().waitUntilFinish();
    bq.executions().values().forEach(n -> assertEquals(1, (int) n));
  }

  @Test
  public void resultsKeepTheirRequestsTimestamps() {
    Instant t1 = new Instant(1_000_000L);
    Instant t2 = new Instant(2_000_000L);
    BigQueryJobs.Result result =
        p.apply(
                Create.timestamped(
                    TimestampedValue.of(query("SELECT 1").withKey("a"), t1),
                    TimestampedValue.of(query("SELECT 2").withKey("b"), t2)))
            .apply(transform().withNumShards(1));
    PCollection<String> stamps = result.succeeded().apply(ParDo.of(new StampFn()));
    PAssert.that(stamps).containsInAnyOrder("a@1000000", "b@2000000");
    p.run().waitUntilFinish();
  }

  @Test
  public void unboundedInputAndWindowsAreRejectedAtExpand() {
    Pipeline pipeline = Pipeline.create();
    PCollection<JobRequest> unbounded =
        pipeline
            .apply(GenerateSequence.from(0))
            .apply(
                MapElements.into(TypeDescriptor.of(JobRequest.class))
                    .via(i -> query("SELECT " + i)));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> unbounded.apply(transform()));
    assertThat(e.getMessage(), containsString("bounded input only"));

    PCollection<JobRequest> windowed =
        pipeline
            .apply("Bounded", Create.of(query("SELECT 1")))
            .apply(Window.into(FixedWindows.of(Duration.standardMinutes(1))));
    e = assertThrows(IllegalArgumentException.class, () -> windowed.apply(transform()));
    assertThat(e.getMessage(), containsString("global window only"));
  }

  @Test
  public void optionsAreValidatedEagerlyWithTheBadValue() {
    BigQueryJobs.Run run = BigQueryJobs.run();
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> run.withJobIdPrefix("bad prefix"))
            .getMessage(),
        containsString("'bad prefix'"));
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> run.withMaxConcurrentJobs(0))
            .getMessage(),
        containsString("withMaxConcurrentJobs(0)"));
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> run.withMaxQueuedJobs(-1)).getMessage(),
        containsString("withMaxQueuedJobs(-1)"));
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> run.withMaxJobAttempts(0)).getMessage(),
        containsString("withMaxJobAttempts(0)"));
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> run.withJobTimeout(Duration.ZERO))
            .getMessage(),
        containsString("withJobTimeout(PT0S)"));
    assertThat(
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    run.withPollBackoff(Duration.standardSeconds(10), Duration.standardSeconds(1)))
            .getMessage(),
        containsString("withPollBackoff(PT10S, PT1S)"));
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> run.withMaxInsertsPerSecond(-1))
            .getMessage(),
        containsString("withMaxInsertsPerSecond(-1.0)"));
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> run.withMaxGetsPerSecond(0))
            .getMessage(),
        containsString("withMaxGetsPerSecond(0.0)"));
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> run.withRootUrl("ftp://x")).getMessage(),
        containsString("ftp://x"));
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> run.withRunToken("a b")).getMessage(),
        containsString("'a b'"));
    assertThrows(IllegalArgumentException.class, () -> run.withProject(""));
    assertThrows(IllegalArgumentException.class, () -> run.withLocation(null));
  }

  @Test
  public void defaultsAndDisplayDataNeverShowCredentials() {
    BigQueryJobs.Run run = BigQueryJobs.run().withCredentials(new FakeCredentials());
    assertEquals(100, run.getMaxConcurrentJobs());
    assertEquals(3, run.getMaxJobAttempts());
    assertEquals(Duration.standardHours(6), run.getJobTimeout());
    assertEquals("https://bigquery.googleapis.com/", run.getRootUrl());
    DisplayData data = DisplayData.from(run);
    assertThat(data.toString(), not(containsString(FakeCredentials.SECRET)));
    assertThat(run.toString(), not(containsString(FakeCredentials.SECRET)));
    assertEquals("http://127.0.0.1:9050/", run.withRootUrl("http://127.0.0.1:9050").getRootUrl());
  }

  static final class StampFn extends DoFn<JobResult, String> {
    @ProcessElement
    public void process(@Element JobResult r, @Timestamp Instant ts, OutputReceiver<String> out) {
      out.output(r.getKey() + "@" + ts.getMillis());
    }
  }

  /** Serialisable credentials with a recognisable secret that must never be printed. */
  static final class FakeCredentials extends GoogleCredentials {
    private static final long serialVersionUID = 1L;
    static final String SECRET = "ya29.secret-token-value";

    FakeCredentials() {
      super(new AccessToken(SECRET, new Date(4_000_000_000_000L)));
    }

    @Override
    public String toString() {
      return "FakeCredentials";
    }
  }
}
