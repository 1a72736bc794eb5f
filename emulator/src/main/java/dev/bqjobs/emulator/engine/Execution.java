package dev.bqjobs.emulator.engine;

import com.google.api.services.bigquery.model.ErrorProto;
import com.google.api.services.bigquery.model.JobStatistics2;
import com.google.api.services.bigquery.model.JobStatistics3;
import com.google.api.services.bigquery.model.JobStatistics4;
import com.google.api.services.bigquery.model.JobStatistics5;
import com.google.api.services.bigquery.model.TableReference;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A job's work, done inside an open DuckDB transaction that the job manager commits only when the
 * job reaches DONE (or rolls back when it was cancelled meanwhile), so effects appear atomically.
 * Immutable once built: each job kind's runner builds it whole with {@link #builder}, so the
 * scheduler never sees one half filled.
 */
final class Execution implements AutoCloseable {
  final Connection connection;

  /** statistics.query of a query job, or null. */
  final JobStatistics2 queryStatistics;

  /** statistics.load, .extract or .copy of a load, extract or copy job; null otherwise. */
  final JobStatistics3 loadStatistics;

  final JobStatistics4 extractStatistics;
  final JobStatistics5 copyStatistics;

  /** Where a query's rows are (destination or anonymous table), or null. */
  final TableReference resultTable;

  final long totalBytesProcessed;

  /** Tables whose lastModifiedTime moves on commit. */
  final List<TableReference> writtenTables;

  /** Non-fatal errors for status.errors, e.g. rows a load skipped under maxBadRecords. */
  final List<ErrorProto> warnings;

  private final List<SideEffect> afterCommit;
  private final List<Runnable> cleanups;
  private boolean cleanedUp;

  /** Effects outside DuckDB (files of an extract) that must appear only when the job commits. */
  interface SideEffect {
    void run() throws IOException;
  }

  private Execution(Builder b) {
    this.connection = b.connection;
    this.queryStatistics = b.queryStatistics;
    this.loadStatistics = b.loadStatistics;
    this.extractStatistics = b.extractStatistics;
    this.copyStatistics = b.copyStatistics;
    this.resultTable = b.resultTable;
    this.totalBytesProcessed = b.totalBytesProcessed;
    this.writtenTables = List.copyOf(b.writtenTables);
    this.warnings = List.copyOf(b.warnings);
    this.afterCommit = List.copyOf(b.afterCommit);
    this.cleanups = List.copyOf(b.cleanups);
  }

  /** An execution whose work is in {@code connection}'s open transaction. */
  static Builder builder(Connection connection) {
    return new Builder(connection);
  }

  /** Collects what a runner learns while it works; {@link #build} freezes it. */
  static final class Builder {
    private final Connection connection;
    private JobStatistics2 queryStatistics;
    private JobStatistics3 loadStatistics;
    private JobStatistics4 extractStatistics;
    private JobStatistics5 copyStatistics;
    private TableReference resultTable;
    private long totalBytesProcessed;
    private List<TableReference> writtenTables = List.of();
    private List<ErrorProto> warnings = List.of();
    private final List<SideEffect> afterCommit = new ArrayList<>();
    private final List<Runnable> cleanups = new ArrayList<>();

    private Builder(Connection connection) {
      this.connection = connection;
    }

    Builder query(JobStatistics2 statistics, TableReference resultTable, long bytesProcessed) {
      this.queryStatistics = statistics;
      this.resultTable = resultTable;
      this.totalBytesProcessed = bytesProcessed;
      return this;
    }

    Builder load(JobStatistics3 statistics, List<ErrorProto> warnings) {
      this.loadStatistics = statistics;
      this.warnings = warnings;
      return this;
    }

    Builder extract(JobStatistics4 statistics) {
      this.extractStatistics = statistics;
      return this;
    }

    Builder copy(JobStatistics5 statistics) {
      this.copyStatistics = statistics;
      return this;
    }

    Builder writes(List<TableReference> tables) {
      this.writtenTables = tables;
      return this;
    }

    /** Runs {@code action} right after the transaction commits (e.g. moving staged files). */
    Builder afterCommit(SideEffect action) {
      afterCommit.add(action);
      return this;
    }

    /** Runs {@code cleanup} once when the execution ends, committed or not (e.g. temp files). */
    Builder cleanup(Runnable cleanup) {
      cleanups.add(cleanup);
      return this;
    }

    Execution build() {
      return new Execution(this);
    }
  }

  void commit() throws SQLException {
    connection.commit();
    for (SideEffect action : afterCommit) {
      try {
        action.run();
      } catch (IOException e) {
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
