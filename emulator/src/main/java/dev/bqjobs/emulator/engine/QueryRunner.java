package dev.bqjobs.emulator.engine;

import com.google.api.services.bigquery.model.DatasetReference;
import com.google.api.services.bigquery.model.JobConfigurationQuery;
import com.google.api.services.bigquery.model.JobStatistics2;
import com.google.api.services.bigquery.model.TableReference;
import com.google.api.services.bigquery.model.TableSchema;
import dev.bqjobs.emulator.engine.Errors.JobFailure;
import dev.bqjobs.emulator.errors.BigQueryError;
import dev.bqjobs.emulator.errors.ErrorKind;
import dev.bqjobs.emulator.sql.BigQuerySql;
import dev.bqjobs.emulator.sql.SqlTranslationException;
import dev.bqjobs.emulator.sql.StatementType;
import dev.bqjobs.emulator.sql.TableName;
import dev.bqjobs.emulator.sql.TranslatedStatement;
import dev.bqjobs.emulator.store.Catalog;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Runs query jobs on DuckDB: checks names and locations the way BigQuery does, translates the SQL,
 * writes results to the destination or an anonymous table, and fills {@code statistics.query}.
 */
final class QueryRunner {
  static final String LEGACY_SQL_MESSAGE =
      "The local BigQuery server runs GoogleSQL (standard SQL) only. BigQuery treats a query"
          + " without useLegacySql as legacy SQL: set \"useLegacySql\": false in the query"
          + " configuration.";

  private final Catalog catalog;
  private final DatasetChecks checks;

  QueryRunner(Catalog catalog, DatasetChecks checks) {
    this.catalog = catalog;
    this.checks = checks;
  }

  /** Translates SQL, or returns null and leaves the message for the job's errorResult. */
  static TranslatedStatement translate(String sql, StringBuilder error) {
    try {
      return BigQuerySql.translate(sql);
    } catch (SqlTranslationException e) {
      error.append(e.getMessage());
      return null;
    }
  }

  /** The statement type BigQuery would report for this query, or null if it does not parse. */
  static String statementTypeOrNull(JobConfigurationQuery q) {
    if (isLegacy(q) || q.getQuery() == null) {
      return isLegacy(q) && q.getQuery() != null ? StatementType.SELECT.name() : null;
    }
    TranslatedStatement statement = translate(q.getQuery(), new StringBuilder());
    return statement == null ? null : statement.statementType().name();
  }

  static boolean isLegacy(JobConfigurationQuery q) {
    return q.getUseLegacySql() == null || q.getUseLegacySql();
  }

  /** What BigQuery refuses at jobs.insert with HTTP 400, before any job exists. */
  static void validateAtInsert(JobConfigurationQuery q, TranslatedStatement statement) {
    if (q.getQuery() == null || q.getQuery().isBlank()) {
      throw BigQueryError.required("Required parameter is missing: query");
    }
    if (statement != null && statement.statementType() != StatementType.SELECT) {
      if (q.getDestinationTable() != null) {
        throw BigQueryError.invalid(
            "Cannot set destination table in jobs with DML or DDL statements ("
                + statement.statementType()
                + ").");
      }
      if (q.getWriteDisposition() != null || q.getCreateDisposition() != null) {
        throw BigQueryError.invalid(
            "Cannot set write disposition or create disposition in jobs with DML or DDL"
                + " statements ("
                + statement.statementType()
                + ").");
      }
    }
    if (q.getQueryParameters() != null && !q.getQueryParameters().isEmpty()) {
      throw BigQueryError.invalid("Query parameters are not supported by the local server.");
    }
  }

  /** The project and dataset that unqualified names resolve against. */
  static String defaultProject(String jobProject, JobConfigurationQuery q) {
    DatasetReference d = q.getDefaultDataset();
    return d != null && d.getProjectId() != null ? d.getProjectId() : jobProject;
  }

  static String defaultDataset(JobConfigurationQuery q) {
    DatasetReference d = q.getDefaultDataset();
    return d == null ? null : d.getDatasetId();
  }

  /**
   * What a query touches, in the order BigQuery tries them to infer its location: the destination,
   * the tables its SQL names, then the default dataset.
   */
  static List<TableReference> tablesTouched(
      String jobProject, JobConfigurationQuery q, TranslatedStatement statement) {
    List<TableReference> touched = new ArrayList<>();
    if (q.getDestinationTable() != null) {
      touched.add(q.getDestinationTable());
    }
    if (statement != null) {
      for (TableName name : tablesOf(statement)) {
        TableReference ref = resolveOrNull(name, jobProject, q);
        if (ref != null) {
          touched.add(ref);
        }
      }
    }
    if (q.getDefaultDataset() != null && q.getDefaultDataset().getDatasetId() != null) {
      touched.add(
          new TableReference()
              .setProjectId(defaultProject(jobProject, q))
              .setDatasetId(q.getDefaultDataset().getDatasetId()));
    }
    return touched;
  }

  private static List<TableName> tablesOf(TranslatedStatement statement) {
    List<TableName> names = new ArrayList<>();
    if (statement.targetTable() != null) {
      names.add(statement.targetTable());
    }
    names.addAll(statement.referencedTables());
    return names;
  }

  private static TableReference resolveOrNull(
      TableName name, String jobProject, JobConfigurationQuery q) {
    String dataset = name.dataset() != null ? name.dataset() : defaultDataset(q);
    if (dataset == null) {
      return null;
    }
    String project =
        name.project() != null
            ? name.project()
            : name.dataset() != null
                ? defaultProject(jobProject, q)
                : defaultProject(jobProject, q);
    return new TableReference()
        .setProjectId(project)
        .setDatasetId(dataset)
        .setTableId(name.table());
  }

  private static TableReference resolve(TableName name, String jobProject, JobConfigurationQuery q)
      throws JobFailure {
    TableReference ref = resolveOrNull(name, jobProject, q);
    if (ref == null) {
      throw new JobFailure(
          "invalid",
          "Table name \""
              + name.table()
              + "\" missing dataset while no default dataset is set in the request.");
    }
    return ref;
  }

  /** Runs the query inside a transaction left open for the caller to commit at DONE. */
  Execution run(JobRecord record, JobConfigurationQuery q) throws JobFailure {
    if (isLegacy(q)) {
      throw new JobFailure("invalidQuery", LEGACY_SQL_MESSAGE);
    }
    if (record.statement == null) {
      throw new JobFailure("invalidQuery", record.translationError);
    }
    TranslatedStatement st = record.statement;
    String location = record.location;
    long bytes = checkNames(record, q, st);
    if (st.statementType() == StatementType.SELECT && q.getDestinationTable() == null) {
      // Created outside the job's transaction: concurrent jobs creating it inside theirs would
      // fail each other with a catalog write-write conflict.
      catalog.ensureSchema(record.project, Catalog.ANONYMOUS_DATASET);
    }
    for (int attempt = 1; ; attempt++) {
      Connection c = null;
      try {
        c = catalog.connect(defaultProject(record.project, q), defaultDataset(q));
        c.setAutoCommit(false);
        Execution e = execute(c, record, q, st, bytes);
        c = null;
        return e;
      } catch (SQLException e) {
        // DuckDB's optimistic concurrency refuses one of two transactions touching the same
        // catalog entry; BigQuery serialises such jobs itself, so try again a few times.
        if (attempt < MAX_CONFLICT_ATTEMPTS && isConflict(e)) {
          continue;
        }
        throw failureOf(e, location);
      } finally {
        Execution.discard(c);
      }
    }
  }

  private static final int MAX_CONFLICT_ATTEMPTS = 5;

  static boolean isConflict(SQLException e) {
    String m = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
    return m.contains("conflict");
  }

  /** Checks every table the statement names, as BigQuery does before running; returns bytes. */
  private long checkNames(JobRecord record, JobConfigurationQuery q, TranslatedStatement st)
      throws JobFailure {
    long bytes = 0;
    Set<String> seen = new LinkedHashSet<>();
    TableName target = st.targetTable();
    List<TableName> names = new ArrayList<>(st.referencedTables());
    if (target != null) {
      names.add(0, target);
    }
    for (TableName name : names) {
      TableReference ref = resolve(name, record.project, q);
      String key = DatasetChecks.fullName(ref);
      if (!seen.add(key)) {
        continue;
      }
      checks.requireDatasetInLocation(ref, record.location);
      if (name == target) {
        checks.requireWrite(record, ref);
      } else {
        checks.requireRead(record, ref);
      }
      boolean creates =
          name == target
              && (st.statementType() == StatementType.CREATE_TABLE
                  || st.statementType() == StatementType.CREATE_TABLE_AS_SELECT
                  || st.statementType() == StatementType.CREATE_VIEW
                  || st.statementType() == StatementType.DROP_TABLE
                  || st.statementType() == StatementType.DROP_VIEW);
      if (!creates) {
        if (!catalog.tableExists(ref.getProjectId(), ref.getDatasetId(), ref.getTableId())) {
          throw new JobFailure(
              "notFound",
              "Not found: Table " + key + " was not found in location " + record.location);
        }
        bytes += estimateBytes(ref);
      }
    }
    if (q.getDestinationTable() != null) {
      TableReference d = DatasetChecks.resolve(q.getDestinationTable(), record.project);
      checks.requireDatasetInLocation(d, record.location);
      checks.requireWrite(record, d);
    }
    return bytes;
  }

  private long estimateBytes(TableReference ref) {
    try {
      var table = catalog.findTable(ref.getProjectId(), ref.getDatasetId(), ref.getTableId());
      return table == null || table.getNumBytes() == null ? 0 : table.getNumBytes();
    } catch (RuntimeException e) {
      return 0;
    }
  }

  private Execution execute(
      Connection c, JobRecord record, JobConfigurationQuery q, TranslatedStatement st, long bytes)
      throws SQLException, JobFailure {
    JobStatistics2 stats =
        new JobStatistics2()
            .setStatementType(st.statementType().name())
            .setTotalBytesProcessed(bytes)
            .setTotalBytesBilled(bytes)
            .setCacheHit(false);
    List<TableReference> written = new ArrayList<>();
    String sql = st.duckDbSql();
    switch (st.statementType()) {
      case SELECT:
        {
          TableReference dest = selectInto(c, record, q, sql);
          written.add(dest);
          TableSchema schema = schemaOf(c, dest);
          stats.setSchema(schema);
          return Execution.builder(c).writes(written).query(stats, dest, bytes).build();
        }
      case INSERT:
      case UPDATE:
      case DELETE:
      case MERGE:
        {
          long affected;
          try (Statement s = c.createStatement()) {
            affected = s.executeUpdate(sql);
          }
          stats.setNumDmlAffectedRows(affected);
          written.add(resolve(st.targetTable(), record.project, q));
          return Execution.builder(c).writes(written).query(stats, null, bytes).build();
        }
      case CREATE_TABLE:
      case CREATE_TABLE_AS_SELECT:
      case CREATE_VIEW:
        {
          TableReference target = resolve(st.targetTable(), record.project, q);
          boolean exists =
              catalog.tableExists(
                  target.getProjectId(), target.getDatasetId(), target.getTableId());
          String op;
          if (exists && st.ifNotExists()) {
            op = "SKIP";
          } else if (exists && st.orReplace()) {
            op = "REPLACE";
          } else if (exists) {
            throw new JobFailure(
                "duplicate", "Already Exists: Table " + DatasetChecks.fullName(target));
          } else {
            op = "CREATE";
          }
          if (!op.equals("SKIP")) {
            try (Statement s = c.createStatement()) {
              s.execute(sql);
            }
            written.add(target);
          }
          stats.setDdlOperationPerformed(op);
          stats.setDdlTargetTable(target);
          return Execution.builder(c).writes(written).query(stats, null, bytes).build();
        }
      case DROP_TABLE:
      case DROP_VIEW:
        {
          TableReference target = resolve(st.targetTable(), record.project, q);
          boolean exists =
              catalog.tableExists(
                  target.getProjectId(), target.getDatasetId(), target.getTableId());
          String op;
          if (!exists && st.ifExists()) {
            op = "SKIP";
          } else if (!exists) {
            throw new JobFailure("notFound", "Not found: Table " + DatasetChecks.fullName(target));
          } else {
            op = "DROP";
            try (Statement s = c.createStatement()) {
              s.execute(sql);
            }
          }
          stats.setDdlOperationPerformed(op);
          stats.setDdlTargetTable(target);
          return Execution.builder(c).writes(written).query(stats, null, bytes).build();
        }
      default:
        {
          try (Statement s = c.createStatement()) {
            s.execute(sql);
          }
          return Execution.builder(c).writes(written).query(stats, null, bytes).build();
        }
    }
  }

  /** Writes a SELECT's rows to its destination (with dispositions) or an anonymous table. */
  private TableReference selectInto(
      Connection c, JobRecord record, JobConfigurationQuery q, String sql)
      throws SQLException, JobFailure {
    TableReference dest = q.getDestinationTable();
    if (dest == null) {
      TableReference anon = anonymousTable(record);
      try (Statement s = c.createStatement()) {
        s.execute(
            "CREATE OR REPLACE TABLE "
                + Catalog.qualified(anon.getProjectId(), anon.getDatasetId(), anon.getTableId())
                + " AS "
                + sql);
      }
      return anon;
    }
    dest = DatasetChecks.resolve(dest, record.project);
    String qualified =
        Catalog.qualified(dest.getProjectId(), dest.getDatasetId(), dest.getTableId());
    // Validated like loads and copies (an unknown value is invalid, not silently ignored); a query
    // with a destination defaults to WRITE_EMPTY, as in BigQuery.
    String create = TableWrites.createDisposition(q.getCreateDisposition());
    String write = TableWrites.writeDisposition(q.getWriteDisposition(), "WRITE_EMPTY");
    boolean exists = TableWrites.check(catalog, dest, create, write);
    try (Statement s = c.createStatement()) {
      if (exists && write.equals("WRITE_APPEND")) {
        s.execute("INSERT INTO " + qualified + " BY NAME " + sql);
      } else {
        // New table, WRITE_TRUNCATE, or WRITE_EMPTY on an empty table: rows and schema replaced.
        s.execute("CREATE OR REPLACE TABLE " + qualified + " AS " + sql);
      }
    }
    return dest;
  }

  static TableReference anonymousTable(JobRecord record) {
    return new TableReference()
        .setProjectId(record.project)
        .setDatasetId(Catalog.ANONYMOUS_DATASET)
        .setTableId("anon" + Integer.toHexString(record.jobId.hashCode()) + "_" + record.sequence);
  }

  /** A table's schema as seen inside the still-open transaction. */
  static TableSchema schemaOf(Connection c, TableReference t) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT * FROM "
                + Catalog.qualified(t.getProjectId(), t.getDatasetId(), t.getTableId())
                + " LIMIT 0")) {
      return schemaOf(ps.getMetaData());
    }
  }

  static TableSchema schemaOf(ResultSetMetaData md) throws SQLException {
    List<com.google.api.services.bigquery.model.TableFieldSchema> fields = new ArrayList<>();
    for (int i = 1; i <= md.getColumnCount(); i++) {
      fields.add(
          dev.bqjobs.emulator.sql.DuckDbTypes.fieldSchemaOf(
              md.getColumnLabel(i), md.getColumnTypeName(i)));
    }
    return new TableSchema().setFields(fields);
  }

  /** A dry run: translate, bind against the catalog without executing, report the schema. */
  JobStatistics2 dryRun(
      String project, String location, JobConfigurationQuery q, String principal) {
    if (isLegacy(q)) {
      throw BigQueryError.invalidQuery(LEGACY_SQL_MESSAGE);
    }
    TranslatedStatement st;
    try {
      st = BigQuerySql.translate(q.getQuery());
    } catch (SqlTranslationException e) {
      throw BigQueryError.invalidQuery(e.getMessage());
    }
    validateAtInsert(q, st);
    JobRecord probe =
        new JobRecord(project, "dry_run", location, 0, 0, null, null, st, null, principal);
    long bytes;
    List<TableReference> referenced;
    try {
      bytes = checkNames(probe, q, st);
      referenced = referencedTables(project, q, st);
    } catch (JobFailure f) {
      throw new BigQueryError(
          f.error.getReason().equals("notFound") ? ErrorKind.NOT_FOUND : ErrorKind.INVALID_ARGUMENT,
          f.error.getReason(),
          f.error.getMessage());
    }
    JobStatistics2 stats =
        new JobStatistics2()
            .setStatementType(st.statementType().name())
            .setTotalBytesProcessed(bytes)
            .setTotalBytesBilled(0L)
            .setCacheHit(false)
            .setReferencedTables(referenced);
    try (Connection c = catalog.connect(defaultProject(project, q), defaultDataset(q))) {
      if (st.statementType() == StatementType.SELECT) {
        try (PreparedStatement ps = c.prepareStatement(st.duckDbSql())) {
          stats.setSchema(schemaOf(ps.getMetaData()));
        }
      } else if (st.statementType() != StatementType.CREATE_TABLE
          && st.statementType() != StatementType.DROP_TABLE) {
        try (PreparedStatement ps = c.prepareStatement(st.duckDbSql())) {
          // binding alone proves the statement refers to real columns
        }
      }
    } catch (SQLException e) {
      JobFailure f = failureOf(e, location);
      throw new BigQueryError(
          ErrorKind.INVALID_ARGUMENT, f.error.getReason(), f.error.getMessage());
    }
    return stats;
  }

  /**
   * The tables a statement reads, each once, as {@code statistics.query.referencedTables} reports
   * them: Beam's BigQueryIO reads them from a dry run to place its temporary dataset in their
   * location.
   */
  private static List<TableReference> referencedTables(
      String project, JobConfigurationQuery q, TranslatedStatement st) throws JobFailure {
    Map<String, TableReference> out = new LinkedHashMap<>();
    for (TableName name : st.referencedTables()) {
      TableReference ref = resolve(name, project, q);
      out.putIfAbsent(DatasetChecks.fullName(ref), ref);
    }
    return new ArrayList<>(out.values());
  }

  /** DuckDB's message for a missing table, view, dataset (schema) or project (catalog). */
  private static final java.util.regex.Pattern MISSING_RELATION =
      java.util.regex.Pattern.compile(
          "^catalog error: (table|view|schema|catalog) with name .* does not exist");

  /** Maps a DuckDB error onto BigQuery's reason; the message keeps the engine's first line. */
  static JobFailure failureOf(SQLException e, String location) {
    String message = Catalog.firstLine(e.getMessage());
    String lower = message.toLowerCase(Locale.ROOT);
    // Only a missing table, view, dataset or project is notFound; DuckDB words a missing
    // function ("Scalar Function with name f does not exist") the same way, but BigQuery answers
    // an unknown function with invalidQuery.
    if (MISSING_RELATION.matcher(lower).find()) {
      return new JobFailure("notFound", "Not found: " + message + " (location " + location + ")");
    }
    if (lower.contains("conflict")) {
      return new JobFailure(
          "invalidQuery",
          "Could not serialize access to a table due to a concurrent update: " + message);
    }
    if (lower.startsWith("parser error")) {
      return new JobFailure("invalidQuery", "Syntax error: " + message);
    }
    if (lower.startsWith("constraint error")) {
      return new JobFailure("invalid", message);
    }
    return new JobFailure("invalidQuery", message);
  }

  static BigInteger big(long v) {
    return BigInteger.valueOf(v);
  }
}
