package dev.bqjobs.pipelines;

import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.TableReference;
import java.util.ArrayList;
import java.util.List;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The tables a job configuration names structurally: written ({@code destinationTable} of a load,
 * copy or query) and read ({@code sourceTable}/{@code sourceTables} of a copy or extract). SQL text
 * is not parsed, so the tables a query reads are not known.
 */
final class TableRefs {
  private TableRefs() {}

  /** {@code project:dataset.table} of each table the job writes. */
  static List<String> writes(JobConfiguration c, String project) {
    List<String> out = new ArrayList<>();
    if (c.getLoad() != null) {
      add(out, c.getLoad().getDestinationTable(), project);
    }
    if (c.getCopy() != null) {
      add(out, c.getCopy().getDestinationTable(), project);
    }
    if (c.getQuery() != null) {
      add(out, c.getQuery().getDestinationTable(), project);
    }
    return out;
  }

  /** {@code project:dataset.table} of each table the job reads, as far as the structure says. */
  static List<String> reads(JobConfiguration c, String project) {
    List<String> out = new ArrayList<>();
    if (c.getCopy() != null) {
      add(out, c.getCopy().getSourceTable(), project);
      if (c.getCopy().getSourceTables() != null) {
        c.getCopy().getSourceTables().forEach(t -> add(out, t, project));
      }
    }
    if (c.getExtract() != null) {
      add(out, c.getExtract().getSourceTable(), project);
    }
    return out;
  }

  /** {@code project:dataset} of every dataset the job names (tables and default dataset). */
  static List<String> datasets(JobConfiguration c, String project) {
    List<String> out = new ArrayList<>();
    for (String table : writes(c, project)) {
      out.add(table.substring(0, table.lastIndexOf('.')));
    }
    for (String table : reads(c, project)) {
      out.add(table.substring(0, table.lastIndexOf('.')));
    }
    if (c.getQuery() != null && c.getQuery().getDefaultDataset() != null) {
      String dataset = c.getQuery().getDefaultDataset().getDatasetId();
      String p = c.getQuery().getDefaultDataset().getProjectId();
      if (dataset != null) {
        out.add((p != null ? p : project) + ":" + dataset);
      }
    }
    return out;
  }

  private static void add(List<String> out, @Nullable TableReference t, String project) {
    if (t != null && t.getDatasetId() != null && t.getTableId() != null) {
      out.add(
          (t.getProjectId() != null ? t.getProjectId() : project)
              + ":"
              + t.getDatasetId()
              + "."
              + t.getTableId());
    }
  }
}
