package dev.bqjobs.emulator.api;

import com.google.api.services.bigquery.model.Dataset;
import com.google.api.services.bigquery.model.DatasetList;
import com.google.api.services.bigquery.model.Table;
import com.google.api.services.bigquery.model.TableDataInsertAllRequest;
import com.google.api.services.bigquery.model.TableDataList;
import com.google.api.services.bigquery.model.TableList;
import dev.bqjobs.emulator.http.HttpCall;
import dev.bqjobs.emulator.http.Reply;
import dev.bqjobs.emulator.http.Router;
import dev.bqjobs.emulator.store.Catalog;
import dev.bqjobs.emulator.store.RowInserter;
import dev.bqjobs.emulator.store.TableReader;
import java.util.ArrayList;
import java.util.List;

/** datasets.*, tables.* and tabledata.* of the BigQuery v2 API. */
public final class ResourcesApi {
  private final Catalog catalog;
  private final TableReader reader;
  private final RowInserter inserter;

  public ResourcesApi(Catalog catalog) {
    this.catalog = catalog;
    this.reader = new TableReader(catalog);
    this.inserter = new RowInserter(catalog);
  }

  public void register(Router router) {
    String datasets = "/projects/{projectId}/datasets";
    String dataset = datasets + "/{datasetId}";
    String tables = dataset + "/tables";
    String table = tables + "/{tableId}";
    router
        .add("GET", datasets, "datasets.list", this::listDatasets)
        .add("POST", datasets, "datasets.insert", this::insertDataset)
        .add("GET", dataset, "datasets.get", this::getDataset)
        .add("DELETE", dataset, "datasets.delete", this::deleteDataset)
        .add("GET", tables, "tables.list", this::listTables)
        .add("POST", tables, "tables.insert", this::insertTable)
        .add("GET", table, "tables.get", this::getTable)
        .add("DELETE", table, "tables.delete", this::deleteTable)
        .add("GET", table + "/data", "tabledata.list", this::listRows)
        .add("POST", table + "/insertAll", "tabledata.insertAll", this::insertRows);
  }

  private Reply insertDataset(HttpCall call) {
    Dataset request = call.json(Dataset.class, "dataset");
    return Reply.ok(catalog.createDataset(call.param("projectId"), request));
  }

  private Reply getDataset(HttpCall call) {
    return Reply.ok(catalog.getDataset(call.param("projectId"), call.param("datasetId")));
  }

  private Reply listDatasets(HttpCall call) {
    String project = call.param("projectId");
    List<Dataset> all = catalog.listDatasets(project, call.queryBoolean("all", false));
    Paging.Page<Dataset> page =
        Paging.byKey(call, all, d -> d.getDatasetReference().getDatasetId(), 50);
    List<DatasetList.Datasets> items = new ArrayList<>();
    for (Dataset d : page.items) {
      items.add(
          new DatasetList.Datasets()
              .setKind("bigquery#dataset")
              .setId(d.getId())
              .setDatasetReference(d.getDatasetReference())
              .setLocation(d.getLocation())
              .setLabels(d.getLabels())
              .setFriendlyName(d.getFriendlyName()));
    }
    DatasetList list = new DatasetList().setKind("bigquery#datasetList").setDatasets(items);
    list.setNextPageToken(page.nextToken);
    list.setEtag(Integer.toHexString(items.hashCode()));
    return Reply.ok(list);
  }

  private Reply deleteDataset(HttpCall call) {
    catalog.deleteDataset(
        call.param("projectId"),
        call.param("datasetId"),
        call.queryBoolean("deleteContents", false));
    return Reply.noContent();
  }

  private Reply insertTable(HttpCall call) {
    Table request = call.json(Table.class, "table");
    if (request.getTableReference() != null) {
      if (request.getTableReference().getDatasetId() != null
          && !request.getTableReference().getDatasetId().equals(call.param("datasetId"))) {
        throw dev.bqjobs.emulator.errors.BigQueryError.invalid(
            "Table dataset "
                + request.getTableReference().getDatasetId()
                + " does not match the dataset "
                + call.param("datasetId")
                + " of the request URL.");
      }
    }
    return Reply.ok(catalog.createTable(call.param("projectId"), call.param("datasetId"), request));
  }

  private Reply getTable(HttpCall call) {
    Table t =
        catalog.getTable(call.param("projectId"), call.param("datasetId"), call.param("tableId"));
    String selected = call.query("selectedFields");
    if (selected != null) {
      t.setSchema(TableReader.selectedSchema(t.getSchema(), selected));
    }
    return Reply.ok(t);
  }

  private Reply listTables(HttpCall call) {
    List<Table> all = catalog.listTables(call.param("projectId"), call.param("datasetId"));
    Paging.Page<Table> page = Paging.byKey(call, all, t -> t.getTableReference().getTableId(), 50);
    List<TableList.Tables> items = new ArrayList<>();
    for (Table t : page.items) {
      items.add(
          new TableList.Tables()
              .setKind("bigquery#table")
              .setId(t.getId())
              .setTableReference(t.getTableReference())
              .setType(t.getType())
              .setCreationTime(t.getCreationTime())
              .setLabels(t.getLabels()));
    }
    TableList list =
        new TableList().setKind("bigquery#tableList").setTables(items).setTotalItems(all.size());
    list.setNextPageToken(page.nextToken);
    list.setEtag(Integer.toHexString(items.hashCode()));
    return Reply.ok(list);
  }

  private Reply deleteTable(HttpCall call) {
    catalog.deleteTable(call.param("projectId"), call.param("datasetId"), call.param("tableId"));
    return Reply.noContent();
  }

  private Reply listRows(HttpCall call) {
    String project = call.param("projectId");
    String dataset = call.param("datasetId");
    String tableId = call.param("tableId");
    Table t = catalog.getTable(project, dataset, tableId);
    long start = Paging.startIndex(call);
    TableReader.Page page =
        reader.read(
            project,
            dataset,
            tableId,
            t.getSchema(),
            start,
            call.queryLong("maxResults", 0),
            call.query("selectedFields"));
    TableDataList list =
        new TableDataList()
            .setKind("bigquery#tableDataList")
            .setRows(page.rows)
            .setTotalRows(page.totalRows);
    if (page.nextIndex >= 0) {
      list.setPageToken(Paging.token(page.nextIndex));
    }
    list.setEtag(Integer.toHexString(page.rows.size() * 31 + (int) start));
    return Reply.ok(list);
  }

  private Reply insertRows(HttpCall call) {
    TableDataInsertAllRequest request = call.json(TableDataInsertAllRequest.class, "request");
    return Reply.ok(
        inserter.insert(
            call.param("projectId"), call.param("datasetId"), call.param("tableId"), request));
  }
}
