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

  void commit() throws SQLException {
    connection.commit();
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
    try {
      connection.close();
    } catch (SQLException ignored) {
      // nothing to release beyond the connection itself
    }
  }
}
