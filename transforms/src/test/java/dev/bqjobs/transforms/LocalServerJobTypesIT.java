package dev.bqjobs.transforms;

import static dev.bqjobs.transforms.LocalServerSupport.countAll;
import static dev.bqjobs.transforms.LocalServerSupport.createDataset;
import static dev.bqjobs.transforms.LocalServerSupport.describe;
import static dev.bqjobs.transforms.LocalServerSupport.gcsFile;
import static dev.bqjobs.transforms.LocalServerSupport.query;
import static dev.bqjobs.transforms.LocalServerSupport.runSql;
import static dev.bqjobs.transforms.LocalServerSupport.table;
import static dev.bqjobs.transforms.LocalServerSupport.writeGcs;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import com.google.api.services.bigquery.model.ErrorProto;
import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobConfigurationExtract;
import com.google.api.services.bigquery.model.JobConfigurationLoad;
import com.google.api.services.bigquery.model.JobConfigurationQuery;
import com.google.api.services.bigquery.model.JobConfigurationTableCopy;
import com.google.api.services.bigquery.model.JobStatistics;
import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.api.services.bigquery.model.TableSchema;
import dev.bqjobs.emulator.LocalBigQueryRule;
import java.nio.file.Files;
import java.util.HashMap;
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
 * Every job type, the dry run, warnings and each class of failure, through the transform over HTTP
 * against the local server: what each output receives and what each result carries.
 */
public class LocalServerJobTypesIT {
  static final String P = "types-project";

  @ClassRule public static final LocalBigQueryRule BQ = new LocalBigQueryRule();
  @Rule public final transient TestPipeline p = TestPipeline.create();

  @BeforeClass
  public static void data() throws Exception {
    createDataset(BQ.server(), P, "ds");
    runSql(
        BQ.server(),
        P,
        "CREATE TABLE ds.people AS SELECT 'ann' AS name, 30 AS age"
            + " UNION ALL SELECT 'bob', 17 UNION ALL SELECT 'cid', 45");
  }

  private static BigQueryJobs.Run transform(String runToken) {
    return BigQueryJobs.run()
        .withRootUrl(BQ.rootUrl())
        .withProject(P)
        .withLocation("US")
        .withJobIdPrefix("types")
        .withRunToken(runToken)
        .withPollBackoff(Duration.millis(20), Duration.millis(200));
  }

  private static TableSchema schema(String... nameTypePairs) {
    List<TableFieldSchema> fields = new java.util.ArrayList<>();
    for (int i = 0; i < nameTypePairs.length; i += 2) {
      fields.add(new TableFieldSchema().setName(nameTypePairs[i]).setType(nameTypePairs[i + 1]));
    }
    return new TableSchema().setFields(fields);
  }

  private static Map<String, JobResult> byKey(Iterable<JobResult> results) {
    Map<String, JobResult> out = new HashMap<>();
    for (JobResult r : results) {
      out.put(r.getKey(), r);
    }
    return out;
  }

  @Test
  public void eachJobTypeSucceedsWithItsStatistics() throws Exception {
    writeGcs(BQ.server(), "gs://types/in/people.csv", "name,age\ndan,50\neve,60\n");
    JobRequest load =
        JobRequest.of(
                new JobConfiguration()
                    .setLoad(
                        new JobConfigurationLoad()
                            .setSourceUris(List.of("gs://types/in/people.csv"))
                            .setSkipLeadingRows(1)
                            .setSchema(schema("name", "STRING", "age", "INTEGER"))
                            .setDestinationTable(table(P, "ds", "loaded"))))
            .withKey("load");
    JobRequest query = query("SELECT name FROM ds.people WHERE age > 20", "query");
    JobRequest extract =
        JobRequest.of(
                new JobConfiguration()
                    .setExtract(
                        new JobConfigurationExtract()
                            .setSourceTable(table(P, "ds", "people"))
                            .setDestinationUris(List.of("gs://types/out/people.csv"))))
            .withKey("extract");
    JobRequest copy =
        JobRequest.of(
                new JobConfiguration()
                    .setCopy(
                        new JobConfigurationTableCopy()
                            .setSourceTable(table(P, "ds", "people"))
                            .setDestinationTable(table(P, "ds", "people_copy"))))
            .withKey("copy");

    BigQueryJobs.Result result =
        p.apply(Create.of(load, query, extract, copy)).apply(transform("types"));

    PAssert.that(describe(result.succeeded(), "s"))
        .containsInAnyOrder(
            "load:SUCCEEDED", "query:SUCCEEDED", "extract:SUCCEEDED", "copy:SUCCEEDED");
    PAssert.that(result.succeededWithWarnings()).empty();
    PAssert.that(result.failed()).empty();
    PAssert.that(result.succeeded())
        .satisfies(
            results -> {
              Map<String, JobResult> r = byKey(results);
              for (JobResult each : r.values()) {
                assertThat(each.getJob(), notNullValue());
                assertThat(each.getJob().getStatus().getState(), equalTo("DONE"));
                assertThat(each.getErrors(), empty());
                assertThat(each.getAttemptJobIds(), hasSize(1));
                assertThat(each.getAttemptJobIds().get(0), startsWith("types_types_"));
                assertThat(
                    each.getJobReference().getJobId(), equalTo(each.getAttemptJobIds().get(0)));
                assertThat(each.getJobReference().getLocation(), equalTo("US"));
                JobStatistics s = each.getStatistics();
                assertThat(s.getCreationTime(), notNullValue());
                assertThat(s.getStartTime(), notNullValue());
                assertThat(s.getEndTime(), notNullValue());
                assertThat(each.getRuntime(), notNullValue());
              }
              assertThat(r.get("load").getStatistics().getLoad().getOutputRows(), equalTo(2L));
              assertThat(r.get("load").getStatistics().getLoad().getInputFiles(), equalTo(1L));
              assertThat(r.get("load").getStatistics().getLoad().getBadRecords(), equalTo(0L));
              assertThat(
                  r.get("query").getStatistics().getQuery().getStatementType(), equalTo("SELECT"));
              assertThat(
                  r.get("extract").getStatistics().getExtract().getDestinationUriFileCounts(),
                  contains(1L));
              assertThat(r.get("copy").getStatistics().getCopy().getCopiedRows(), equalTo(3L));
              // The final Job resource, e.g. for chaining: the query's resolved destination.
              assertThat(
                  r.get("query")
                      .getJob()
                      .getConfiguration()
                      .getQuery()
                      .getDestinationTable()
                      .getTableId(),
                  notNullValue());
              return null;
            });
    p.run().waitUntilFinish();

    // The effects are there.
    List<String> extracted = Files.readAllLines(gcsFile(BQ.server(), "gs://types/out/people.csv"));
    assertThat(extracted, hasSize(4)); // header + 3 rows
    assertThat(
        BQ.client().tables().get(P, "ds", "loaded").execute().getNumRows().longValue(),
        equalTo(2L));
    assertThat(
        BQ.client().tables().get(P, "ds", "people_copy").execute().getNumRows().longValue(),
        equalTo(3L));
  }

  @Test
  public void dryRunSucceedsAtInsertAndIsNeverPolled() {
    long getsBefore = countAll(BQ.server(), "jobs.get");
    long insertsBefore = countAll(BQ.server(), "jobs.insert");
    JobConfiguration dry =
        new JobConfiguration()
            .setDryRun(true)
            .setQuery(
                new JobConfigurationQuery()
                    .setQuery("SELECT name, age FROM ds.people")
                    .setUseLegacySql(false));
    BigQueryJobs.Result result =
        p.apply(Create.of(JobRequest.of(dry).withKey("dry"))).apply(transform("dry"));

    PAssert.that(describe(result.succeeded(), "s")).containsInAnyOrder("dry:SUCCEEDED");
    PAssert.that(result.succeededWithWarnings()).empty();
    PAssert.that(result.failed()).empty();
    PAssert.that(result.succeeded())
        .satisfies(
            results -> {
              JobResult r = results.iterator().next();
              assertThat(r.getStatistics().getTotalBytesProcessed(), notNullValue());
              assertThat(r.getStatistics().getQuery().getTotalBytesProcessed(), notNullValue());
              assertThat(r.getAttemptJobIds(), hasSize(1));
              assertThat(r.getErrorResult(), nullValue());
              return null;
            });
    p.run().waitUntilFinish();

    assertThat(countAll(BQ.server(), "jobs.insert") - insertsBefore, equalTo(1L));
    assertThat(
        "a dry run is never polled", countAll(BQ.server(), "jobs.get") - getsBefore, equalTo(0L));
  }

  @Test
  public void loadWithinMaxBadRecordsSucceedsWithWarnings() throws Exception {
    writeGcs(BQ.server(), "gs://types/in/some-bad.csv", "ann,30\nbob,abc\ncid,40\ndan,x\neve,60\n");
    JobRequest load =
        JobRequest.of(
                new JobConfiguration()
                    .setLoad(
                        new JobConfigurationLoad()
                            .setSourceUris(List.of("gs://types/in/some-bad.csv"))
                            .setMaxBadRecords(2)
                            .setSchema(schema("name", "STRING", "age", "INTEGER"))
                            .setDestinationTable(table(P, "ds", "warned"))))
            .withKey("warned");
    BigQueryJobs.Result result = p.apply(Create.of(load)).apply(transform("warn"));

    PAssert.that(result.succeeded()).empty();
    PAssert.that(describe(result.succeededWithWarnings(), "w"))
        .containsInAnyOrder("warned:SUCCEEDED_WITH_WARNINGS");
    PAssert.that(result.failed()).empty();
    PAssert.that(result.succeededWithWarnings())
        .satisfies(
            results -> {
              JobResult r = results.iterator().next();
              assertThat(r.getErrorResult(), nullValue());
              assertThat(r.getErrors(), hasSize(2));
              assertThat(r.getErrors().get(0).getMessage(), containsString("'abc'"));
              assertThat(r.getJob().getStatus().getErrors(), hasSize(2));
              assertThat(r.getStatistics().getLoad().getBadRecords(), equalTo(2L));
              assertThat(r.getStatistics().getLoad().getOutputRows(), equalTo(3L));
              return null;
            });
    p.run().waitUntilFinish();
  }

  @Test
  public void eachFailureClassIsFailedWithItsReason() throws Exception {
    runSql(BQ.server(), P, "CREATE TABLE ds.full_table AS SELECT 1 AS x");
    long insertsBefore = countAll(BQ.server(), "jobs.insert");
    JobRequest noType = JobRequest.of(new JobConfiguration()).withKey("invalid");
    JobRequest badSql = query("SELECT FROM WHERE", "invalidQuery");
    JobRequest missing = query("SELECT * FROM ds.missing", "notFound");
    JobRequest legacy =
        JobRequest.of(
                new JobConfiguration()
                    .setQuery(new JobConfigurationQuery().setQuery("SELECT name FROM ds.people")))
            .withKey("legacy");
    JobRequest writeEmpty =
        JobRequest.of(
                new JobConfiguration()
                    .setQuery(
                        new JobConfigurationQuery()
                            .setQuery("SELECT 2 AS x")
                            .setUseLegacySql(false)
                            .setDestinationTable(table(P, "ds", "full_table"))
                            .setWriteDisposition("WRITE_EMPTY")))
            .withKey("writeEmpty");

    BigQueryJobs.Result result =
        p.apply(Create.of(noType, badSql, missing, legacy, writeEmpty)).apply(transform("fail"));

    PAssert.that(result.succeeded()).empty();
    PAssert.that(result.succeededWithWarnings()).empty();
    PAssert.that(describe(result.failed(), "f"))
        .containsInAnyOrder(
            "invalid:FAILED:invalid",
            "invalidQuery:FAILED:invalidQuery",
            "notFound:FAILED:notFound",
            "legacy:FAILED:invalidQuery",
            "writeEmpty:FAILED:duplicate");
    PAssert.that(result.failed())
        .satisfies(
            results -> {
              Map<String, JobResult> r = byKey(results);
              // Invalid before any call: no job, no attempt.
              assertThat(r.get("invalid").getJob(), nullValue());
              assertThat(r.get("invalid").getAttemptJobIds(), empty());
              assertThat(
                  r.get("invalid").getErrorResult().getMessage(), containsString("no job type"));
              assertThat(
                  r.get("legacy").getErrorResult().getMessage(), containsString("useLegacySql"));
              assertThat(
                  r.get("notFound").getErrorResult().getMessage(), containsString("ds.missing"));
              // WRITE_EMPTY into a table with rows: an ordinary failed job, never the collision
              // path: the job ran, and its own errorResult is reported.
              JobResult dup = r.get("writeEmpty");
              ErrorProto e = dup.getErrorResult();
              assertThat(e.getMessage(), not(containsString("collision")));
              assertThat(e.getMessage(), containsString("full_table"));
              assertThat(dup.getJob(), notNullValue());
              assertThat(dup.getJob().getStatus().getState(), equalTo("DONE"));
              assertThat(
                  dup.getJob().getStatus().getErrorResult().getReason(), equalTo("duplicate"));
              assertThat(dup.getAttemptJobIds(), hasSize(1));
              for (JobResult each : r.values()) {
                assertThat(each.getErrorResult().getMessage(), notNullValue());
                assertThat(each.getAttemptJobIds().size(), org.hamcrest.Matchers.lessThan(2));
              }
              return null;
            });
    p.run().waitUntilFinish();

    // Four requests reached jobs.insert once each; the invalid one never did.
    assertThat(
        "jobs.insert calls", countAll(BQ.server(), "jobs.insert") - insertsBefore, equalTo(4L));
    assertThat(
        BQ.client().tables().get(P, "ds", "full_table").execute().getNumRows().longValue(),
        equalTo(1L));
  }
}
