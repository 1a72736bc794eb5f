package dev.bqjobs.emulator.sql;

import java.util.List;
import java.util.Objects;

/**
 * A table as a statement names it: {@code t}, {@code ds.t} or {@code project.ds.t}. Parts that the
 * statement leaves out are {@code null}; the engine fills them from the job's project and default
 * dataset.
 *
 * @param project the project ID, or {@code null}
 * @param dataset the dataset ID, or {@code null}
 * @param table the table ID
 */
public record TableName(String project, String dataset, String table) {

  public TableName {
    Objects.requireNonNull(table, "table");
    if (project != null && dataset == null) {
      throw new IllegalArgumentException("A table name with a project needs a dataset: " + project);
    }
  }

  /**
   * Builds a name from the parts of an identifier path (a backtick part {@code `a.b`} already split
   * on its dots).
   *
   * @throws SqlTranslationException for paths with more than three parts
   */
  public static TableName of(List<String> parts) {
    return switch (parts.size()) {
      case 1 -> new TableName(null, null, parts.get(0));
      case 2 -> new TableName(null, parts.get(0), parts.get(1));
      case 3 -> new TableName(parts.get(0), parts.get(1), parts.get(2));
      default ->
          throw new SqlTranslationException(
              "Invalid table name: "
                  + String.join(".", parts)
                  + " (expected [[project.]dataset.]table)");
    };
  }

  /** The name as BigQuery writes it, e.g. {@code my-project.ds.t}. */
  @Override
  public String toString() {
    return (project == null ? "" : project + ".") + (dataset == null ? "" : dataset + ".") + table;
  }
}
