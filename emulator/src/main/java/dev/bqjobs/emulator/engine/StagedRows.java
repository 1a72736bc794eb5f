package dev.bqjobs.emulator.engine;

import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.bqjobs.emulator.sql.DuckDbTypes;
import dev.bqjobs.emulator.store.Catalog;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * Rows of a load, already converted to canonical text in Java, bulk-appended to a connection-local
 * staging table of VARCHAR columns and moved into the destination with one {@code INSERT ... SELECT
 * CAST(...)}: DuckDB's appender is fast for text, and the casts cannot fail because every value was
 * checked on the way in.
 */
final class StagedRows implements AutoCloseable {
  private final Connection connection;
  private final List<TableFieldSchema> fields;
  private final String name;
  private DuckDBAppender appender;
  private long rows;

  StagedRows(Connection connection, List<TableFieldSchema> fields, String name)
      throws SQLException {
    this.connection = connection;
    this.fields = fields;
    this.name = name;
    List<String> columns = new ArrayList<>();
    for (int i = 0; i < fields.size(); i++) {
      columns.add("c" + i + " VARCHAR");
    }
    try (Statement s = connection.createStatement()) {
      s.execute(
          "CREATE OR REPLACE TEMP TABLE "
              + Catalog.quote(name)
              + " ("
              + String.join(", ", columns)
              + ")");
    }
    this.appender = connection.unwrap(DuckDBConnection.class).createAppender("temp", "main", name);
  }

  /**
   * A converted record's values in schema order, as {@link #append} takes them: scalars as their
   * text, nested and repeated values as JSON, absent and null as null.
   */
  static String[] valuesOf(JsonObject converted, List<TableFieldSchema> fields) {
    String[] values = new String[fields.size()];
    for (int i = 0; i < values.length; i++) {
      JsonElement v = converted.get(fields.get(i).getName());
      values[i] =
          v == null || v.isJsonNull() ? null : v.isJsonPrimitive() ? v.getAsString() : v.toString();
    }
    return values;
  }

  /** Appends one row; {@code values[i]} is the canonical text of field i, or null. */
  void append(String[] values) throws SQLException {
    appender.beginRow();
    for (String v : values) {
      if (v == null) {
        appender.appendNull();
      } else {
        appender.append(v);
      }
    }
    appender.endRow();
    rows++;
  }

  long rows() {
    return rows;
  }

  /** Moves the staged rows into {@code qualifiedTarget}, matching columns by name. */
  long insertInto(String qualifiedTarget) throws SQLException {
    appender.close();
    List<String> names = new ArrayList<>();
    List<String> values = new ArrayList<>();
    for (int i = 0; i < fields.size(); i++) {
      TableFieldSchema f = fields.get(i);
      names.add(Catalog.quote(f.getName()));
      values.add(castOf("c" + i, f));
    }
    try (Statement s = connection.createStatement()) {
      return s.executeUpdate(
          "INSERT INTO "
              + qualifiedTarget
              + " ("
              + String.join(", ", names)
              + ") SELECT "
              + String.join(", ", values)
              + " FROM temp.main."
              + Catalog.quote(name));
    }
  }

  private static String castOf(String column, TableFieldSchema f) {
    String type = f.getType() == null ? "" : f.getType().toUpperCase(Locale.ROOT);
    String duck = DuckDbTypes.duckDbTypeOf(f);
    boolean nested =
        "REPEATED".equalsIgnoreCase(f.getMode()) || type.equals("RECORD") || type.equals("STRUCT");
    if (nested) {
      return "CAST(CAST(" + column + " AS JSON) AS " + duck + ")";
    }
    if (type.equals("BYTES")) {
      return "from_base64(" + column + ")";
    }
    return "CAST(" + column + " AS " + duck + ")";
  }

  @Override
  public void close() {
    try {
      if (!appender.isClosed()) {
        appender.close();
      }
    } catch (SQLException ignored) {
      // the staging table goes with the connection anyway
    }
    try (Statement s = connection.createStatement()) {
      s.execute("DROP TABLE IF EXISTS temp.main." + Catalog.quote(name));
    } catch (SQLException ignored) {
      // a failed transaction is rolled back, and the temp table with it
    }
  }
}
