package dev.bqjobs.pipelines.local;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.google.api.services.bigquery.Bigquery;
import com.google.api.services.bigquery.model.Dataset;
import com.google.api.services.bigquery.model.DatasetReference;
import com.google.api.services.bigquery.model.QueryRequest;
import com.google.api.services.bigquery.model.QueryResponse;
import com.google.api.services.bigquery.model.Table;
import com.google.api.services.bigquery.model.TableDataInsertAllRequest;
import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.api.services.bigquery.model.TableReference;
import com.google.api.services.bigquery.model.TableRow;
import com.google.api.services.bigquery.model.TableSchema;
import dev.bqjobs.emulator.LocalBigQueryRule;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.gcp.bigquery.AvroWriteRequest;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryIO;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryIO.Write.CreateDisposition;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryIO.Write.WriteDisposition;
import org.apache.beam.sdk.io.gcp.bigquery.TableRowJsonCoder;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * Beam's own BigQueryIO on the DirectRunner against the local server, with its temp files on the
 * server's {@code gs://}: FILE_LOADS (temp files, load jobs, temp tables and copy jobs when the
 * files make several partitions), STREAMING_INSERTS, and EXPORT reads from a table and a query.
 */
@RunWith(JUnit4.class)
public class BigQueryIoTest {
  @ClassRule public static final LocalBigQueryRule BQ = new LocalBigQueryRule();

  private static final TableSchema SCHEMA =
      new TableSchema()
          .setFields(
              List.of(
                  new TableFieldSchema().setName("id").setType("INTEGER").setMode("REQUIRED"),
                  new TableFieldSchema().setName("name").setType("STRING"),
                  new TableFieldSchema().setName("score").setType("FLOAT")));

  @BeforeClass
  public static void dataset() throws Exception {
    BQ.client()
        .datasets()
        .insert(
            project(),
            new Dataset()
                .setDatasetReference(
                    new DatasetReference().setProjectId(project()).setDatasetId("beam")))
        .execute();
  }

  private static String project() {
    return BQ.server().projectId();
  }

  private static PipelineOptions options() {
    return PipelineOptionsFactory.fromArgs(BQ.pipelineArgs().toArray(new String[0])).create();
  }

  private static List<TableRow> rows(int n) {
    return IntStream.range(0, n)
        .mapToObj(i -> new TableRow().set("id", i).set("name", "n" + i).set("score", i / 4.0))
        .collect(Collectors.toList());
  }

  private static List<Object> query(String sql) throws Exception {
    Bigquery client = BQ.client();
    QueryResponse r =
        client
            .jobs()
            .query(project(), new QueryRequest().setQuery(sql).setUseLegacySql(false))
            .execute();
    return r.getRows().stream()
        .map(row -> ((Map<?, ?>) row.getF().get(0)).get("v"))
        .collect(Collectors.toList());
  }

  @Test
  public void fileLoadsOfTenThousandRowsLandEveryRowOnce() throws Exception {
    Pipeline p = Pipeline.create(options());
    p.apply("Rows", Create.of(rows(10_000)).withCoder(TableRowJsonCoder.of()))
        .apply(
            "Load",
            BigQueryIO.writeTableRows()
                .to(project() + ":beam.loaded")
                .withSchema(SCHEMA)
                .withMethod(BigQueryIO.Write.Method.FILE_LOADS)
                // small temp files and two files per partition: several load jobs into temp
                // tables, then copy jobs into the destination
                .withMaxFileSize(64 * 1024)
                .withMaxFilesPerPartition(2)
                .withCreateDisposition(CreateDisposition.CREATE_IF_NEEDED)
                .withWriteDisposition(WriteDisposition.WRITE_APPEND));
    assertEquals(PipelineResult.State.DONE, p.run().waitUntilFinish());
    assertEquals("10000", query("SELECT COUNT(*) FROM beam.loaded").get(0));
    assertEquals("10000", query("SELECT COUNT(DISTINCT id) FROM beam.loaded").get(0));
    assertEquals("49995000", query("SELECT SUM(id) FROM beam.loaded").get(0));
    // several partitions: loads into temp tables, then a copy job into the destination
    List<String> kinds = jobKinds();
    assertTrue(kinds.toString(), kinds.stream().filter("load"::equals).count() > 1);
    assertTrue(kinds.toString(), kinds.contains("copy"));
  }

  @Test
  public void fileLoadsInAvroLandEveryRowOnce() throws Exception {
    Pipeline p = Pipeline.create(options());
    p.apply("Rows", Create.of(rows(2_000)).withCoder(TableRowJsonCoder.of()))
        .apply(
            "LoadAvro",
            BigQueryIO.<TableRow>write()
                .to(project() + ":beam.avro_loaded")
                .withSchema(SCHEMA)
                .withAvroFormatFunction(BigQueryIoTest::avroRecord)
                .withMethod(BigQueryIO.Write.Method.FILE_LOADS)
                .withCreateDisposition(CreateDisposition.CREATE_IF_NEEDED));
    assertEquals(PipelineResult.State.DONE, p.run().waitUntilFinish());
    assertEquals("2000", query("SELECT COUNT(DISTINCT id) FROM beam.avro_loaded").get(0));
    assertEquals("2000", query("SELECT COUNT(*) FROM beam.avro_loaded").get(0));
    assertEquals("n1999", query("SELECT name FROM beam.avro_loaded WHERE id = 1999").get(0));
  }

  private static GenericRecord avroRecord(AvroWriteRequest<TableRow> request) {
    GenericRecord record = new GenericData.Record(request.getSchema());
    TableRow row = request.getElement();
    record.put("id", ((Number) row.get("id")).longValue());
    record.put("name", row.get("name"));
    record.put("score", ((Number) row.get("score")).doubleValue());
    return record;
  }

  @Test
  public void streamingInsertsLandEveryRowOnce() throws Exception {
    Pipeline p = Pipeline.create(options());
    p.apply("Rows", Create.of(rows(500)).withCoder(TableRowJsonCoder.of()))
        .apply(
            "Stream",
            BigQueryIO.writeTableRows()
                .to(project() + ":beam.streamed")
                .withSchema(SCHEMA)
                .withMethod(BigQueryIO.Write.Method.STREAMING_INSERTS)
                .withCreateDisposition(CreateDisposition.CREATE_IF_NEEDED));
    assertEquals(PipelineResult.State.DONE, p.run().waitUntilFinish());
    assertEquals("500", query("SELECT COUNT(DISTINCT id) FROM beam.streamed").get(0));
    assertEquals("500", query("SELECT COUNT(*) FROM beam.streamed").get(0));
  }

  @Test
  public void exportReadsATable() throws Exception {
    writeTable("exported", 300);
    Pipeline p = Pipeline.create(options());
    PCollection<String> names =
        p.apply(
                "Read",
                BigQueryIO.readTableRows()
                    .from(project() + ":beam.exported")
                    .withMethod(BigQueryIO.TypedRead.Method.EXPORT))
            .apply(
                "Names",
                MapElements.into(TypeDescriptor.of(String.class))
                    .via(row -> row.get("id") + ":" + row.get("name") + ":" + row.get("score")));
    PAssert.that(names)
        .containsInAnyOrder(
            IntStream.range(0, 300)
                .mapToObj(i -> i + ":n" + i + ":" + (i / 4.0))
                .collect(Collectors.toList()));
    assertEquals(PipelineResult.State.DONE, p.run().waitUntilFinish());
  }

  @Test
  public void exportReadsAQuery() throws Exception {
    writeTable("queried", 200);
    Pipeline p = Pipeline.create(options());
    PCollection<String> rows =
        p.apply(
                "Query",
                BigQueryIO.readTableRows()
                    .fromQuery(
                        "SELECT id, name FROM `"
                            + project()
                            + ".beam.queried` WHERE MOD(id, 2) = 0")
                    .usingStandardSql()
                    .withMethod(BigQueryIO.TypedRead.Method.EXPORT))
            .apply(
                "Format",
                MapElements.into(TypeDescriptor.of(String.class))
                    .via(row -> row.get("id") + ":" + row.get("name")));
    PAssert.that(rows)
        .containsInAnyOrder(
            IntStream.range(0, 200)
                .filter(i -> i % 2 == 0)
                .mapToObj(i -> i + ":n" + i)
                .collect(Collectors.toList()));
    assertEquals(PipelineResult.State.DONE, p.run().waitUntilFinish());
    // BigQueryIO's temporary dataset is gone again
    assertTrue(
        BQ.client().datasets().list(project()).execute().getDatasets().stream()
            .noneMatch(d -> d.getDatasetReference().getDatasetId().startsWith("temp_dataset")));
  }

  /** Writes {@code n} rows to a new table with the server's own insertAll. */
  private static void writeTable(String table, int n) throws Exception {
    Bigquery client = BQ.client();
    client
        .tables()
        .insert(
            project(),
            "beam",
            new Table()
                .setTableReference(
                    new TableReference()
                        .setProjectId(project())
                        .setDatasetId("beam")
                        .setTableId(table))
                .setSchema(SCHEMA))
        .execute();
    List<TableDataInsertAllRequest.Rows> rows =
        rows(n).stream()
            .map(r -> new TableDataInsertAllRequest.Rows().setJson(r))
            .collect(Collectors.toList());
    client
        .tabledata()
        .insertAll(project(), "beam", table, new TableDataInsertAllRequest().setRows(rows))
        .execute();
  }

  private static List<String> jobKinds() throws Exception {
    return BQ
        .client()
        .jobs()
        .list(project())
        .setAllUsers(true)
        .setMaxResults(1000L)
        .execute()
        .getJobs()
        .stream()
        .map(
            j ->
                j.getConfiguration().getLoad() != null
                    ? "load"
                    : j.getConfiguration().getCopy() != null
                        ? "copy"
                        : j.getConfiguration().getExtract() != null ? "extract" : "query")
        .collect(Collectors.toList());
  }
}
