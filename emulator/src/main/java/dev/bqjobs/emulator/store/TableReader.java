package dev.bqjobs.emulator.store;

import com.google.api.client.util.Data;
import com.google.api.services.bigquery.model.TableCell;
import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.api.services.bigquery.model.TableRow;
import com.google.api.services.bigquery.model.TableSchema;
import dev.bqjobs.emulator.errors.BigQueryError;
import dev.bqjobs.emulator.sql.DuckDbTypes;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a page of a table's rows in BigQuery's {@code {"f": [{"v": ...}]}} form, in insertion order
 * (DuckDB's rowid), so paging by index is stable.
 */
public final class TableReader {
  /** Most rows one page reads, whatever the client asks for. */
  public static final int MAX_PAGE_ROWS = 100_000;

  /**
   * A page ends before its rows pass this many bytes of JSON, with or without {@code maxResults}:
   * BigQuery's response-size limit of about 10 MB. So a client that pages without a maximum gets
   * every row of a small table in one page and a large one in pages of about 10 MB, never all.
   */
  public static final long MAX_PAGE_BYTES = 10L * 1024 * 1024;

  /** One page: its rows, and the index of the next row (or -1 when this was the last page). */
  public static final class Page {
    public final List<TableRow> rows;
    public final long nextIndex;
    public final long totalRows;

    Page(List<TableRow> rows, long nextIndex, long totalRows) {
      this.rows = rows;
      this.nextIndex = nextIndex;
      this.totalRows = totalRows;
    }
  }

  private final Catalog catalog;

  public TableReader(Catalog catalog) {
    this.catalog = catalog;
  }

  /**
   * Reads rows {@code [start, start + maxResults)} of a table (at most {@link #MAX_PAGE_ROWS}, and
   * fewer when they would pass {@link #MAX_PAGE_BYTES}), restricted to {@code selectedFields}
   * (comma-separated top-level names) when given; {@code maxResults <= 0} means no maximum.
   */
  public Page read(
      String project,
      String dataset,
      String table,
      TableSchema schema,
      long start,
      long maxResults,
      String selectedFields) {
    long total = catalog.rowCount(project, dataset, table);
    long limit = maxResults <= 0 ? MAX_PAGE_ROWS : Math.min(maxResults, MAX_PAGE_ROWS);
    List<TableFieldSchema> fields = select(schema, selectedFields);
    StringBuilder columns = new StringBuilder();
    for (TableFieldSchema f : fields) {
      if (columns.length() > 0) {
        columns.append(", ");
      }
      columns.append(Catalog.quote(f.getName()));
    }
    if (fields.isEmpty()) {
      return new Page(List.of(), -1, total);
    }
    String sql =
        "SELECT "
            + columns
            + " FROM "
            + Catalog.qualified(project, dataset, table)
            + " ORDER BY rowid LIMIT "
            + limit
            + " OFFSET "
            + start;
    List<TableRow> rows = new ArrayList<>();
    long bytes = 0;
    try (Connection c = catalog.connect(project, null);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        List<TableCell> cells = new ArrayList<>(fields.size());
        long rowBytes = 8; // {"f":[]},
        for (int i = 0; i < fields.size(); i++) {
          Object value = cell(rs.getObject(i + 1), fields.get(i));
          rowBytes += 9 + jsonSize(value); // {"v":...},
          cells.add(new TableCell().setV(value));
        }
        bytes += rowBytes;
        if (bytes > MAX_PAGE_BYTES && !rows.isEmpty()) {
          break; // the next page starts with this row
        }
        rows.add(new TableRow().setF(cells));
      }
    } catch (SQLException e) {
      throw BigQueryError.backendError("Storage error: " + Catalog.firstLine(e.getMessage()));
    }
    long next = start + rows.size();
    return new Page(rows, next < total ? next : -1, total);
  }

  /**
   * A cell's value; SQL NULL becomes an explicit JSON null ({@code {"v": null}} as BigQuery sends),
   * which google-http-client writes only for its {@link Data#NULL_STRING} marker.
   */
  private static Object cell(Object jdbcValue, TableFieldSchema field) {
    Object value = DuckDbTypes.toCellValue(jdbcValue, field);
    return value == null ? Data.NULL_STRING : value;
  }

  /**
   * About how many bytes a cell value takes in the response's JSON (strings counted unescaped):
   * enough to keep a page near {@link #MAX_PAGE_BYTES} without writing it twice.
   */
  static long jsonSize(Object value) {
    if (value instanceof CharSequence) {
      return ((CharSequence) value).length() + 2;
    }
    if (value instanceof java.util.Map) {
      long size = 2;
      for (java.util.Map.Entry<?, ?> e : ((java.util.Map<?, ?>) value).entrySet()) {
        size += String.valueOf(e.getKey()).length() + 4 + jsonSize(e.getValue());
      }
      return size;
    }
    if (value instanceof Iterable) {
      long size = 2;
      for (Object item : (Iterable<?>) value) {
        size += 1 + jsonSize(item);
      }
      return size;
    }
    return value == null ? 4 : String.valueOf(value).length();
  }

  /** The schema restricted to the selected top-level fields, in schema order. */
  public static List<TableFieldSchema> select(TableSchema schema, String selectedFields) {
    List<TableFieldSchema> all = schema.getFields() == null ? List.of() : schema.getFields();
    if (selectedFields == null || selectedFields.isBlank()) {
      return all;
    }
    List<String> wanted = new ArrayList<>();
    for (String name : selectedFields.split(",")) {
      String top = name.trim();
      int dot = top.indexOf('.');
      wanted.add((dot < 0 ? top : top.substring(0, dot)).toLowerCase(java.util.Locale.ROOT));
    }
    List<TableFieldSchema> out = new ArrayList<>();
    for (TableFieldSchema f : all) {
      if (wanted.contains(f.getName().toLowerCase(java.util.Locale.ROOT))) {
        out.add(f);
      }
    }
    return out;
  }

  /** The schema of {@code select}ed fields. */
  public static TableSchema selectedSchema(TableSchema schema, String selectedFields) {
    return new TableSchema().setFields(select(schema, selectedFields));
  }
}
