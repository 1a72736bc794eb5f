package dev.bqjobs.emulator.engine;

import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.api.services.bigquery.model.TableReference;
import dev.bqjobs.emulator.engine.Errors.JobFailure;
import dev.bqjobs.emulator.sql.DuckDbTypes;
import dev.bqjobs.emulator.store.Catalog;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Create and write dispositions of load and copy jobs, applied inside the job's transaction: the
 * checks BigQuery makes before writing, then the table made ready (created, emptied or kept).
 */
final class TableWrites {
  private TableWrites() {}

  static String createDisposition(String value) throws JobFailure {
    String v = value == null ? "CREATE_IF_NEEDED" : value.toUpperCase(Locale.ROOT);
    if (!v.equals("CREATE_IF_NEEDED") && !v.equals("CREATE_NEVER")) {
      throw new JobFailure("invalid", "Invalid createDisposition: \"" + value + "\"");
    }
    return v;
  }

  static String writeDisposition(String value, String defaultValue) throws JobFailure {
    String v = value == null ? defaultValue : value.toUpperCase(Locale.ROOT);
    if (!v.equals("WRITE_APPEND") && !v.equals("WRITE_TRUNCATE") && !v.equals("WRITE_EMPTY")) {
      throw new JobFailure("invalid", "Invalid writeDisposition: \"" + value + "\"");
    }
    return v;
  }

  /**
   * Checks the dispositions against the table as it is now; returns whether it exists. CREATE_NEVER
   * on a missing table is notFound, WRITE_EMPTY on a table with rows is duplicate.
   */
  static boolean check(Catalog catalog, TableReference t, String create, String write)
      throws JobFailure {
    boolean exists = catalog.tableExists(t.getProjectId(), t.getDatasetId(), t.getTableId());
    if (!exists && create.equals("CREATE_NEVER")) {
      throw new JobFailure("notFound", "Not found: Table " + DatasetChecks.fullName(t));
    }
    if (exists
        && write.equals("WRITE_EMPTY")
        && catalog.rowCount(t.getProjectId(), t.getDatasetId(), t.getTableId()) > 0) {
      throw new JobFailure("duplicate", "Already Exists: Table " + DatasetChecks.fullName(t));
    }
    return exists;
  }

  /**
   * Makes the table ready for new rows: created with {@code fields} when missing, replaced (rows
   * and schema) under WRITE_TRUNCATE, kept otherwise.
   */
  static void prepare(
      Connection c, TableReference t, boolean exists, String write, List<TableFieldSchema> fields)
      throws SQLException, JobFailure {
    String qualified = Catalog.qualified(t.getProjectId(), t.getDatasetId(), t.getTableId());
    try (Statement s = c.createStatement()) {
      if (exists && write.equals("WRITE_TRUNCATE")) {
        s.execute("DROP TABLE " + qualified);
        exists = false;
      }
      if (!exists) {
        s.execute(createTable(qualified, fields));
      }
    }
  }

  static String createTable(String qualified, List<TableFieldSchema> fields) throws JobFailure {
    if (fields == null || fields.isEmpty()) {
      throw new JobFailure("invalid", "No schema specified on job or table.");
    }
    StringBuilder ddl = new StringBuilder("CREATE TABLE ").append(qualified).append(" (");
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < fields.size(); i++) {
      TableFieldSchema f = fields.get(i);
      if (f.getName() == null || !seen.add(f.getName().toLowerCase(Locale.ROOT))) {
        throw new JobFailure(
            "invalid",
            "Field " + f.getName() + " is missing a name or appears twice in the schema.");
      }
      String type = duckDbTypeOf(f);
      ddl.append(i == 0 ? "" : ", ").append(Catalog.quote(f.getName())).append(' ').append(type);
      if ("REQUIRED".equalsIgnoreCase(f.getMode())) {
        ddl.append(" NOT NULL");
      }
    }
    return ddl.append(')').toString();
  }

  /** The DuckDB column type of a field; a type the engine does not serve fails the job. */
  static String duckDbTypeOf(TableFieldSchema f) throws JobFailure {
    try {
      return DuckDbTypes.duckDbTypeOf(f);
    } catch (IllegalArgumentException e) {
      throw new JobFailure("invalid", e.getMessage());
    }
  }

  /** BigQuery's rough size of rows, as the catalog reports numBytes. */
  static long estimateBytes(long rows, int fields) {
    return rows * Math.max(1, fields) * 8L;
  }
}
