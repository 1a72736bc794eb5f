package dev.bqjobs.emulator;

import static dev.bqjobs.emulator.TestSupport.column;
import static dev.bqjobs.emulator.TestSupport.dataset;
import static dev.bqjobs.emulator.TestSupport.expectError;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import com.google.api.client.googleapis.json.GoogleJsonError;
import com.google.api.services.bigquery.Bigquery;
import com.google.api.services.bigquery.model.Dataset;
import com.google.api.services.bigquery.model.DatasetList;
import com.google.api.services.bigquery.model.Table;
import com.google.api.services.bigquery.model.TableDataInsertAllRequest;
import com.google.api.services.bigquery.model.TableDataInsertAllResponse;
import com.google.api.services.bigquery.model.TableDataList;
import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.api.services.bigquery.model.TableList;
import com.google.api.services.bigquery.model.TableReference;
import com.google.api.services.bigquery.model.TableRow;
import com.google.api.services.bigquery.model.TableSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.ClassRule;
import org.junit.Test;

/** datasets.*, tables.* and tabledata.* through the real client over HTTP. */
public class ResourcesTest {
  @ClassRule public static final LocalBigQueryRule BQ = new LocalBigQueryRule();

  private static final String PROJECT = "resources-project";

  private final Bigquery bq = BQ.client();

  private static Table table(String datasetId, String tableId, TableFieldSchema... fields) {
    return new Table()
        .setTableReference(
            new TableReference().setProjectId(PROJECT).setDatasetId(datasetId).setTableId(tableId))
        .setSchema(new TableSchema().setFields(List.of(fields)));
  }

  private static TableFieldSchema field(String name, String type) {
    return new TableFieldSchema().setName(name).setType(type);
  }

  private static TableDataInsertAllRequest.Rows row(Map<String, Object> json) {
    return new TableDataInsertAllRequest.Rows().setJson(json);
  }

  // ---------------------------------------------------------------- datasets

  @Test
  public void datasetInsertGetKeepsLocation() throws Exception {
    Dataset created = bq.datasets().insert(PROJECT, dataset(PROJECT, "in_eu", "EU")).execute();
    assertThat(created.getLocation(), equalTo("EU"));
    assertThat(created.getId(), equalTo(PROJECT + ":in_eu"));
    assertThat(created.getKind(), equalTo("bigquery#dataset"));
    assertThat(created.getCreationTime(), notNullValue());

    Dataset got = bq.datasets().get(PROJECT, "in_eu").execute();
    assertThat(got.getLocation(), equalTo("EU"));
    assertThat(got.getDatasetReference().getDatasetId(), equalTo("in_eu"));

    Dataset regional =
        bq.datasets().insert(PROJECT, dataset(PROJECT, "in_tokyo", "asia-northeast1")).execute();
    assertThat(regional.getLocation(), equalTo("asia-northeast1"));
    Dataset defaulted = bq.datasets().insert(PROJECT, dataset(PROJECT, "in_us", null)).execute();
    assertThat(defaulted.getLocation(), equalTo("US"));
  }

  @Test
  public void duplicateDatasetIs409Duplicate() throws Exception {
    bq.datasets().insert(PROJECT, dataset(PROJECT, "twice", "US")).execute();
    GoogleJsonError error =
        expectError(
            409,
            "duplicate",
            () -> bq.datasets().insert(PROJECT, dataset(PROJECT, "twice", "US")).execute());
    assertThat(error.getMessage(), containsString(PROJECT + ":twice"));
  }

  @Test
  public void missingDatasetIs404() {
    GoogleJsonError error =
        expectError(404, "notFound", () -> bq.datasets().get(PROJECT, "nope").execute());
    assertThat(error.getMessage(), equalTo("Not found: Dataset " + PROJECT + ":nope"));
    expectError(404, "notFound", () -> bq.datasets().delete(PROJECT, "nope").execute());
    expectError(404, "notFound", () -> bq.tables().list(PROJECT, "nope").execute());
  }

  @Test
  public void invalidDatasetIdIs400() {
    expectError(
        400,
        "invalid",
        () -> bq.datasets().insert(PROJECT, dataset(PROJECT, "bad-name!", "US")).execute());
  }

  @Test
  public void datasetListIsPaged() throws Exception {
    String project = "paged-datasets";
    for (int i = 0; i < 5; i++) {
      bq.datasets().insert(project, dataset(project, "ds_" + i, "US")).execute();
    }
    List<String> seen = new ArrayList<>();
    String token = null;
    int pages = 0;
    do {
      DatasetList page =
          bq.datasets().list(project).setMaxResults(2L).setPageToken(token).execute();
      pages++;
      assertThat(page.getDatasets().size() <= 2, equalTo(true));
      for (DatasetList.Datasets d : page.getDatasets()) {
        seen.add(d.getDatasetReference().getDatasetId());
        assertThat(d.getLocation(), equalTo("US"));
      }
      token = page.getNextPageToken();
    } while (token != null);
    assertThat(pages, equalTo(3));
    assertThat(seen, contains("ds_0", "ds_1", "ds_2", "ds_3", "ds_4"));
  }

  @Test
  public void datasetDeleteRespectsDeleteContents() throws Exception {
    bq.datasets().insert(PROJECT, dataset(PROJECT, "full", "US")).execute();
    bq.tables().insert(PROJECT, "full", table("full", "t", field("x", "INT64"))).execute();
    GoogleJsonError error =
        expectError(400, "resourceInUse", () -> bq.datasets().delete(PROJECT, "full").execute());
    assertThat(error.getMessage(), containsString(PROJECT + ":full"));
    assertThat(bq.tables().get(PROJECT, "full", "t").execute(), notNullValue());

    bq.datasets().delete(PROJECT, "full").setDeleteContents(true).execute();
    expectError(404, "notFound", () -> bq.datasets().get(PROJECT, "full").execute());

    bq.datasets().insert(PROJECT, dataset(PROJECT, "empty", "US")).execute();
    bq.datasets().delete(PROJECT, "empty").execute();
    expectError(404, "notFound", () -> bq.datasets().get(PROJECT, "empty").execute());
  }

  // ---------------------------------------------------------------- tables

  @Test
  public void tableInsertGetListDeleteWithBigQueryTypeNames() throws Exception {
    bq.datasets().insert(PROJECT, dataset(PROJECT, "typed", "EU")).execute();
    Table created =
        bq.tables()
            .insert(
                PROJECT,
                "typed",
                table(
                    "typed",
                    "all_types",
                    field("i", "INTEGER").setMode("REQUIRED"),
                    field("i64", "INT64"),
                    field("f", "FLOAT64"),
                    field("n", "NUMERIC"),
                    field("b", "BOOL"),
                    field("s", "STRING").setDescription("a string"),
                    field("by", "BYTES"),
                    field("d", "DATE"),
                    field("dt", "DATETIME"),
                    field("ts", "TIMESTAMP")))
            .execute();
    assertThat(created.getId(), equalTo(PROJECT + ":typed.all_types"));
    assertThat(created.getNumRows().longValue(), equalTo(0L));
    assertThat(created.getLocation(), equalTo("EU"));

    Table got = bq.tables().get(PROJECT, "typed", "all_types").execute();
    List<String> names = new ArrayList<>();
    List<String> types = new ArrayList<>();
    for (TableFieldSchema f : got.getSchema().getFields()) {
      names.add(f.getName());
      types.add(f.getType());
    }
    assertThat(names, contains("i", "i64", "f", "n", "b", "s", "by", "d", "dt", "ts"));
    // BigQuery answers with its legacy type names, whichever spelling the request used.
    assertThat(
        types,
        contains(
            "INTEGER",
            "INTEGER",
            "FLOAT",
            "NUMERIC",
            "BOOLEAN",
            "STRING",
            "BYTES",
            "DATE",
            "DATETIME",
            "TIMESTAMP"));
    assertThat(got.getSchema().getFields().get(0).getMode(), equalTo("REQUIRED"));
    assertThat(got.getSchema().getFields().get(5).getDescription(), equalTo("a string"));

    bq.tables().insert(PROJECT, "typed", table("typed", "second", field("x", "STRING"))).execute();
    TableList list = bq.tables().list(PROJECT, "typed").execute();
    List<String> tableIds = new ArrayList<>();
    for (TableList.Tables t : list.getTables()) {
      tableIds.add(t.getTableReference().getTableId());
    }
    assertThat(tableIds, contains("all_types", "second"));
    TableList firstPage = bq.tables().list(PROJECT, "typed").setMaxResults(1L).execute();
    assertThat(firstPage.getTables(), hasSize(1));
    TableList secondPage =
        bq.tables()
            .list(PROJECT, "typed")
            .setMaxResults(1L)
            .setPageToken(firstPage.getNextPageToken())
            .execute();
    assertThat(secondPage.getTables().get(0).getTableReference().getTableId(), equalTo("second"));
    assertThat(secondPage.getNextPageToken(), nullValue());

    expectError(
        409,
        "duplicate",
        () ->
            bq.tables()
                .insert(PROJECT, "typed", table("typed", "second", field("x", "STRING")))
                .execute());
    bq.tables().delete(PROJECT, "typed", "second").execute();
    expectError(404, "notFound", () -> bq.tables().get(PROJECT, "typed", "second").execute());
    expectError(404, "notFound", () -> bq.tables().delete(PROJECT, "typed", "second").execute());
  }

  @Test
  public void unknownTypeNameIs400() throws Exception {
    bq.datasets().insert(PROJECT, dataset(PROJECT, "badtypes", "US")).execute();
    expectError(
        400,
        "invalid",
        () ->
            bq.tables()
                .insert(PROJECT, "badtypes", table("badtypes", "t", field("x", "INTEGRAL")))
                .execute());
  }

  // ---------------------------------------------------------------- tabledata

  @Test
  public void insertAllGoodRowsThenNumRowsAndListPaging() throws Exception {
    bq.datasets().insert(PROJECT, dataset(PROJECT, "data", "US")).execute();
    bq.tables()
        .insert(
            PROJECT, "data", table("data", "people", field("name", "STRING"), field("n", "INT64")))
        .execute();
    List<TableDataInsertAllRequest.Rows> rows = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      // int64 as a JSON number and as a string: both are accepted, as in BigQuery.
      rows.add(row(Map.of("name", "p" + i, "n", i % 2 == 0 ? (Object) i : Integer.toString(i))));
    }
    TableDataInsertAllResponse response =
        bq.tabledata()
            .insertAll(PROJECT, "data", "people", new TableDataInsertAllRequest().setRows(rows))
            .execute();
    assertThat(response.getInsertErrors(), nullValue());
    assertThat(
        bq.tables().get(PROJECT, "data", "people").execute().getNumRows().longValue(), equalTo(7L));

    // maxResults + pageToken walk the table in insertion order.
    List<String> names = new ArrayList<>();
    String token = null;
    int pages = 0;
    do {
      TableDataList page =
          bq.tabledata()
              .list(PROJECT, "data", "people")
              .setMaxResults(3L)
              .setPageToken(token)
              .execute();
      pages++;
      assertThat(page.getTotalRows(), equalTo(7L));
      names.addAll(column(page.getRows(), 0));
      token = page.getPageToken();
    } while (token != null);
    assertThat(pages, equalTo(3));
    assertThat(names, contains("p0", "p1", "p2", "p3", "p4", "p5", "p6"));

    // startIndex starts anywhere; values are strings in the {"f":[{"v":...}]} form.
    TableDataList fromFive =
        bq.tabledata()
            .list(PROJECT, "data", "people")
            .setStartIndex(java.math.BigInteger.valueOf(5))
            .setMaxResults(10L)
            .execute();
    assertThat(column(fromFive.getRows(), 0), contains("p5", "p6"));
    assertThat(column(fromFive.getRows(), 1), contains("5", "6"));
    assertThat(fromFive.getPageToken(), nullValue());
  }

  @Test
  public void insertAllBadRowStopsTheBatchUnlessSkipInvalidRows() throws Exception {
    bq.datasets().insert(PROJECT, dataset(PROJECT, "strict", "US")).execute();
    bq.tables()
        .insert(PROJECT, "strict", table("strict", "t", field("n", "INT64"), field("s", "STRING")))
        .execute();
    List<TableDataInsertAllRequest.Rows> rows =
        List.of(
            row(Map.of("n", 1, "s", "ok")),
            row(Map.of("n", "not a number", "s", "bad")),
            row(Map.of("n", 3, "nosuchcolumn", "x")),
            row(Map.of("n", 4, "s", "ok too")));

    TableDataInsertAllResponse stopped =
        bq.tabledata()
            .insertAll(PROJECT, "strict", "t", new TableDataInsertAllRequest().setRows(rows))
            .execute();
    assertThat(stopped.getInsertErrors(), hasSize(4));
    List<String> reasons = new ArrayList<>();
    for (TableDataInsertAllResponse.InsertErrors e : stopped.getInsertErrors()) {
      assertThat(e.getIndex(), equalTo((long) reasons.size()));
      reasons.add(e.getErrors().get(0).getReason());
    }
    assertThat(reasons, contains("stopped", "invalid", "invalid", "stopped"));
    assertThat(
        stopped.getInsertErrors().get(2).getErrors().get(0).getMessage(),
        containsString("nosuchcolumn"));
    assertThat(
        bq.tables().get(PROJECT, "strict", "t").execute().getNumRows().longValue(), equalTo(0L));

    TableDataInsertAllResponse skipped =
        bq.tabledata()
            .insertAll(
                PROJECT,
                "strict",
                "t",
                new TableDataInsertAllRequest().setRows(rows).setSkipInvalidRows(true))
            .execute();
    List<Long> failedIndexes = new ArrayList<>();
    for (TableDataInsertAllResponse.InsertErrors e : skipped.getInsertErrors()) {
      failedIndexes.add(e.getIndex());
      assertThat(e.getErrors().get(0).getReason(), equalTo("invalid"));
    }
    assertThat(failedIndexes, contains(1L, 2L));
    List<TableRow> landed = bq.tabledata().list(PROJECT, "strict", "t").execute().getRows();
    assertThat(column(landed, 1), contains("ok", "ok too"));

    TableDataInsertAllResponse ignored =
        bq.tabledata()
            .insertAll(
                PROJECT,
                "strict",
                "t",
                new TableDataInsertAllRequest()
                    .setRows(List.of(rows.get(2)))
                    .setIgnoreUnknownValues(true))
            .execute();
    assertThat(ignored.getInsertErrors(), nullValue());
    assertThat(
        bq.tables().get(PROJECT, "strict", "t").execute().getNumRows().longValue(), equalTo(3L));
  }

  @Test
  public void insertAllIntoMissingTableIs404AndEmptyTableListsNoRows() throws Exception {
    bq.datasets().insert(PROJECT, dataset(PROJECT, "sparse", "US")).execute();
    expectError(
        404,
        "notFound",
        () ->
            bq.tabledata()
                .insertAll(
                    PROJECT,
                    "sparse",
                    "missing",
                    new TableDataInsertAllRequest().setRows(List.of(row(Map.of("x", 1)))))
                .execute());
    bq.tables().insert(PROJECT, "sparse", table("sparse", "t", field("x", "INT64"))).execute();
    TableDataList empty = bq.tabledata().list(PROJECT, "sparse", "t").execute();
    assertThat(empty.getTotalRows(), equalTo(0L));
    assertThat(empty.getRows() == null || empty.getRows().isEmpty(), equalTo(true));
    assertThat(empty.getPageToken(), nullValue());
    assertThat(bq.tables().list(PROJECT, "sparse").execute().getTables(), hasSize(1));
    assertThat(
        bq.datasets().list("no-datasets-here").execute().getDatasets() == null
            || bq.datasets().list("no-datasets-here").execute().getDatasets().isEmpty(),
        equalTo(true));
  }
}
