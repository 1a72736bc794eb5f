package dev.bqjobs.emulator.store;

import com.google.api.services.bigquery.model.ErrorProto;
import com.google.api.services.bigquery.model.TableDataInsertAllRequest;
import com.google.api.services.bigquery.model.TableDataInsertAllResponse;
import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.api.services.bigquery.model.TableSchema;
import dev.bqjobs.emulator.errors.BigQueryError;
import dev.bqjobs.emulator.sql.DuckDbTypes;
import dev.bqjobs.emulator.wire.JsonCodec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * tabledata.insertAll: converts each JSON row to the table's types and inserts the batch in one
 * transaction. As in BigQuery, without {@code skipInvalidRows} one bad row stops the whole batch
 * (the bad rows report {@code invalid}, the others {@code stopped}); with it, good rows land.
 */
public final class RowInserter {
  private final Catalog catalog;

  public RowInserter(Catalog catalog) {
    this.catalog = catalog;
  }

  public TableDataInsertAllResponse insert(
      String project, String dataset, String table, TableDataInsertAllRequest request) {
    TableSchema schema = catalog.getTable(project, dataset, table).getSchema();
    List<TableDataInsertAllRequest.Rows> rows =
        request.getRows() == null ? List.of() : request.getRows();
    if (rows.isEmpty()) {
      throw BigQueryError.invalid("No rows present in the request.");
    }
    boolean skipInvalid = Boolean.TRUE.equals(request.getSkipInvalidRows());
    boolean ignoreUnknown = Boolean.TRUE.equals(request.getIgnoreUnknownValues());
    Map<String, TableFieldSchema> byName = new LinkedHashMap<>();
    for (TableFieldSchema f : schema.getFields()) {
      byName.put(f.getName().toLowerCase(Locale.ROOT), f);
    }
    List<TableDataInsertAllResponse.InsertErrors> errors = new ArrayList<>();
    List<Integer> failed = new ArrayList<>();
    List<PreparedRow> good = new ArrayList<>();
    try (Connection c = catalog.connect(project, null)) {
      // Phase 1 converts every row on its own (a failed statement would abort a transaction).
      for (int i = 0; i < rows.size(); i++) {
        Map<String, Object> json = rows.get(i).getJson();
        String problem = validate(json, byName, ignoreUnknown);
        PreparedRow row = null;
        if (problem == null) {
          row = PreparedRow.of(json, byName);
          try {
            row.probe(c);
          } catch (SQLException e) {
            problem = Catalog.firstLine(e.getMessage());
          }
        }
        if (problem != null) {
          failed.add(i);
          errors.add(error(i, "invalid", problem));
        } else {
          good.add(row);
        }
      }
      if (!failed.isEmpty() && !skipInvalid) {
        for (int i = 0; i < rows.size(); i++) {
          if (!failed.contains(i)) {
            errors.add(error(i, "stopped", ""));
          }
        }
        errors.sort(
            java.util.Comparator.comparing(TableDataInsertAllResponse.InsertErrors::getIndex));
      } else if (!good.isEmpty()) {
        // Phase 2 inserts the converted rows atomically.
        c.setAutoCommit(false);
        String target = Catalog.qualified(project, dataset, table);
        for (PreparedRow row : good) {
          row.insert(c, target);
        }
        c.commit();
        catalog.touch(project, dataset, table);
      }
    } catch (SQLException e) {
      throw BigQueryError.backendError("Storage error: " + Catalog.firstLine(e.getMessage()));
    }
    TableDataInsertAllResponse response =
        new TableDataInsertAllResponse().setKind("bigquery#tableDataInsertAllResponse");
    if (!errors.isEmpty()) {
      response.setInsertErrors(errors);
    }
    return response;
  }

  private static String validate(
      Map<String, Object> json, Map<String, TableFieldSchema> byName, boolean ignoreUnknown) {
    if (json == null) {
      return "Row has no json object.";
    }
    for (String key : json.keySet()) {
      if (!byName.containsKey(key.toLowerCase(Locale.ROOT)) && !ignoreUnknown) {
        return "no such field: " + key + ".";
      }
    }
    for (TableFieldSchema f : byName.values()) {
      if ("REQUIRED".equals(f.getMode()) && lookup(json, f.getName()) == null) {
        return "Missing required field: " + f.getName() + ".";
      }
    }
    return null;
  }

  private static Object lookup(Map<String, Object> json, String name) {
    for (Map.Entry<String, Object> e : json.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name)) {
        return e.getValue();
      }
    }
    return null;
  }

  private static TableDataInsertAllResponse.InsertErrors error(
      int index, String reason, String message) {
    return new TableDataInsertAllResponse.InsertErrors()
        .setIndex((long) index)
        .setErrors(List.of(new ErrorProto().setReason(reason).setMessage(message)));
  }

  /** One row as SQL value expressions over string parameters, cast to the column types. */
  private static final class PreparedRow {
    final List<String> columns = new ArrayList<>();
    final List<String> values = new ArrayList<>();
    final List<String> params = new ArrayList<>();

    static PreparedRow of(Map<String, Object> json, Map<String, TableFieldSchema> byName) {
      PreparedRow row = new PreparedRow();
      for (Map.Entry<String, Object> e : json.entrySet()) {
        TableFieldSchema f = byName.get(e.getKey().toLowerCase(Locale.ROOT));
        if (f == null || e.getValue() == null) {
          continue;
        }
        String type = DuckDbTypes.duckDbTypeOf(f);
        row.columns.add(Catalog.quote(f.getName()));
        Object v = e.getValue();
        String bqType = f.getType() == null ? "" : f.getType().toUpperCase(Locale.ROOT);
        if (v instanceof Map || v instanceof List) {
          row.values.add("CAST(CAST(? AS JSON) AS " + type + ")");
          row.params.add(JsonCodec.write(v));
        } else if (bqType.equals("TIMESTAMP") && v instanceof Number) {
          row.values.add("to_timestamp(CAST(? AS DOUBLE))");
          row.params.add(v.toString());
        } else if (bqType.equals("BYTES")) {
          row.values.add("from_base64(?)");
          row.params.add(v.toString());
        } else {
          row.values.add("CAST(? AS " + type + ")");
          row.params.add(v.toString());
        }
      }
      return row;
    }

    void probe(Connection c) throws SQLException {
      if (values.isEmpty()) {
        return;
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT " + String.join(", ", values))) {
        bind(ps);
        ps.executeQuery().close();
      }
    }

    void insert(Connection c, String target) throws SQLException {
      String sql =
          columns.isEmpty()
              ? "INSERT INTO " + target + " DEFAULT VALUES"
              : "INSERT INTO "
                  + target
                  + " ("
                  + String.join(", ", columns)
                  + ") VALUES ("
                  + String.join(", ", values)
                  + ")";
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        bind(ps);
        ps.executeUpdate();
      }
    }

    private void bind(PreparedStatement ps) throws SQLException {
      for (int i = 0; i < params.size(); i++) {
        ps.setString(i + 1, params.get(i));
      }
    }
  }
}
