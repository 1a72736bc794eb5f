package dev.bqjobs.transforms;

import static dev.bqjobs.transforms.LocalServerSupport.collect;
import static dev.bqjobs.transforms.LocalServerSupport.collected;
import static dev.bqjobs.transforms.LocalServerSupport.counter;
import static dev.bqjobs.transforms.LocalServerSupport.createDataset;
import static dev.bqjobs.transforms.LocalServerSupport.executions;
import static dev.bqjobs.transforms.LocalServerSupport.query;
import static dev.bqjobs.transforms.LocalServerSupport.stats;
import static dev.bqjobs.transforms.LocalServerSupport.table;
import static dev.bqjobs.transforms.LocalServerSupport.writeGcs;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;

import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobConfigurationLoad;
import com.google.api.services.bigquery.model.JobConfigurationQuery;
import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.api.services.bigquery.model.TableSchema;
import dev.bqjobs.emulator.LocalBigQueryRule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * Conservation under faults: seeded random mixes of good, bad and duplicated requests against a
 * server that refuses and loses requests and fails jobs retryably. Inputs = outputs (each input in
 * exactly one output, with the outcome its kind allows), and the server executed every job ID at
 * most once, each for one request (reruns have their own IDs).
 */
public class LocalServerConservationIT {
  static final String P = "mix-project";
  static final String FAULTS =
      "jobs.insert:503=0.1,lost=0.1;jobs.get:503=0.1,429=0.05;job:backendError=0.1";

  @ClassRule
  public static final LocalBigQueryRule BQ = new LocalBigQueryRule(b -> b.faults(FAULTS));

  @Rule public final transient TestPipeline p = TestPipeline.create();

  @BeforeClass
  public static void data() throws Exception {
    createDataset(BQ.server(), P, "ds");
    writeGcs(BQ.server(), "gs://mix/warn.csv", "ann,30\nbob,abc\ncid,40\n");
  }

  /** The kinds of request in a mix, each with the outcome it must end in. */
  enum Kind {
    QUERY("SUCCEEDED"),
    LOAD_WITH_WARNINGS("SUCCEEDED_WITH_WARNINGS"),
    DRY_RUN("SUCCEEDED"),
    NO_JOB_TYPE("FAILED:invalid"),
    BAD_JOB_ID("FAILED:invalid"),
    SYNTAX_ERROR("FAILED:invalidQuery"),
    LEGACY_BY_OMISSION("FAILED:invalidQuery"),
    MISSING_TABLE("FAILED:notFound");

    final String expected;

    Kind(String expected) {
      this.expected = expected;
    }

    /** Whether the job may run on the server (and so draw an injected job failure). */
    boolean runs() {
      return this == QUERY || this == LOAD_WITH_WARNINGS || this == MISSING_TABLE;
    }
  }

  private static JobRequest request(Kind kind, int i) {
    String key = kind.name().toLowerCase() + "_" + i;
    switch (kind) {
      case QUERY:
        return query("SELECT " + i + " AS n", key);
      case LOAD_WITH_WARNINGS:
        return JobRequest.of(
                new JobConfiguration()
                    .setLoad(
                        new JobConfigurationLoad()
                            .setSourceUris(List.of("gs://mix/warn.csv"))
                            .setMaxBadRecords(1)
                            .setSchema(
                                new TableSchema()
                                    .setFields(
                                        List.of(
                                            new TableFieldSchema()
                                                .setName("name")
                                                .setType("STRING"),
                                            new TableFieldSchema()
                                                .setName("age")
                                                .setType("INTEGER"))))
                            .setDestinationTable(table(P, "ds", "warn_" + i))))
            .withKey(key);
      case DRY_RUN:
        return JobRequest.of(
                new JobConfiguration()
                    .setDryRun(true)
                    .setQuery(
                        new JobConfigurationQuery()
                            .setQuery("SELECT " + i + " AS n")
                            .setUseLegacySql(false)))
            .withKey(key);
      case NO_JOB_TYPE:
        return JobRequest.of(new JobConfiguration()).withKey(key);
      case BAD_JOB_ID:
        return query("SELECT 1 AS x", key).withJobId("not a job id #" + i);
      case SYNTAX_ERROR:
        return query("SELEC " + i, key);
      case LEGACY_BY_OMISSION:
        return JobRequest.of(
                new JobConfiguration()
                    .setQuery(new JobConfigurationQuery().setQuery("SELECT " + i + " AS n")))
            .withKey(key);
      case MISSING_TABLE:
        return query("SELECT * FROM ds.missing_" + i, key);
      default:
        throw new AssertionError(kind);
    }
  }

  private void runMix(long seed, int size) throws Exception {
    Random random = new Random(seed);
    Kind[] kinds = Kind.values();
    List<JobRequest> requests = new ArrayList<>();
    Map<String, Kind> kindOf = new HashMap<>();
    Map<String, Integer> inputsPerKey = new TreeMap<>();
    for (int i = 0; i < size; i++) {
      // Mostly good requests; now and then the previous request again (identical: one job).
      JobRequest r;
      if (i > 0 && random.nextInt(10) == 0) {
        r = requests.get(requests.size() - 1);
      } else {
        Kind kind = random.nextInt(2) == 0 ? Kind.QUERY : kinds[random.nextInt(kinds.length)];
        r = request(kind, i);
        kindOf.put(r.getKey(), kind);
      }
      requests.add(r);
      inputsPerKey.merge(r.getKey(), 1, Integer::sum);
    }
    String token = "mix" + seed;
    BigQueryJobs.Result result =
        p.apply(Create.of(requests))
            .apply(
                BigQueryJobs.run()
                    .withRootUrl(BQ.rootUrl())
                    .withProject(P)
                    .withLocation("US")
                    .withJobIdPrefix("mix")
                    .withRunToken(token)
                    .withNumShards(3)
                    .withPollBackoff(Duration.millis(20), Duration.millis(200)));
    // Each output holds only its own outcome (checked per element), and together they hold
    // every input once (checked below from the collected results).
    for (Map.Entry<String, PCollection<JobResult>> output :
        Map.of(
                "SUCCEEDED", result.succeeded(),
                "SUCCEEDED_WITH_WARNINGS", result.succeededWithWarnings(),
                "FAILED", result.failed())
            .entrySet()) {
      String expectedOutcome = output.getKey();
      PAssert.that(
              output
                  .getValue()
                  .apply(
                      "Outcome" + output.getKey(),
                      MapElements.into(TypeDescriptors.strings()).via(r -> r.getOutcome().name())))
          .satisfies(
              outcomes -> {
                outcomes.forEach(o -> assertThat(o, equalTo(expectedOutcome)));
                return null;
              });
    }
    collect(
        PCollectionList.of(result.succeeded())
            .and(result.succeededWithWarnings())
            .and(result.failed())
            .apply(Flatten.pCollections()),
        token);
    PipelineResult run = p.run();
    run.waitUntilFinish();

    List<JobResult> results = collected(token);
    // Inputs = outputs: every key as often as it was given.
    Map<String, Integer> outputsPerKey = new TreeMap<>();
    results.forEach(r -> outputsPerKey.merge(r.getKey(), 1, Integer::sum));
    assertThat(outputsPerKey, equalTo(inputsPerKey));
    assertThat(results, hasSize(size));

    Map<String, Integer> executed = new HashMap<>();
    executions(BQ.server(), P)
        .forEach(
            (id, n) -> {
              if (id.startsWith("mix_" + token + "_")) {
                executed.put(id, n);
              }
            });
    assertThat("every job ID executed once", executed.values(), everyItem(equalTo(1)));
    Map<String, Set<String>> keysOfAttempt = new HashMap<>();
    int reruns = 0;
    for (JobResult r : results) {
      Kind kind = kindOf.get(r.getKey());
      String outcome =
          r.getOutcome() + (r.getErrorResult() == null ? "" : ":" + r.getErrorResult().getReason());
      List<String> attempts = r.getAttemptJobIds();
      boolean exhaustedReruns =
          kind.runs() && outcome.equals("FAILED:backendError") && attempts.size() == 3;
      assertThat(
          r.getKey() + " (" + kind + ") ended " + outcome + " after " + attempts,
          outcome.equals(kind.expected) || exhaustedReruns,
          is(true));
      for (int a = 1; a < attempts.size(); a++) {
        assertThat(attempts.get(a), equalTo(attempts.get(0) + "-r" + (a + 1)));
      }
      for (String id : attempts) {
        keysOfAttempt.computeIfAbsent(id, k -> new HashSet<>()).add(r.getKey());
      }
      reruns += Math.max(0, attempts.size() - 1);
    }
    // Every executed job belongs to one request (identical requests count as one).
    for (String id : executed.keySet()) {
      assertThat(id, keysOfAttempt.get(id), hasSize(1));
    }
    // The faults were really there, and were survived.
    assertThat(stats(BQ.server()).get("faultsInjected").getAsLong(), greaterThan(0L));
    assertThat(counter(run, "request_retries"), greaterThan(0L));
    assertThat(counter(run, "jobs_reattached"), greaterThan(0L));
    assertThat(counter(run, "job_reruns"), greaterThan(0L));
    assertThat((long) reruns, greaterThan(0L));
  }

  @Test
  public void mixOne() throws Exception {
    runMix(20261126L, 150);
  }

  @Test
  public void mixTwo() throws Exception {
    runMix(7L, 150);
  }
}
