package dev.bqjobs.emulator.sql;

import java.util.Objects;

/**
 * A dataset as a {@code CREATE SCHEMA} or {@code DROP SCHEMA} statement names it.
 *
 * @param project the project ID, or {@code null} for the job's project
 * @param dataset the dataset ID
 */
public record DatasetName(String project, String dataset) {
  public DatasetName {
    Objects.requireNonNull(dataset, "dataset");
  }

  @Override
  public String toString() {
    return (project == null ? "" : project + ".") + dataset;
  }
}
