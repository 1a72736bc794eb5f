package dev.bqjobs.emulator.engine;

import com.google.api.services.bigquery.model.JobConfigurationQuery;
import com.google.api.services.bigquery.model.JobStatistics2;
import com.google.api.services.bigquery.model.TableReference;
import dev.bqjobs.emulator.engine.Errors.JobFailure;
import dev.bqjobs.emulator.sql.DuckDbTypes;
import dev.bqjobs.emulator.sql.ParameterRef;
import dev.bqjobs.emulator.sql.ParameterTypes;
import dev.bqjobs.emulator.sql.QueryParameters;
import dev.bqjobs.emulator.sql.Script;
import dev.bqjobs.emulator.sql.SqlTranslationException;
import dev.bqjobs.emulator.sql.StatementType;
import dev.bqjobs.emulator.sql.TranslatedStatement;
import dev.bqjobs.emulator.store.Catalog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Runs a GoogleSQL script statement by statement on one DuckDB connection, as BigQuery does: each
 * statement outside a transaction takes effect when it succeeds (so a later failure leaves it in
 * place), {@code BEGIN TRANSACTION ... COMMIT TRANSACTION} takes effect whole or not at all ({@code
 * ROLLBACK TRANSACTION}, or a failure inside, undoes it), and the job's result is its last
 * statement's. Variables live here, typed, and reach each statement as bound placeholder values.
 */
final class ScriptRunner {
  /** A message that already names a position ends with {@code [line:column]}. */
  private static final Pattern HAS_POSITION = Pattern.compile("\\[\\d+:\\d+]$");

  private final QueryRunner queries;
  private final Catalog catalog;
  private final Map<String, Variable> variables = new HashMap<>();
  private QueryParameters parameters;
  private JobRecord record;
  private JobConfigurationQuery q;
  private Connection c;
  private boolean inTransaction;
  private String transactionStart;
  private long bytes;
  private TableReference result;
  private JobStatistics2 lastStatistics;

  /** A declared variable: the DuckDB type it is bound as, and its value as DuckDB returned it. */
  private record Variable(String duckDbType, Object value) {}

  ScriptRunner(QueryRunner queries, Catalog catalog) {
    this.queries = queries;
    this.catalog = catalog;
  }

  Execution run(JobRecord record, JobConfigurationQuery q, Script script) throws JobFailure {
    this.record = record;
    this.q = q;
    this.parameters = QueryRunner.parametersOf(q);
    catalog.ensureSchema(record.project, Catalog.ANONYMOUS_DATASET);
    Connection connection = null;
    try {
      connection =
          catalog.connect(
              QueryRunner.defaultProject(record.project, q), QueryRunner.defaultDataset(q));
      connection.setAutoCommit(false);
      c = connection;
      runAll(script.statements());
      if (inTransaction) {
        throw new JobFailure(
            "invalidQuery",
            "Transaction started at "
                + transactionStart
                + " is still active at the end of the script; end it with COMMIT TRANSACTION or"
                + " ROLLBACK TRANSACTION");
      }
      JobStatistics2 stats =
          new JobStatistics2()
              .setStatementType(StatementType.SCRIPT.name())
              .setTotalBytesProcessed(bytes)
              .setTotalBytesBilled(bytes)
              .setCacheHit(false);
      List<TableReference> written = new ArrayList<>();
      if (result != null) {
        stats.setSchema(lastStatistics.getSchema());
        written.add(result);
      }
      Execution e =
          Execution.builder(connection).writes(written).query(stats, result, bytes).build();
      connection = null;
      return e;
    } catch (SQLException e) {
      throw EngineErrors.of(e, record.location, q.getQuery());
    } finally {
      Execution.discard(connection);
    }
  }

  private void runAll(List<Script.Node> statements) throws JobFailure, SQLException {
    for (Script.Node node : statements) {
      try {
        runOne(node);
      } catch (SqlTranslationException e) {
        throw new JobFailure("invalidQuery", atStatement(e.getMessage(), node));
      } catch (SQLException e) {
        JobFailure f = EngineErrors.of(e, record.location, q.getQuery());
        throw new JobFailure(f.error.getReason(), atStatement(f.error.getMessage(), node));
      } catch (JobFailure f) {
        throw new JobFailure(f.error.getReason(), atStatement(f.error.getMessage(), node));
      }
    }
  }

  /** BigQuery names where a script failed: the statement's position unless the message has one. */
  private static String atStatement(String message, Script.Node node) {
    if (node instanceof Script.If || node instanceof Script.Block) {
      return message; // the failing statement inside named itself
    }
    return HAS_POSITION.matcher(message).find()
        ? message
        : "Query error: " + message + " at " + node.position();
  }

  private void runOne(Script.Node node) throws JobFailure, SQLException {
    if (node instanceof Script.Declare d) {
      for (String name : d.names()) {
        if (variables.containsKey(name)) {
          throw new JobFailure("invalidQuery", "Variable '" + name + "' has already been declared");
        }
      }
      Variable value;
      if (d.defaultValue() == null) {
        value = new Variable(d.duckDbType(), null);
      } else if (d.duckDbType() != null) {
        value = evaluateAs(d.defaultValue(), d.duckDbType());
      } else {
        value = evaluateAs(d.defaultValue(), widened(evaluate(d.defaultValue()).duckDbType()));
      }
      for (String name : d.names()) {
        variables.put(name, value);
      }
    } else if (node instanceof Script.Assign a) {
      Variable old = variables.get(a.name());
      if (old == null) {
        throw new JobFailure("invalidQuery", "Undeclared variable: " + a.name());
      }
      variables.put(a.name(), evaluateAs(a.value(), old.duckDbType()));
    } else if (node instanceof Script.If branch) {
      for (int k = 0; k < branch.conditions().size(); k++) {
        Object v = evaluate(branch.conditions().get(k)).value();
        if (Boolean.TRUE.equals(v)) {
          runAll(branch.bodies().get(k));
          return;
        }
      }
      runAll(branch.orElse());
    } else if (node instanceof Script.Block block) {
      runAll(block.body());
    } else if (node instanceof Script.Transaction t) {
      transaction(t);
    } else if (node instanceof Script.Sql sql) {
      statement(sql);
    }
  }

  private void transaction(Script.Transaction t) throws JobFailure, SQLException {
    switch (t.action()) {
      case "BEGIN" -> {
        if (inTransaction) {
          throw new JobFailure(
              "invalidQuery", "Nested transactions are not supported at " + t.position());
        }
        c.commit();
        inTransaction = true;
        transactionStart = t.position();
      }
      case "COMMIT", "ROLLBACK" -> {
        if (!inTransaction) {
          throw new JobFailure(
              "invalidQuery",
              t.action() + " TRANSACTION without an active transaction at " + t.position());
        }
        if (t.action().equals("COMMIT")) {
          c.commit();
        } else {
          c.rollback();
        }
        inTransaction = false;
      }
      default -> throw new IllegalStateException(t.action());
    }
  }

  private void statement(Script.Sql sql) throws JobFailure, SQLException {
    TranslatedStatement st = sql.translate(variables.keySet(), types());
    long statementBytes = queries.checkNames(record, q, st, !inTransaction);
    Execution e = queries.execute(c, record, q, st, statementBytes, this::value);
    bytes += statementBytes;
    lastStatistics = e.queryStatistics;
    result = e.resultTable;
    if (!inTransaction) {
      // Outside a transaction each statement of a script takes effect on success, as in BigQuery.
      c.commit();
    }
  }

  /** Evaluates an expression with the variables as they are now. */
  private Variable evaluate(Script.Expression expression) throws SQLException {
    TranslatedStatement st = expression.translate(variables.keySet(), types());
    try (PreparedStatement ps = QueryRunner.prepare(c, st.duckDbSql(), st, this::value);
        ResultSet rs = ps.executeQuery()) {
      ResultSetMetaData md = rs.getMetaData();
      String type = md.getColumnTypeName(1);
      rs.next();
      return new Variable(type, read(rs, type));
    }
  }

  /** Evaluates an expression as the variable's declared type (BigQuery coerces on SET). */
  private Variable evaluateAs(Script.Expression expression, String duckDbType) throws SQLException {
    TranslatedStatement st = expression.translate(variables.keySet(), types());
    String sql = "SELECT CAST((" + st.duckDbSql() + ") AS " + duckDbType + ")";
    try (PreparedStatement ps = QueryRunner.prepare(c, sql, st, this::value);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return new Variable(duckDbType, read(rs, duckDbType));
    }
  }

  private static Object read(ResultSet rs, String duckDbType) throws SQLException {
    if (duckDbType.equals("BLOB")) {
      return rs.getBytes(1);
    }
    if (duckDbType.equals("JSON")) {
      return rs.getString(1);
    }
    return rs.getObject(1);
  }

  private ParameterTypes types() {
    return ref -> {
      if (ref.variable()) {
        Variable v = variables.get(ref.name());
        if (v == null) {
          throw new IllegalArgumentException("Unrecognized name: " + ref.name());
        }
        return v.duckDbType();
      }
      return parameters.duckDbType(ref);
    };
  }

  private Object value(ParameterRef ref, Connection connection) throws SQLException {
    if (ref.variable()) {
      return variables.get(ref.name()).value();
    }
    return parameters.jdbcValue(ref, connection);
  }

  /**
   * The type a variable declared without one takes from its DEFAULT: BigQuery's INT64, FLOAT64 and
   * NUMERIC for DuckDB's narrower integer, float and decimal types.
   */
  static String widened(String duckDbType) {
    String bigQuery = DuckDbTypes.bigQueryTypeOf(duckDbType);
    return switch (bigQuery) {
      case "INTEGER" -> "BIGINT";
      case "FLOAT" -> "DOUBLE";
      case "NUMERIC" -> "DECIMAL(38,9)";
      case "BIGNUMERIC" -> "DECIMAL(38,18)";
      default -> duckDbType;
    };
  }
}
