package dev.bqjobs.emulator.engine;

import com.google.api.services.bigquery.model.JobConfigurationTableCopy;
import com.google.api.services.bigquery.model.JobStatistics5;
import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.api.services.bigquery.model.TableReference;
import dev.bqjobs.emulator.engine.Errors.JobFailure;
import dev.bqjobs.emulator.errors.BigQueryError;
import dev.bqjobs.emulator.store.Catalog;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs copy jobs: one or more source tables with the same schema into a destination, with
 * BigQuery's dispositions (WRITE_EMPTY by default), inside the job's transaction.
 */
final class CopyRunner {
  private final Catalog catalog;
  private final DatasetChecks checks;

  CopyRunner(Catalog catalog, DatasetChecks checks) {
    this.catalog = catalog;
    this.checks = checks;
  }

  static void validateAtInsert(JobConfigurationTableCopy copy) {
    if (copy.getDestinationTable() == null) {
      throw BigQueryError.required("Required parameter is missing: destinationTable");
    }
    boolean single = copy.getSourceTable() != null;
    boolean many = copy.getSourceTables() != null && !copy.getSourceTables().isEmpty();
    if (!single && !many) {
      throw BigQueryError.required("Required parameter is missing: sourceTable or sourceTables");
    }
    String op = copy.getOperationType();
    if (op != null && !op.equalsIgnoreCase("COPY")) {
      throw BigQueryError.invalid(
          "Unsupported operationType \"" + op + "\": the local server copies tables (COPY) only.");
    }
  }

  Execution run(JobRecord record, JobConfigurationTableCopy copy) throws JobFailure {
    List<TableReference> sources = new ArrayList<>();
    if (copy.getSourceTable() != null) {
      sources.add(DatasetChecks.resolve(copy.getSourceTable(), record.project));
    }
    if (copy.getSourceTables() != null) {
      for (TableReference t : copy.getSourceTables()) {
        sources.add(DatasetChecks.resolve(t, record.project));
      }
    }
    TableReference dest = DatasetChecks.resolve(copy.getDestinationTable(), record.project);
    for (TableReference s : sources) {
      checks.requireTable(s, record.location);
      checks.requireRead(record, s);
    }
    checks.requireWritableDestination(record, dest);
    String create = TableWrites.createDisposition(copy.getCreateDisposition());
    String write = TableWrites.writeDisposition(copy.getWriteDisposition(), "WRITE_EMPTY");

    List<TableFieldSchema> fields = fieldsOf(sources.get(0));
    for (TableReference s : sources.subList(1, sources.size())) {
      requireSameSchema(fields, fieldsOf(s), sources.get(0), s);
    }
    boolean exists = TableWrites.check(catalog, dest, create, write);
    if (exists && write.equals("WRITE_APPEND")) {
      requireSameSchema(fieldsOf(dest), fields, dest, sources.get(0));
    }
    boolean selfCopy = sources.stream().anyMatch(s -> sameTable(s, dest));

    Connection c = null;
    try {
      c = catalog.connect(dest.getProjectId(), null);
      c.setAutoCommit(false);
      String select = unionOf(sources, fields);
      try (Statement s = c.createStatement()) {
        if (selfCopy) {
          // the destination is also read: keep its rows before it is emptied or replaced
          s.execute("CREATE OR REPLACE TEMP TABLE bqjobs_copy AS " + select);
          select = "SELECT * FROM temp.main.bqjobs_copy";
        }
        TableWrites.prepare(c, dest, exists, write, fields);
        long rows =
            s.executeUpdate(
                "INSERT INTO "
                    + Catalog.qualified(dest.getProjectId(), dest.getDatasetId(), dest.getTableId())
                    + " ("
                    + columns(fields)
                    + ") "
                    + select);
        if (selfCopy) {
          s.execute("DROP TABLE temp.main.bqjobs_copy");
        }
        Execution e =
            Execution.builder(c)
                .writes(List.of(dest))
                .copy(
                    new JobStatistics5()
                        .setCopiedRows(rows)
                        .setCopiedLogicalBytes(TableWrites.estimateBytes(rows, fields.size())))
                .build();
        c = null;
        return e;
      }
    } catch (SQLException e) {
      throw new JobFailure(
          "invalid",
          "Error while copying to "
              + DatasetChecks.fullName(dest)
              + ": "
              + Catalog.firstLine(e.getMessage()));
    } finally {
      Execution.discard(c);
    }
  }

  private List<TableFieldSchema> fieldsOf(TableReference t) {
    return catalog.schemaOf(t.getProjectId(), t.getDatasetId(), t.getTableId()).getFields();
  }

  private static boolean sameTable(TableReference a, TableReference b) {
    return DatasetChecks.fullName(a).equals(DatasetChecks.fullName(b));
  }

  private static String columns(List<TableFieldSchema> fields) {
    List<String> names = new ArrayList<>();
    for (TableFieldSchema f : fields) {
      names.add(Catalog.quote(f.getName()));
    }
    return String.join(", ", names);
  }

  private static String unionOf(List<TableReference> sources, List<TableFieldSchema> fields) {
    List<String> selects = new ArrayList<>();
    for (TableReference t : sources) {
      selects.add(
          "SELECT "
              + columns(fields)
              + " FROM "
              + Catalog.qualified(t.getProjectId(), t.getDatasetId(), t.getTableId()));
    }
    return String.join(" UNION ALL ", selects);
  }

  /** Same field names (any case), types and repetition, in the same order. */
  private static void requireSameSchema(
      List<TableFieldSchema> expected,
      List<TableFieldSchema> actual,
      TableReference expectedTable,
      TableReference actualTable)
      throws JobFailure {
    String difference = null;
    if (expected.size() != actual.size()) {
      difference = expected.size() + " fields against " + actual.size();
    } else {
      for (int i = 0; i < expected.size() && difference == null; i++) {
        TableFieldSchema a = expected.get(i);
        TableFieldSchema b = actual.get(i);
        if (!a.getName().equalsIgnoreCase(b.getName()) || !describe(a).equals(describe(b))) {
          difference =
              "field "
                  + a.getName()
                  + " "
                  + describe(a)
                  + " against "
                  + b.getName()
                  + " "
                  + describe(b);
        }
      }
    }
    if (difference != null) {
      throw new JobFailure(
          "invalid",
          "Provided Schema does not match Table "
              + DatasetChecks.fullName(expectedTable)
              + ": the schema of "
              + DatasetChecks.fullName(actualTable)
              + " differs ("
              + difference
              + ").");
    }
  }

  private static String describe(TableFieldSchema f) {
    String mode = "REPEATED".equalsIgnoreCase(f.getMode()) ? " REPEATED" : "";
    String type = f.getType() == null ? "" : f.getType().toUpperCase(Locale.ROOT);
    StringBuilder out = new StringBuilder(type).append(mode);
    if (f.getFields() != null) {
      out.append('<');
      for (TableFieldSchema sub : f.getFields()) {
        out.append(sub.getName().toLowerCase(Locale.ROOT))
            .append(' ')
            .append(describe(sub))
            .append(',');
      }
      out.append('>');
    }
    return out.toString();
  }
}
