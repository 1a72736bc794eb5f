package dev.bqjobs.emulator;

import static dev.bqjobs.emulator.TestSupport.dataset;
import static dev.bqjobs.emulator.TestSupport.queryJob;
import static dev.bqjobs.emulator.TestSupport.runOk;
import static dev.bqjobs.emulator.TransferTestSupport.file;
import static dev.bqjobs.emulator.TransferTestSupport.job;
import static dev.bqjobs.emulator.TransferTestSupport.load;
import static dev.bqjobs.emulator.TransferTestSupport.rows;
import static dev.bqjobs.emulator.TransferTestSupport.table;
import static org.junit.Assert.assertEquals;

import com.google.api.services.bigquery.Bigquery;
import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobConfigurationExtract;
import com.google.api.services.bigquery.model.JobConfigurationLoad;
import com.google.api.services.bigquery.model.TableFieldSchema;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

/** Avro extracts with BigQuery's schema and logical types, and Avro loads reading them back. */
public class AvroJobsTest {
  @ClassRule public static final LocalBigQueryRule BQ = new LocalBigQueryRule();

  static final String P = "avro-project";

  static final String ROW_SQL =
      "CREATE TABLE av.typed AS SELECT 7 AS i, 1.5 AS f, TRUE AS b, 'x' AS s,"
          + " CAST('12.345' AS NUMERIC) AS n, TIMESTAMP '2024-01-02 03:04:05.123456' AS ts,"
          + " DATE '2024-02-29' AS d, TIME '10:11:12.5' AS t, DATETIME '2024-01-02 03:04:05' AS dt,"
          + " [1, 2, 3] AS arr, CAST(NULL AS STRING) AS missing";

  @BeforeClass
  public static void typedTable() throws Exception {
    Bigquery bq = BQ.client();
    bq.datasets().insert(P, dataset(P, "av", null)).execute();
    runOk(bq, queryJob(P, "make_typed", ROW_SQL));
    java.nio.file.Files.createDirectories(BQ.server().gcsRoot().resolve("avro-bucket"));
  }

  private static JobConfigurationExtract extract(String uri, boolean logicalTypes) {
    return new JobConfigurationExtract()
        .setSourceTable(table(P, "av", "typed"))
        .setDestinationUris(List.of(uri))
        .setDestinationFormat("AVRO")
        .setUseAvroLogicalTypes(logicalTypes);
  }

  @Test
  public void extractWritesBigQuerysAvroSchemaWithLogicalTypes() throws Exception {
    runOk(
        BQ.client(),
        job(
            P,
            "extract_logical",
            new JobConfiguration().setExtract(extract("gs://avro-bucket/logical.avro", true))));
    File out = file(BQ.server(), "gs://avro-bucket/logical.avro").toFile();
    try (DataFileReader<GenericRecord> in = new DataFileReader<>(out, new GenericDatumReader<>())) {
      Schema schema = in.getSchema();
      assertEquals("Root", schema.getName());
      assertEquals(
          "timestamp-micros", nonNull(schema.getField("ts").schema()).getProp("logicalType"));
      assertEquals("date", nonNull(schema.getField("d").schema()).getProp("logicalType"));
      assertEquals("time-micros", nonNull(schema.getField("t").schema()).getProp("logicalType"));
      assertEquals("datetime", nonNull(schema.getField("dt").schema()).getProp("logicalType"));
      assertEquals("decimal", nonNull(schema.getField("n").schema()).getProp("logicalType"));
      assertEquals(Schema.Type.ARRAY, schema.getField("arr").schema().getType());
      GenericRecord row = in.next();
      assertEquals(7L, row.get("i"));
      assertEquals(1_704_164_645_123_456L, row.get("ts"));
      assertEquals((int) java.time.LocalDate.parse("2024-02-29").toEpochDay(), row.get("d"));
      assertEquals(36_672_500_000L, row.get("t"));
      assertEquals("2024-01-02T03:04:05", row.get("dt").toString());
      assertEquals(null, row.get("missing"));
    }
  }

  @Test
  public void withoutLogicalTypesDateAndTimeAreStrings() throws Exception {
    runOk(
        BQ.client(),
        job(
            P,
            "extract_plain",
            new JobConfiguration().setExtract(extract("gs://avro-bucket/plain-*.avro", false))));
    File out = file(BQ.server(), "gs://avro-bucket/plain-000000000000.avro").toFile();
    try (DataFileReader<GenericRecord> in = new DataFileReader<>(out, new GenericDatumReader<>())) {
      assertEquals(Schema.Type.STRING, nonNull(in.getSchema().getField("d").schema()).getType());
      assertEquals("2024-02-29", in.next().get("d").toString());
    }
  }

  @Test
  public void loadReadsTheExtractBackIntoTheSameRows() throws Exception {
    Bigquery bq = BQ.client();
    runOk(
        bq,
        job(
            P,
            "extract_for_load",
            new JobConfiguration().setExtract(extract("gs://avro-bucket/roundtrip.avro", true))));
    runOk(
        bq,
        load(
            P,
            "load_avro",
            new JobConfigurationLoad()
                .setSourceUris(List.of("gs://avro-bucket/roundtrip.avro"))
                .setSourceFormat("AVRO")
                .setUseAvroLogicalTypes(true)
                .setDestinationTable(table(P, "av", "reloaded"))));
    List<String> types = new ArrayList<>();
    for (TableFieldSchema f :
        bq.tables().get(P, "av", "reloaded").execute().getSchema().getFields()) {
      types.add(f.getName() + ":" + f.getType() + ":" + f.getMode());
    }
    assertEquals(
        List.of(
            "i:INTEGER:NULLABLE",
            "f:FLOAT:NULLABLE",
            "b:BOOLEAN:NULLABLE",
            "s:STRING:NULLABLE",
            "n:NUMERIC:NULLABLE",
            "ts:TIMESTAMP:NULLABLE",
            "d:DATE:NULLABLE",
            "t:TIME:NULLABLE",
            "dt:DATETIME:NULLABLE",
            "arr:INTEGER:REPEATED",
            "missing:STRING:NULLABLE"),
        types);
    assertEquals(rows(bq, table(P, "av", "typed")), rows(bq, table(P, "av", "reloaded")));
  }

  private static Schema nonNull(Schema s) {
    return s.getType() == Schema.Type.UNION ? s.getTypes().get(1) : s;
  }
}
