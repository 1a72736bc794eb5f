package dev.bqjobs.emulator;

import static dev.bqjobs.emulator.TestSupport.dataset;
import static dev.bqjobs.emulator.TestSupport.expectError;
import static dev.bqjobs.emulator.TestSupport.run;
import static dev.bqjobs.emulator.TestSupport.runOk;
import static dev.bqjobs.emulator.TestSupport.waitDone;
import static dev.bqjobs.emulator.TestSupport.withRuntime;
import static dev.bqjobs.emulator.TransferTestSupport.load;
import static dev.bqjobs.emulator.TransferTestSupport.numRows;
import static dev.bqjobs.emulator.TransferTestSupport.rows;
import static dev.bqjobs.emulator.TransferTestSupport.schema;
import static dev.bqjobs.emulator.TransferTestSupport.table;
import static dev.bqjobs.emulator.TransferTestSupport.write;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.nullValue;

import com.google.api.services.bigquery.Bigquery;
import com.google.api.services.bigquery.model.ErrorProto;
import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobConfigurationLoad;
import com.google.api.services.bigquery.model.JobStatistics3;
import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.api.services.bigquery.model.TableReference;
import com.google.api.services.bigquery.model.TableSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

/** Load jobs from gs:// files through the real client over HTTP. */
public class LoadJobsTest {
  @ClassRule public static final LocalBigQueryRule BQ = new LocalBigQueryRule();

  static final String P = "load-project";

  @BeforeClass
  public static void datasets() throws Exception {
    BQ.client().datasets().insert(P, dataset(P, "ds", null)).execute();
    BQ.client().datasets().insert(P, dataset(P, "eu_ds", "EU")).execute();
  }

  private static JobConfigurationLoad csv(String tableId, String... uris) {
    return new JobConfigurationLoad()
        .setDestinationTable(table(P, "ds", tableId))
        .setSourceUris(new ArrayList<>(List.of(uris)));
  }

  @Test
  public void csvWithSchemaHeaderAndQuotedDelimiter() throws Exception {
    Bigquery bq = BQ.client();
    Path f =
        write(
            BQ.server(),
            "gs://bucket/people.csv",
            "name,age,joined\n\"Smith, Ann\",30,2024-01-02 03:04:05\nbob,,2024-01-03T00:00:00Z\n");
    Job done =
        runOk(
            bq,
            load(
                P,
                "csv_basic",
                csv("people", "gs://bucket/people.csv")
                    .setSkipLeadingRows(1)
                    .setSchema(schema("name", "STRING", "age", "INTEGER", "joined", "TIMESTAMP"))));
    assertThat(done.getConfiguration().getJobType(), equalTo("LOAD"));
    assertThat(done.getStatus().getErrors(), nullValue());
    JobStatistics3 stats = done.getStatistics().getLoad();
    assertThat(stats.getInputFiles(), equalTo(1L));
    assertThat(stats.getInputFileBytes(), equalTo(Files.size(f)));
    assertThat(stats.getOutputRows(), equalTo(2L));
    assertThat(stats.getBadRecords(), equalTo(0L));
    List<List<String>> rows = rows(bq, table(P, "ds", "people"));
    assertThat(rows.get(0), contains("Smith, Ann", "30", "1.704164645E9"));
    assertThat(rows.get(1), contains("bob", null, "1.70424E9"));
  }

  @Test
  public void csvOptionsDelimiterQuoteNewlinesJaggedAndNullMarker() throws Exception {
    Bigquery bq = BQ.client();
    write(BQ.server(), "gs://bucket/options.txt", "'a|1'|x|\\N\n'multi\nline'|y\nplain|z|2.5\n");
    runOk(
        bq,
        load(
            P,
            "csv_options",
            csv("options", "gs://bucket/options.txt")
                .setFieldDelimiter("|")
                .setQuote("'")
                .setAllowQuotedNewlines(true)
                .setAllowJaggedRows(true)
                .setNullMarker("\\N")
                .setSchema(schema("a", "STRING", "b", "STRING", "c", "FLOAT"))));
    List<List<String>> rows = rows(bq, table(P, "ds", "options"));
    assertThat(rows, hasSize(3));
    assertThat(rows.get(0), contains("a|1", "x", null));
    assertThat(rows.get(1), contains("multi\nline", "y", null));
    assertThat(rows.get(2), contains("plain", "z", "2.5"));
  }

  @Test
  public void csvAutodetectReadsHeaderAndTypes() throws Exception {
    Bigquery bq = BQ.client();
    write(
        BQ.server(),
        "gs://bucket/auto.csv",
        "city,population,area,capital,founded\nRome,2800000,1285.5,true,0753-04-21\nOslo,700000,454,false,1048-01-01\n");
    runOk(bq, load(P, "csv_auto", csv("auto", "gs://bucket/auto.csv").setAutodetect(true)));
    TableSchema s = bq.tables().get(P, "ds", "auto").execute().getSchema();
    assertThat(
        s.getFields().stream().map(TableFieldSchema::getName).toList(),
        contains("city", "population", "area", "capital", "founded"));
    assertThat(
        s.getFields().stream().map(TableFieldSchema::getType).toList(),
        contains("STRING", "INTEGER", "FLOAT", "BOOLEAN", "DATE"));
    assertThat(numRows(bq, table(P, "ds", "auto")), equalTo(2L));
  }

  @Test
  public void badRowsWithinMaxBadRecordsAreWarnings() throws Exception {
    Bigquery bq = BQ.client();
    write(
        BQ.server(), "gs://bucket/some-bad.csv", "ann,30\nbob,abc\ncid,40\ndan,50,extra\neve,60\n");
    Job done =
        run(
            bq,
            load(
                P,
                "csv_warnings",
                csv("warned", "gs://bucket/some-bad.csv")
                    .setMaxBadRecords(2)
                    .setSchema(schema("name", "STRING", "age", "INTEGER"))));
    assertThat(done.getStatus().getErrorResult(), nullValue());
    List<ErrorProto> errors = done.getStatus().getErrors();
    assertThat(errors, hasSize(2));
    assertThat(errors.get(0).getReason(), equalTo("invalid"));
    assertThat(errors.get(0).getLocation(), equalTo("gs://bucket/some-bad.csv"));
    assertThat(errors.get(0).getMessage(), containsString("Could not parse 'abc' as INT64"));
    assertThat(errors.get(0).getMessage(), containsString("field age"));
    assertThat(errors.get(0).getMessage(), containsString("line 2"));
    assertThat(errors.get(1).getMessage(), containsString("Too many values"));
    assertThat(errors.get(1).getMessage(), containsString("line 4"));
    assertThat(done.getStatistics().getLoad().getBadRecords(), equalTo(2L));
    assertThat(done.getStatistics().getLoad().getOutputRows(), equalTo(3L));
    assertThat(numRows(bq, table(P, "ds", "warned")), equalTo(3L));
  }

  @Test
  public void tooManyBadRowsFailAndLeaveTheTableAsItWas() throws Exception {
    Bigquery bq = BQ.client();
    TableReference t = table(P, "ds", "kept");
    write(BQ.server(), "gs://bucket/good.csv", "ann,30\n");
    runOk(
        bq,
        load(
            P,
            "kept_first",
            csv("kept", "gs://bucket/good.csv")
                .setSchema(schema("name", "STRING", "age", "INTEGER"))));
    write(BQ.server(), "gs://bucket/bad.csv", "bob,31\ncid,x\ndan,y\neve,33\n");
    Job done = run(bq, load(P, "kept_bad", csv("kept", "gs://bucket/bad.csv").setMaxBadRecords(1)));
    ErrorProto result = done.getStatus().getErrorResult();
    assertThat(result.getReason(), equalTo("invalid"));
    assertThat(result.getMessage(), containsString("too many errors, giving up"));
    assertThat(done.getStatus().getErrors(), hasSize(3));
    assertThat(done.getStatus().getErrors().get(1).getMessage(), containsString("'x'"));
    assertThat(rows(bq, t), contains(List.of("ann", "30")));
  }

  @Test
  public void jsonLinesWithNestedRepeatedAndIgnoredUnknownValues() throws Exception {
    Bigquery bq = BQ.client();
    write(
        BQ.server(),
        "gs://bucket/events.json",
        "{\"id\": 1, \"tags\": [\"a\", \"b\"], \"who\": {\"name\": \"ann\", \"n\": \"7\"}, \"junk\": 1}\n"
            + "\n"
            + "{\"id\": \"2\", \"tags\": null}\n");
    TableSchema s =
        new TableSchema()
            .setFields(
                List.of(
                    new TableFieldSchema().setName("id").setType("INTEGER"),
                    new TableFieldSchema().setName("tags").setType("STRING").setMode("REPEATED"),
                    new TableFieldSchema()
                        .setName("who")
                        .setType("RECORD")
                        .setFields(
                            List.of(
                                new TableFieldSchema().setName("name").setType("STRING"),
                                new TableFieldSchema().setName("n").setType("INTEGER")))));
    Job done =
        runOk(
            bq,
            load(
                P,
                "json_nested",
                new JobConfigurationLoad()
                    .setDestinationTable(table(P, "ds", "events"))
                    .setSourceUris(new ArrayList<>(List.of("gs://bucket/events.json")))
                    .setSourceFormat("NEWLINE_DELIMITED_JSON")
                    .setIgnoreUnknownValues(true)
                    .setSchema(s)));
    assertThat(done.getStatistics().getLoad().getOutputRows(), equalTo(2L));
    Job query =
        runOk(
            bq,
            TestSupport.queryJob(
                P,
                "json_nested_check",
                "SELECT id, ARRAY_LENGTH(tags) AS n, who.name, who.n FROM ds.events ORDER BY id"));
    List<List<String>> out = rows(bq, query.getConfiguration().getQuery().getDestinationTable());
    assertThat(out.get(0), contains("1", "2", "ann", "7"));
    assertThat(out.get(1), contains("2", "0", null, null));
  }

  @Test
  public void jsonAutodetectAndBadRowsOverTheLimit() throws Exception {
    Bigquery bq = BQ.client();
    write(
        BQ.server(),
        "gs://bucket/auto.json",
        "{\"name\": \"ann\", \"score\": 1.5, \"ok\": true}\n{\"name\": \"bob\", \"score\": 2}\n");
    runOk(
        bq,
        load(
            P,
            "json_auto",
            new JobConfigurationLoad()
                .setDestinationTable(table(P, "ds", "json_auto"))
                .setSourceUris(new ArrayList<>(List.of("gs://bucket/auto.json")))
                .setSourceFormat("NEWLINE_DELIMITED_JSON")
                .setAutodetect(true)));
    TableSchema s = bq.tables().get(P, "ds", "json_auto").execute().getSchema();
    assertThat(
        s.getFields().stream().map(f -> f.getName() + ":" + f.getType()).toList(),
        contains("name:STRING", "score:FLOAT", "ok:BOOLEAN"));

    write(
        BQ.server(),
        "gs://bucket/bad.json",
        "{\"name\": \"cid\"}\n{\"name\": \"dan\", \"nope\": 1}\n{not json\n");
    Job done =
        run(
            bq,
            load(
                P,
                "json_bad",
                new JobConfigurationLoad()
                    .setDestinationTable(table(P, "ds", "json_auto"))
                    .setSourceUris(new ArrayList<>(List.of("gs://bucket/bad.json")))
                    .setSourceFormat("NEWLINE_DELIMITED_JSON")
                    .setMaxBadRecords(1)));
    assertThat(
        done.getStatus().getErrorResult().getMessage(),
        containsString("JSON table encountered too many errors, giving up"));
    assertThat(
        done.getStatus().getErrors().get(1).getMessage(), containsString("No such field: nope"));
    assertThat(done.getStatus().getErrors().get(2).getMessage(), containsString("line 3"));
    assertThat(numRows(bq, table(P, "ds", "json_auto")), equalTo(2L));
  }

  @Test
  public void parquetLoadsWithItsOwnSchema() throws Exception {
    Path f = TransferTestSupport.file(BQ.server(), "gs://bucket/data/rows.parquet");
    Files.createDirectories(f.getParent());
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement()) {
      s.execute(
          "COPY (SELECT i::BIGINT AS id, 'n' || i AS name FROM range(5) t(i)) TO '"
              + f
              + "' (FORMAT PARQUET)");
    }
    Bigquery bq = BQ.client();
    Job done =
        runOk(
            bq,
            load(
                P,
                "parquet_load",
                new JobConfigurationLoad()
                    .setDestinationTable(table(P, "ds", "from_parquet"))
                    .setSourceUris(new ArrayList<>(List.of("gs://bucket/data/*.parquet")))
                    .setSourceFormat("PARQUET")));
    assertThat(done.getStatistics().getLoad().getOutputRows(), equalTo(5L));
    TableSchema s = bq.tables().get(P, "ds", "from_parquet").execute().getSchema();
    assertThat(
        s.getFields().stream().map(x -> x.getName() + ":" + x.getType()).toList(),
        contains("id:INTEGER", "name:STRING"));
  }

  @Test
  public void wildcardSourcesReadEveryMatchingFile() throws Exception {
    for (int i = 0; i < 3; i++) {
      write(BQ.server(), "gs://bucket/parts/part-" + i + ".csv", "row" + i + "\nmore" + i + "\n");
    }
    write(BQ.server(), "gs://bucket/parts/other.txt", "not me\n");
    Job done =
        runOk(
            BQ.client(),
            load(
                P,
                "wildcard",
                csv("wild", "gs://bucket/parts/part-*.csv").setSchema(schema("v", "STRING"))));
    assertThat(done.getStatistics().getLoad().getInputFiles(), equalTo(3L));
    assertThat(done.getStatistics().getLoad().getOutputRows(), equalTo(6L));
  }

  @Test
  public void dispositions() throws Exception {
    Bigquery bq = BQ.client();
    TableReference t = table(P, "ds", "dispo");
    write(BQ.server(), "gs://bucket/one.csv", "1\n");
    write(BQ.server(), "gs://bucket/two.csv", "2\n3\n");
    JobConfigurationLoad base =
        csv("dispo", "gs://bucket/one.csv").setSchema(schema("n", "INTEGER"));

    Job never = run(bq, load(P, "dispo_never", base.clone().setCreateDisposition("CREATE_NEVER")));
    assertThat(never.getStatus().getErrorResult().getReason(), equalTo("notFound"));
    runOk(bq, load(P, "dispo_create", base.clone()));
    runOk(bq, load(P, "dispo_append", base.clone())); // WRITE_APPEND is the default for loads
    assertThat(numRows(bq, t), equalTo(2L));
    Job empty = run(bq, load(P, "dispo_empty", base.clone().setWriteDisposition("WRITE_EMPTY")));
    assertThat(empty.getStatus().getErrorResult().getReason(), equalTo("duplicate"));
    runOk(
        bq,
        load(
            P,
            "dispo_truncate",
            base.clone()
                .setSourceUris(new ArrayList<>(List.of("gs://bucket/two.csv")))
                .setWriteDisposition("WRITE_TRUNCATE")));
    assertThat(rows(bq, t), contains(List.of("2"), List.of("3")));
  }

  @Test
  public void missingAndInvalidSources() throws Exception {
    Bigquery bq = BQ.client();
    Job missing =
        run(
            bq,
            load(
                P,
                "missing",
                csv("never", "gs://bucket/nothing.csv").setSchema(schema("a", "STRING"))));
    assertThat(missing.getStatus().getErrorResult().getReason(), equalTo("notFound"));
    assertThat(
        missing.getStatus().getErrorResult().getMessage(),
        equalTo("Not found: URI gs://bucket/nothing.csv"));
    Job noMatch =
        run(
            bq,
            load(
                P,
                "no_match",
                csv("never", "gs://bucket/zz*.csv").setSchema(schema("a", "STRING"))));
    assertThat(noMatch.getStatus().getErrorResult().getReason(), equalTo("notFound"));
    Job escape =
        run(
            bq,
            load(
                P,
                "escape",
                csv("never", "gs://bucket/../../etc/passwd").setSchema(schema("a", "STRING"))));
    assertThat(escape.getStatus().getErrorResult().getReason(), equalTo("invalid"));
    Job local =
        run(bq, load(P, "not_gs", csv("never", "/etc/passwd").setSchema(schema("a", "STRING"))));
    assertThat(local.getStatus().getErrorResult().getReason(), equalTo("invalid"));
    assertThat(local.getStatus().getErrorResult().getMessage(), containsString("/etc/passwd"));
    expectError(
        400, "invalid", () -> bq.jobs().insert(P, load(P, "no_uris", csv("never"))).execute());
  }

  @Test
  public void locationIsInferredFromTheDestinationAndChecked() throws Exception {
    Bigquery bq = BQ.client();
    write(BQ.server(), "gs://bucket/eu.csv", "x\n");
    JobConfigurationLoad eu =
        new JobConfigurationLoad()
            .setDestinationTable(table(P, "eu_ds", "t"))
            .setSourceUris(new ArrayList<>(List.of("gs://bucket/eu.csv")))
            .setSchema(schema("v", "STRING"));
    Job done = runOk(bq, load(P, "eu_load", eu));
    assertThat(done.getJobReference().getLocation(), equalTo("EU"));
    Job wrong = load(P, "eu_load_in_us", eu.clone());
    wrong.getJobReference().setLocation("US");
    Job failed = run(bq, wrong);
    assertThat(failed.getStatus().getErrorResult().getReason(), equalTo("notFound"));
    assertThat(failed.getStatus().getErrorResult().getMessage(), containsString("location US"));
  }

  @Test
  public void cancelledLoadLeavesNoTable() throws Exception {
    Bigquery bq = BQ.client();
    write(BQ.server(), "gs://bucket/slow.csv", "a\nb\n");
    Job job =
        withRuntime(
            load(
                P,
                "slow_load",
                csv("cancelled", "gs://bucket/slow.csv").setSchema(schema("v", "STRING"))),
            60_000);
    Job inserted = bq.jobs().insert(P, job).execute();
    bq.jobs().cancel(P, "slow_load").setLocation("US").execute();
    Job done = waitDone(bq, inserted.getJobReference());
    assertThat(done.getStatus().getErrorResult().getReason(), equalTo("stopped"));
    expectError(404, "notFound", () -> bq.tables().get(P, "ds", "cancelled").execute());
  }

  @Test
  public void hundredThousandRowCsvLoadsInSeconds() throws Exception {
    StringBuilder text = new StringBuilder("id,name,score,day\n");
    for (int i = 0; i < 100_000; i++) {
      text.append(i)
          .append(",name-")
          .append(i)
          .append(',')
          .append(i * 0.5)
          .append(",2024-01-")
          .append(1 + i % 28)
          .append('\n');
    }
    write(BQ.server(), "gs://bucket/big.csv", text.toString());
    long start = System.nanoTime();
    Job done =
        runOk(
            BQ.client(),
            load(
                P,
                "big_load",
                csv("big", "gs://bucket/big.csv")
                    .setSkipLeadingRows(1)
                    .setSchema(
                        schema(
                            "id", "INTEGER", "name", "STRING", "score", "FLOAT", "day", "DATE"))));
    long ms = (System.nanoTime() - start) / 1_000_000;
    System.out.println(
        "LoadJobsTest: 100000-row CSV loaded in "
            + ms
            + " ms ("
            + (100_000_000L / Math.max(1, ms))
            + " rows/s)");
    assertThat(done.getStatistics().getLoad().getOutputRows(), equalTo(100_000L));
    assertThat(ms, lessThan(15_000L));
  }
}
