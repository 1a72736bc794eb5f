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
import dev.bqjobs.emulator.sql.ParameterRef;
import dev.bqjobs.emulator.sql.QueryParameters;
import dev.bqjobs.emulator.sql.Script;
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

  /** A script's stand-in statement: its parts are translated one by one as they run. */
  private static final TranslatedStatement SCRIPT =
      new TranslatedStatement(
          "", StatementType.SCRIPT, null, null, List.of(), List.of(), false, false, false);

  /**
   * Translates a query (or checks a script's syntax), or returns null and leaves the message for
   * the job's errorResult.
   */
  static TranslatedStatement translate(JobConfigurationQuery q, StringBuilder error) {
    try {
      if (Script.isScript(q.getQuery())) {
        Script.parse(q.getQuery());
        return SCRIPT;
      }
      return BigQuerySql.translate(q.getQuery(), parametersOf(q));
    } catch (SqlTranslationException e) {
      error.append(e.getMessage());
      return null;
    }
  }

  /**
   * The request's query parameters, checked.
   *
   * @throws BigQueryError invalid (HTTP 400) for a parameter BigQuery would refuse or the local
   *     server does not serve
   */
  static QueryParameters parametersOf(JobConfigurationQuery q) {
    try {
      return QueryParameters.of(q.getParameterMode(), q.getQueryParameters());
    } catch (IllegalArgumentException e) {
      throw BigQueryError.invalid(e.getMessage());
    }
  }

  /** The statement type BigQuery would report for this query, or null if it does not parse. */
  static String statementTypeOrNull(JobConfigurationQuery q) {
    if (isLegacy(q) || q.getQuery() == null) {
      return isLegacy(q) && q.getQuery() != null ? StatementType.SELECT.name() : null;
    }
    TranslatedStatement statement;
    try {
      statement = translate(q, new StringBuilder());
    } catch (BigQueryError e) {
      return null;
    }
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
    if (statement != null && statement.statementType() == StatementType.SCRIPT) {
      if (q.getDestinationTable() != null) {
        throw BigQueryError.invalid(
            "configuration.query.destinationTable cannot be set for scripts");
      }
    }
    parametersOf(q);
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
    if (st.statementType() == StatementType.SCRIPT) {
      return new ScriptRunner(this, catalog).run(record, q, Script.parse(q.getQuery()));
    }
    QueryParameters parameters = parametersOf(q);
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
        Execution e =
            execute(c, record, q, st, bytes, (ref, conn) -> parameters.jdbcValue(ref, conn));
        c = null;
        return e;
      } catch (SQLException e) {
        // DuckDB's optimistic concurrency refuses one of two transactions touching the same
        // catalog entry; BigQuery serialises such jobs itself, so try again a few times.
        if (attempt < MAX_CONFLICT_ATTEMPTS && isConflict(e)) {
          continue;
        }
        throw EngineErrors.of(e, location, q.getQuery(), st.duckDbSql(), null);
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
  long checkNames(JobRecord record, JobConfigurationQuery q, TranslatedStatement st)
      throws JobFailure {
    return checkNames(record, q, st, true);
  }

  /**
   * As above; without {@code tablesMustExist} a missing table is left for the engine to report (a
   * script's transaction may have created it, uncommitted, so the catalog cannot see it yet).
   */
  long checkNames(
      JobRecord record, JobConfigurationQuery q, TranslatedStatement st, boolean tablesMustExist)
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
        if (tablesMustExist
            && !catalog.tableExists(ref.getProjectId(), ref.getDatasetId(), ref.getTableId())) {
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

  /** The value bound to a statement's parameter or variable placeholder. */
  @FunctionalInterface
  interface Binder {
    Object value(ParameterRef ref, Connection connection) throws SQLException;
  }

  /** Prepares {@code sql} and binds each placeholder {@code $k} to its value. */
  static PreparedStatement prepare(Connection c, String sql, TranslatedStatement st, Binder binder)
      throws SQLException {
    PreparedStatement ps = c.prepareStatement(sql);
    try {
      List<ParameterRef> refs = st.parameters();
      for (int k = 0; k < refs.size(); k++) {
        ps.setObject(k + 1, binder.value(refs.get(k), c));
      }
      return ps;
    } catch (SQLException | RuntimeException e) {
      ps.close();
      throw e;
    }
  }

  private static void executeBound(Connection c, String sql, TranslatedStatement st, Binder binder)
      throws SQLException {
    try (PreparedStatement ps = prepare(c, sql, st, binder)) {
      ps.execute();
    }
  }

  Execution execute(
      Connection c,
      JobRecord record,
      JobConfigurationQuery q,
      TranslatedStatement st,
      long bytes,
      Binder binder)
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
          TableReference dest = selectInto(c, record, q, sql, st, binder);
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
          try (PreparedStatement ps = prepare(c, sql, st, binder)) {
            affected = ps.executeUpdate();
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
            executeBound(c, sql, st, binder);
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
            executeBound(c, sql, st, binder);
          }
          stats.setDdlOperationPerformed(op);
          stats.setDdlTargetTable(target);
          return Execution.builder(c).writes(written).query(stats, null, bytes).build();
        }
      default:
        {
          executeBound(c, sql, st, binder);
          return Execution.builder(c).writes(written).query(stats, null, bytes).build();
        }
    }
  }

  /** Writes a SELECT's rows to its destination (with dispositions) or an anonymous table. */
  private TableReference selectInto(
      Connection c,
      JobRecord record,
      JobConfigurationQuery q,
      String sql,
      TranslatedStatement st,
      Binder binder)
      throws SQLException, JobFailure {
    TableReference dest = q.getDestinationTable();
    if (dest == null) {
      TableReference anon = anonymousTable(record);
      executeBound(
          c,
          "CREATE OR REPLACE TABLE "
              + Catalog.qualified(anon.getProjectId(), anon.getDatasetId(), anon.getTableId())
              + " AS "
              + sql,
          st,
          binder);
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
    if (exists && write.equals("WRITE_APPEND")) {
      executeBound(c, "INSERT INTO " + qualified + " BY NAME " + sql, st, binder);
    } else {
      // New table, WRITE_TRUNCATE, or WRITE_EMPTY on an empty table: rows and schema replaced.
      executeBound(c, "CREATE OR REPLACE TABLE " + qualified + " AS " + sql, st, binder);
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
    StringBuilder error = new StringBuilder();
    TranslatedStatement st = translate(q, error);
    if (st == null) {
      throw BigQueryError.invalidQuery(error.toString());
    }
    validateAtInsert(q, st);
    if (st.statementType() == StatementType.SCRIPT) {
      // BigQuery answers a script's dry run with its type; its statements are checked as they run.
      return new JobStatistics2()
          .setStatementType(st.statementType().name())
          .setTotalBytesProcessed(0L)
          .setTotalBytesBilled(0L)
          .setCacheHit(false);
    }
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
      JobFailure f = EngineErrors.of(e, location, q.getQuery(), st.duckDbSql(), null);
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

  /** BigQuery's failure for an engine error where the SQL is not at hand (at commit). */
  static JobFailure failureOf(SQLException e, String location) {
    return EngineErrors.of(e, location, "");
  }

  static BigInteger big(long v) {
    return BigInteger.valueOf(v);
  }
}
