package dev.bqjobs.emulator.engine;

import com.google.api.services.bigquery.model.JobStatistics2;
import com.google.api.services.bigquery.model.TableReference;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * A job's work, done inside an open DuckDB transaction that the job manager commits only when the
 * job reaches DONE (or rolls back when it was cancelled meanwhile), so effects appear atomically.
 */
final class Execution implements AutoCloseable {
  final Connection connection;
  final JobStatistics2 queryStatistics;

  /** Where a query's rows are (destination or anonymous table), or null. */
  final TableReference resultTable;

  final long totalBytesProcessed;

  /** Tables whose lastModifiedTime moves on commit. */
  final java.util.List<TableReference> writtenTables;

  Execution(
      Connection connection,
      JobStatistics2 queryStatistics,
      TableReference resultTable,
      long totalBytesProcessed,
      java.util.List<TableReference> writtenTables) {
    this.connection = connection;
    this.queryStatistics = queryStatistics;
    this.resultTable = resultTable;
    this.totalBytesProcessed = totalBytesProcessed;
    this.writtenTables = writtenTables;
  }

  /** statistics.load, .extract or .copy of a load, extract or copy job; null otherwise. */
  com.google.api.services.bigquery.model.JobStatistics3 loadStatistics;

  com.google.api.services.bigquery.model.JobStatistics4 extractStatistics;
  com.google.api.services.bigquery.model.JobStatistics5 copyStatistics;

  /** Non-fatal errors for status.errors, e.g. rows a load skipped under maxBadRecords. */
  java.util.List<com.google.api.services.bigquery.model.ErrorProto> warnings = java.util.List.of();

  /** Effects outside DuckDB (files of an extract) that must appear only when the job commits. */
  interface SideEffect {
    void run() throws java.io.IOException;
  }

  private final java.util.List<SideEffect> afterCommit = new java.util.ArrayList<>();
  private final java.util.List<Runnable> cleanups = new java.util.ArrayList<>();
  private boolean cleanedUp;

  /** Runs {@code action} right after the transaction commits (e.g. moving staged files). */
  void afterCommit(SideEffect action) {
    afterCommit.add(action);
  }

  /** Runs {@code cleanup} once when the execution ends, committed or not (e.g. temp files). */
  void cleanup(Runnable cleanup) {
    cleanups.add(cleanup);
  }

  void commit() throws SQLException {
    connection.commit();
    for (SideEffect action : afterCommit) {
      try {
        action.run();
      } catch (java.io.IOException e) {
        throw new SQLException("IO Error: " + e.getMessage(), e);
      }
    }
  }

  void rollback() {
    try {
      connection.rollback();
    } catch (SQLException ignored) {
      // a failed rollback leaves nothing committed either
    }
  }

  @Override
  public void close() {
    if (!cleanedUp) {
      cleanedUp = true;
      cleanups.forEach(Runnable::run);
    }
    try {
      connection.close();
    } catch (SQLException ignored) {
      // nothing to release beyond the connection itself
    }
  }

  /**
   * Rolls back and closes a job's connection that never became an {@link Execution} (the job failed
   * before its work was handed over); null is ignored.
   */
  static void discard(Connection connection) {
    if (connection == null) {
      return;
    }
    try {
      connection.rollback();
      connection.close();
    } catch (SQLException ignored) {
      // nothing was committed, so nothing is left behind
    }
  }
}
