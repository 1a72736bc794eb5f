package dev.bqjobs.emulator.store;

import com.google.api.client.json.GenericJson;
import com.google.api.services.bigquery.model.Dataset;
import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.Table;
import dev.bqjobs.emulator.wire.JsonCodec;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.duckdb.DuckDBConnection;

/**
 * Keeps what DuckDB's own catalog cannot hold (dataset locations, table metadata, jobs) inside each
 * project's database file, in the hidden schema {@value #SCHEMA}, so a server started again on the
 * same {@code --data-dir} finds everything it had. A job's DONE record can be written in the same
 * transaction as the job's effects, so one is never committed without the other.
 */
public final class MetadataStore {
  public static final String SCHEMA = "_bqjobs_meta";
  private static final Logger LOG = Logger.getLogger(MetadataStore.class.getName());

  /** A job as stored: its resource and the server-side facts about it. */
  public static final class StoredJob {
    public final String project;
    public final Job job;
    public final int executions;
    public final long runtimeMs;
    public final String principal;
    public final long sequence;

    StoredJob(
        String project, Job job, int executions, long runtimeMs, String principal, long sequence) {
      this.project = project;
      this.job = job;
      this.executions = executions;
      this.runtimeMs = runtimeMs;
      this.principal = principal;
      this.sequence = sequence;
    }
  }

  private final DuckDBConnection root;

  MetadataStore(DuckDBConnection root) {
    this.root = root;
  }

  /** Creates the project's metadata tables if they are not there yet. */
  void initProject(String project) throws SQLException {
    String schema = Catalog.quote(project) + "." + SCHEMA;
    try (Connection c = root.duplicate();
        Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
      s.execute(
          "CREATE TABLE IF NOT EXISTS "
              + schema
              + ".datasets (dataset VARCHAR PRIMARY KEY, json VARCHAR NOT NULL)");
      s.execute(
          "CREATE TABLE IF NOT EXISTS "
              + schema
              + ".tables (dataset VARCHAR, tbl VARCHAR, json VARCHAR NOT NULL,"
              + " PRIMARY KEY (dataset, tbl))");
      s.execute(
          "CREATE TABLE IF NOT EXISTS "
              + schema
              + ".jobs (job_id VARCHAR PRIMARY KEY, json VARCHAR NOT NULL, executions INTEGER,"
              + " runtime_ms BIGINT, principal VARCHAR, seq BIGINT)");
    }
  }

  void putDataset(String project, String dataset, Dataset value) {
    write(
        null,
        "INSERT OR REPLACE INTO " + table(project, "datasets") + " VALUES (?, ?)",
        dataset,
        JsonCodec.write(value));
  }

  void removeDataset(String project, String dataset) {
    write(null, "DELETE FROM " + table(project, "datasets") + " WHERE dataset = ?", dataset);
    write(null, "DELETE FROM " + table(project, "tables") + " WHERE dataset = ?", dataset);
  }

  void putTable(String project, String dataset, String tableId, Table value) {
    write(
        null,
        "INSERT OR REPLACE INTO " + table(project, "tables") + " VALUES (?, ?, ?)",
        dataset,
        tableId,
        JsonCodec.write(value));
  }

  void removeTable(String project, String dataset, String tableId) {
    write(
        null,
        "DELETE FROM " + table(project, "tables") + " WHERE dataset = ? AND tbl = ?",
        dataset,
        tableId);
  }

  Map<String, Dataset> loadDatasets(String project) throws SQLException {
    Map<String, Dataset> out = new LinkedHashMap<>();
    for (String[] row : read("SELECT dataset, json FROM " + table(project, "datasets"), 2)) {
      out.put(row[0], parse(row[1], Dataset.class));
    }
    return out;
  }

  Map<String, Table> loadTables(String project) throws SQLException {
    Map<String, Table> out = new LinkedHashMap<>();
    for (String[] row :
        read("SELECT dataset || '.' || tbl, json FROM " + table(project, "tables"), 2)) {
      out.put(row[0], parse(row[1], Table.class));
    }
    return out;
  }

  /**
   * Writes a job's record. With {@code transaction} the write joins that open transaction (so it
   * commits with the job's effects) and a failure is thrown; without, it is written on its own.
   */
  public void putJob(
      Connection transaction,
      String project,
      Job job,
      int executions,
      long runtimeMs,
      String principal,
      long sequence)
      throws SQLException {
    String sql = "INSERT OR REPLACE INTO " + table(project, "jobs") + " VALUES (?, ?, ?, ?, ?, ?)";
    if (transaction != null) {
      try (PreparedStatement ps = transaction.prepareStatement(sql)) {
        bindJob(ps, job, executions, runtimeMs, principal, sequence);
        ps.executeUpdate();
      }
      return;
    }
    try (Connection c = root.duplicate();
        PreparedStatement ps = c.prepareStatement(sql)) {
      bindJob(ps, job, executions, runtimeMs, principal, sequence);
      ps.executeUpdate();
    }
  }

  private static void bindJob(
      PreparedStatement ps,
      Job job,
      int executions,
      long runtimeMs,
      String principal,
      long sequence)
      throws SQLException {
    ps.setString(1, job.getJobReference().getJobId());
    ps.setString(2, JsonCodec.write(job));
    ps.setInt(3, executions);
    ps.setLong(4, runtimeMs);
    ps.setString(5, principal);
    ps.setLong(6, sequence);
  }

  public void removeJob(String project, String jobId) {
    write(null, "DELETE FROM " + table(project, "jobs") + " WHERE job_id = ?", jobId);
  }

  /** Every stored job of a project, in insertion order. */
  public List<StoredJob> loadJobs(String project) throws SQLException {
    List<StoredJob> out = new ArrayList<>();
    try (Connection c = root.duplicate();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT json, executions, runtime_ms, principal, seq FROM "
                    + table(project, "jobs")
                    + " ORDER BY seq")) {
      while (rs.next()) {
        out.add(
            new StoredJob(
                project,
                parse(rs.getString(1), Job.class),
                rs.getInt(2),
                rs.getLong(3),
                rs.getString(4),
                rs.getLong(5)));
      }
    }
    return out;
  }

  private static String table(String project, String name) {
    return Catalog.quote(project) + "." + SCHEMA + "." + name;
  }

  private void write(Connection transaction, String sql, String... args) {
    try (Connection c = root.duplicate();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setString(i + 1, args[i]);
      }
      ps.executeUpdate();
    } catch (SQLException e) {
      // The data itself is safe in DuckDB; losing side metadata must not fail the request.
      LOG.log(Level.WARNING, "cannot persist metadata: " + sql, e);
    }
  }

  private List<String[]> read(String sql, int columns) throws SQLException {
    List<String[]> out = new ArrayList<>();
    try (Connection c = root.duplicate();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        String[] row = new String[columns];
        for (int i = 0; i < columns; i++) {
          row[i] = rs.getString(i + 1);
        }
        out.add(row);
      }
    }
    return out;
  }

  private static <T extends GenericJson> T parse(String json, Class<T> type) throws SQLException {
    try {
      return JsonCodec.factory().fromString(json, type);
    } catch (IOException e) {
      throw new SQLException("stored metadata is not valid JSON: " + e.getMessage(), e);
    }
  }
}
