package dev.bqjobs.emulator;

import static dev.bqjobs.emulator.TestSupport.dataset;
import static dev.bqjobs.emulator.TestSupport.run;
import static dev.bqjobs.emulator.TestSupport.runOk;
import static dev.bqjobs.emulator.TransferTestSupport.file;
import static dev.bqjobs.emulator.TransferTestSupport.job;
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

import com.google.api.services.bigquery.Bigquery;
import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobConfigurationExtract;
import com.google.api.services.bigquery.model.JobConfigurationLoad;
import com.google.api.services.bigquery.model.JobConfigurationTableCopy;
import com.google.api.services.bigquery.model.TableReference;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

/** Extract and copy jobs through the real client over HTTP. */
public class ExtractCopyJobsTest {
  @ClassRule public static final LocalBigQueryRule BQ = new LocalBigQueryRule();

  static final String P = "transfer-project";
  static final TableReference PEOPLE = table(P, "ds", "people");

  @BeforeClass
  public static void data() throws Exception {
    Bigquery bq = BQ.client();
    bq.datasets().insert(P, dataset(P, "ds", null)).execute();
    write(
        BQ.server(),
        "gs://in/people.csv",
        "ann,30,2024-01-02 03:04:05\n\"smith, bob\",,2024-01-03 00:00:00.5\n");
    runOk(
        bq,
        load(
            P,
            "people_load",
            new JobConfigurationLoad()
                .setDestinationTable(PEOPLE)
                .setSourceUris(new ArrayList<>(List.of("gs://in/people.csv")))
                .setSchema(schema("name", "STRING", "age", "INTEGER", "seen", "TIMESTAMP"))));
  }

  private static Job extract(String jobId, JobConfigurationExtract ex) {
    return job(P, jobId, new JobConfiguration().setExtract(ex.setSourceTable(PEOPLE)));
  }

  private static Job copy(String jobId, JobConfigurationTableCopy copy) {
    return job(P, jobId, new JobConfiguration().setCopy(copy));
  }

  private static String read(Path f, boolean gzip) throws Exception {
    try (InputStream in =
        gzip ? new GZIPInputStream(Files.newInputStream(f)) : Files.newInputStream(f)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      return out.toString(StandardCharsets.UTF_8);
    }
  }

  @Test
  public void csvWithHeaderAndDelimiter() throws Exception {
    Job done =
        runOk(
            BQ.client(),
            extract(
                "extract_csv",
                new JobConfigurationExtract()
                    .setDestinationUris(new ArrayList<>(List.of("gs://out/people.csv")))));
    assertThat(done.getStatistics().getExtract().getDestinationUriFileCounts(), contains(1L));
    assertThat(
        read(file(BQ.server(), "gs://out/people.csv"), false),
        equalTo(
            "name,age,seen\nann,30,2024-01-02 03:04:05 UTC\n\"smith, bob\",,2024-01-03 00:00:00.5 UTC\n"));
    runOk(
        BQ.client(),
        extract(
            "extract_tsv",
            new JobConfigurationExtract()
                .setDestinationUris(new ArrayList<>(List.of("gs://out/people.tsv")))
                .setFieldDelimiter("\t")
                .setPrintHeader(false)));
    assertThat(
        read(file(BQ.server(), "gs://out/people.tsv"), false),
        equalTo("ann\t30\t2024-01-02 03:04:05 UTC\nsmith, bob\t\t2024-01-03 00:00:00.5 UTC\n"));
  }

  @Test
  public void gzippedJsonAndParquet() throws Exception {
    runOk(
        BQ.client(),
        extract(
            "extract_json",
            new JobConfigurationExtract()
                .setDestinationUris(new ArrayList<>(List.of("gs://out/people.json.gz")))
                .setDestinationFormat("NEWLINE_DELIMITED_JSON")
                .setCompression("GZIP")));
    assertThat(
        read(file(BQ.server(), "gs://out/people.json.gz"), true),
        equalTo(
            "{\"name\":\"ann\",\"age\":\"30\",\"seen\":\"2024-01-02 03:04:05 UTC\"}\n"
                + "{\"name\":\"smith, bob\",\"seen\":\"2024-01-03 00:00:00.5 UTC\"}\n"));
    runOk(
        BQ.client(),
        extract(
            "extract_parquet",
            new JobConfigurationExtract()
                .setDestinationUris(new ArrayList<>(List.of("gs://out/people.parquet")))
                .setDestinationFormat("PARQUET")));
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "SELECT count(*), max(age) FROM read_parquet('"
                        + file(BQ.server(), "gs://out/people.parquet")
                        + "')")) {
      rs.next();
      assertThat(rs.getLong(1), equalTo(2L));
      assertThat(rs.getLong(2), equalTo(30L));
    }
  }

  @Test
  public void wildcardDestinationsAreSharded() throws Exception {
    Bigquery bq = BQ.client();
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < ExtractRunnerShards.ROWS + 1; i++) {
      text.append(i).append('\n');
    }
    write(BQ.server(), "gs://in/many.csv", text.toString());
    TableReference many = table(P, "ds", "many");
    runOk(
        bq,
        load(
            P,
            "many_load",
            new JobConfigurationLoad()
                .setDestinationTable(many)
                .setSourceUris(new ArrayList<>(List.of("gs://in/many.csv")))
                .setSchema(schema("n", "INTEGER"))));
    Job done =
        runOk(
            bq,
            job(
                P,
                "extract_sharded",
                new JobConfiguration()
                    .setExtract(
                        new JobConfigurationExtract()
                            .setSourceTable(many)
                            .setDestinationUris(
                                new ArrayList<>(List.of("gs://out/many/part-*.csv")))
                            .setPrintHeader(false))));
    assertThat(done.getStatistics().getExtract().getDestinationUriFileCounts(), contains(2L));
    long lines = 0;
    for (String shard : List.of("000000000000", "000000000001")) {
      lines +=
          read(file(BQ.server(), "gs://out/many/part-" + shard + ".csv"), false).lines().count();
    }
    assertThat(lines, equalTo((long) ExtractRunnerShards.ROWS + 1));
  }

  @Test
  public void extractOfMissingTableIsNotFoundAndWritesNothing() throws Exception {
    Job done =
        run(
            BQ.client(),
            job(
                P,
                "extract_missing",
                new JobConfiguration()
                    .setExtract(
                        new JobConfigurationExtract()
                            .setSourceTable(table(P, "ds", "nope"))
                            .setDestinationUris(new ArrayList<>(List.of("gs://out/nope.csv"))))));
    assertThat(done.getStatus().getErrorResult().getReason(), equalTo("notFound"));
    assertThat(Files.exists(file(BQ.server(), "gs://out/nope.csv")), equalTo(false));
  }

  @Test
  public void copyWithDispositionsAndSeveralSources() throws Exception {
    Bigquery bq = BQ.client();
    TableReference dest = table(P, "ds", "people_copy");
    Job first =
        runOk(
            bq,
            copy(
                "copy_1",
                new JobConfigurationTableCopy().setSourceTable(PEOPLE).setDestinationTable(dest)));
    assertThat(first.getStatistics().getCopy().getCopiedRows(), equalTo(2L));
    assertThat(rows(bq, dest), equalTo(rows(bq, PEOPLE)));

    Job again =
        run(
            bq,
            copy(
                "copy_2",
                new JobConfigurationTableCopy().setSourceTable(PEOPLE).setDestinationTable(dest)));
    assertThat(again.getStatus().getErrorResult().getReason(), equalTo("duplicate"));

    runOk(
        bq,
        copy(
            "copy_3",
            new JobConfigurationTableCopy()
                .setSourceTables(new ArrayList<>(List.of(PEOPLE, dest)))
                .setDestinationTable(dest)
                .setWriteDisposition("WRITE_APPEND")));
    assertThat(numRows(bq, dest), equalTo(6L));

    runOk(
        bq,
        copy(
            "copy_4",
            new JobConfigurationTableCopy()
                .setSourceTable(PEOPLE)
                .setDestinationTable(dest)
                .setWriteDisposition("WRITE_TRUNCATE")));
    assertThat(numRows(bq, dest), equalTo(2L));

    Job never =
        run(
            bq,
            copy(
                "copy_5",
                new JobConfigurationTableCopy()
                    .setSourceTable(PEOPLE)
                    .setDestinationTable(table(P, "ds", "absent"))
                    .setCreateDisposition("CREATE_NEVER")));
    assertThat(never.getStatus().getErrorResult().getReason(), equalTo("notFound"));
  }

  @Test
  public void copyRefusesDifferentSchemasAndMissingSources() throws Exception {
    Bigquery bq = BQ.client();
    write(BQ.server(), "gs://in/other.csv", "x\n");
    TableReference other = table(P, "ds", "other");
    runOk(
        bq,
        load(
            P,
            "other_load",
            new JobConfigurationLoad()
                .setDestinationTable(other)
                .setSourceUris(new ArrayList<>(List.of("gs://in/other.csv")))
                .setSchema(schema("v", "STRING"))));
    Job mixed =
        run(
            bq,
            copy(
                "copy_mixed",
                new JobConfigurationTableCopy()
                    .setSourceTables(new ArrayList<>(List.of(PEOPLE, other)))
                    .setDestinationTable(table(P, "ds", "mixed"))));
    assertThat(mixed.getStatus().getErrorResult().getReason(), equalTo("invalid"));
    assertThat(mixed.getStatus().getErrorResult().getMessage(), containsString("schema"));
    Job missing =
        run(
            bq,
            copy(
                "copy_missing",
                new JobConfigurationTableCopy()
                    .setSourceTable(table(P, "ds", "ghost"))
                    .setDestinationTable(table(P, "ds", "ghost_copy"))));
    assertThat(missing.getStatus().getErrorResult().getReason(), equalTo("notFound"));
    assertThat(missing.getStatus().getErrorResult().getMessage(), containsString("ghost"));
  }

  /** The shard size the server uses, mirrored so the test makes exactly two shards. */
  static final class ExtractRunnerShards {
    static final int ROWS = 50_000;
  }
}
