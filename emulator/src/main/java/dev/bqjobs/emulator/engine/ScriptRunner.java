package dev.bqjobs.emulator.engine;

import com.google.api.services.bigquery.model.Dataset;
import com.google.api.services.bigquery.model.DatasetReference;
import com.google.api.services.bigquery.model.JobConfigurationQuery;
import com.google.api.services.bigquery.model.JobStatistics2;
import com.google.api.services.bigquery.model.TableReference;
import dev.bqjobs.emulator.engine.Errors.JobFailure;
import dev.bqjobs.emulator.errors.BigQueryError;
import dev.bqjobs.emulator.sql.DuckDbTypes;
import dev.bqjobs.emulator.sql.ParameterRef;
import dev.bqjobs.emulator.sql.ParameterTypes;
import dev.bqjobs.emulator.sql.QueryParameters;
import dev.bqjobs.emulator.sql.Script;
import dev.bqjobs.emulator.sql.SqlTranslationException;
import dev.bqjobs.emulator.sql.StatementType;
import dev.bqjobs.emulator.sql.TempTables;
import dev.bqjobs.emulator.sql.TranslatedStatement;
import dev.bqjobs.emulator.store.Catalog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Runs a GoogleSQL script statement by statement on one DuckDB connection, as BigQuery does: each
 * statement outside a transaction takes effect when it succeeds (so a later failure leaves it in
 * place), {@code BEGIN TRANSACTION ... COMMIT TRANSACTION} takes effect whole or not at all ({@code
 * ROLLBACK TRANSACTION}, or a failure inside, undoes it), and the job's result is its last
 * statement's. Variables live here, typed, and reach each statement as bound placeholder values.
 * Loops, exception handlers, RAISE, RETURN, ASSERT and EXECUTE IMMEDIATE run here too; temporary
 * tables live in a hidden dataset of the script's own, deleted when it ends.
 */
final class ScriptRunner {
  /**
   * At most this many statements and loop iterations per script: a runaway loop ends with an error
   * instead of holding a job slot forever (BigQuery bounds scripts by time, 6 hours).
   */
  static final int MAX_STEPS = 100_000;

  /** A message that already names a position ends with {@code [line:column]}. */
  private static final Pattern HAS_POSITION = Pattern.compile("\\[\\d+:\\d+]$");

  private static final String ERROR_MESSAGE = "@@error.message";
  private static final String ERROR_STATEMENT = "@@error.statement_text";

  private final QueryRunner queries;
  private final Catalog catalog;
  private final Map<String, Variable> variables = new HashMap<>();
  private QueryParameters parameters;
  private JobRecord record;
  private JobConfigurationQuery q;
  private Script script;
  private Connection c;
  private boolean inTransaction;
  private boolean transactionAborted;
  private String transactionStart;
  private long bytes;
  private TableReference result;
  private JobStatistics2 lastStatistics;
  private int steps;
  private TempTables temps;

  /** Decides which variable names a statement reads as columns (on its own connection). */
  private ColumnsFirst columnsFirst;

  /**
   * The translation last sent to DuckDB and where its statement starts in the script, so an engine
   * error is placed at the occurrence it marks.
   */
  private String lastDuckDbSql;

  private String lastStart;

  /** The failures the enclosing exception handlers are handling, innermost first (for RAISE). */
  private final Deque<JobFailure> handling = new ArrayDeque<>();

  /** The failure last reported at its statement, which enclosing statements pass on. */
  private JobFailure reported;

  /** The last failing statement's own message and text, for {@code @@error}. */
  private String lastErrorMessage;

  private String lastErrorStatement;

  /** A declared variable: the DuckDB type it is bound as, and its value as DuckDB returned it. */
  private record Variable(String duckDbType, Object value) {}

  /** BREAK/LEAVE ({@code leave}) or CONTINUE/ITERATE, for the loop with {@code label} or any. */
  private static final class Jump extends RuntimeException {
    final boolean leave;
    final String label;

    Jump(boolean leave, String label) {
      super(null, null, false, false);
      this.leave = leave;
      this.label = label;
    }
  }

  /**
   * The statement limit or a cancel: ends the script with {@code failure}, past any exception
   * handler (neither is an error of the script's statements).
   */
  private static final class Stop extends RuntimeException {
    final JobFailure failure;

    Stop(JobFailure failure) {
      super(null, null, false, false);
      this.failure = failure;
    }
  }

  /** RETURN: the script ends successfully. */
  private static final class Return extends RuntimeException {
    Return() {
      super(null, null, false, false);
    }
  }

  ScriptRunner(QueryRunner queries, Catalog catalog) {
    this.queries = queries;
    this.catalog = catalog;
  }

  Execution run(JobRecord record, JobConfigurationQuery q, Script script) throws JobFailure {
    this.record = record;
    this.q = q;
    this.script = script;
    this.parameters = QueryRunner.parametersOf(q);
    catalog.ensureSchema(record.project, Catalog.ANONYMOUS_DATASET);
    String tempDataset = TempTables.datasetFor(record.location, record.jobId);
    temps = new TempTables(tempDataset);
    if (script.createsTempTables()) {
      createHiddenDataset(tempDataset);
    }
    columnsFirst =
        new ColumnsFirst(
            () ->
                catalog.connect(
                    QueryRunner.defaultProject(record.project, q), QueryRunner.defaultDataset(q)));
    Connection connection = null;
    try {
      connection =
          catalog.connect(
              QueryRunner.defaultProject(record.project, q), QueryRunner.defaultDataset(q));
      connection.setAutoCommit(false);
      c = connection;
      try {
        runAll(script.statements());
      } catch (Return done) {
        // RETURN: the script ends here, successfully
      } catch (Stop stop) {
        throw stop.failure;
      }
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
      columnsFirst.close();
      if (script.createsTempTables()) {
        dropHiddenDataset(tempDataset);
      }
    }
  }

  /** The dataset holding the script's temporary tables, in the job's location. */
  private void createHiddenDataset(String dataset) throws JobFailure {
    try {
      catalog.createDataset(
          record.project,
          new Dataset()
              .setDatasetReference(
                  new DatasetReference().setProjectId(record.project).setDatasetId(dataset))
              .setLocation(record.location));
    } catch (BigQueryError e) {
      throw new JobFailure(e.reason(), e.getMessage());
    }
  }

  /** Temporary tables end with their script, as in BigQuery. */
  private void dropHiddenDataset(String dataset) {
    try {
      catalog.deleteDataset(record.project, dataset, true);
    } catch (RuntimeException e) {
      // already gone; nothing else to clean up
    }
  }

  private void runAll(List<Script.Node> statements) throws JobFailure, SQLException {
    for (Script.Node node : statements) {
      step(node);
      try {
        runOne(node);
      } catch (SqlTranslationException e) {
        throw failed(node, new JobFailure("invalidQuery", e.getMessage()));
      } catch (SQLException e) {
        throw failed(
            node, EngineErrors.of(e, record.location, q.getQuery(), lastDuckDbSql, lastStart));
      } catch (JobFailure f) {
        throw failed(node, f);
      }
    }
  }

  /**
   * Counts a statement or loop iteration against {@link #MAX_STEPS}, and stops a script whose job
   * was cancelled (the scheduler then reports it stopped and rolls back what is uncommitted).
   */
  private void step(Script.Node node) {
    synchronized (record) {
      if (record.cancelRequested) {
        throw new Stop(
            new JobFailure("stopped", "Job execution was cancelled at " + node.position()));
      }
    }
    if (++steps > MAX_STEPS) {
      throw new Stop(
          new JobFailure(
              "invalidQuery",
              "Script exceeded the local server's limit of "
                  + MAX_STEPS
                  + " executed statements and loop iterations at "
                  + node.position()));
    }
  }

  /**
   * The failure as the script reports it: the failing statement's position unless the message has
   * one, and remembers the statement's own message and text for {@code @@error}. A failure reported
   * by a statement inside a compound one (IF, a block, a loop) passes through the compound one as
   * it is; an error of the compound statement's own condition or query is reported at it.
   */
  private JobFailure failed(Script.Node node, JobFailure f) {
    if (f == reported || (!handling.isEmpty() && f == handling.peek())) {
      return f; // reported already, or RAISE re-raising the handled error
    }
    String message = f.error.getMessage();
    lastErrorMessage = message;
    lastErrorStatement = script.textOf(node);
    reported = new JobFailure(f.error.getReason(), atStatement(message, node));
    return reported;
  }

  /** BigQuery names where a script failed: the statement's position unless the message has one. */
  private static String atStatement(String message, Script.Node node) {
    return HAS_POSITION.matcher(message).find()
        ? message
        : "Query error: " + message + " at " + node.position();
  }

  private void runOne(Script.Node node) throws JobFailure, SQLException {
    if (node instanceof Script.Declare d) {
      declare(d);
    } else if (node instanceof Script.Assign a) {
      Variable old = declared(a.name());
      variables.put(a.name(), evaluateAs(a.value(), old.duckDbType()));
    } else if (node instanceof Script.AssignMany a) {
      assignMany(a);
    } else if (node instanceof Script.If branch) {
      for (int k = 0; k < branch.conditions().size(); k++) {
        if (isTrue(branch.conditions().get(k))) {
          runAll(branch.bodies().get(k));
          return;
        }
      }
      runAll(branch.orElse());
    } else if (node instanceof Script.Block block) {
      block(block);
    } else if (node instanceof Script.Transaction t) {
      transaction(t);
    } else if (node instanceof Script.Loop loop) {
      while (iteration(loop, loop.label(), loop.body())) {
        // until BREAK
      }
    } else if (node instanceof Script.While loop) {
      while (isTrue(loop.condition()) && iteration(loop, loop.label(), loop.body())) {
        // until the condition is not TRUE, or BREAK
      }
    } else if (node instanceof Script.Repeat loop) {
      while (iteration(loop, loop.label(), loop.body()) && !isTrue(loop.until())) {
        // until the condition is TRUE, or BREAK
      }
    } else if (node instanceof Script.For loop) {
      forLoop(loop);
    } else if (node instanceof Script.Break b) {
      throw new Jump(true, b.label());
    } else if (node instanceof Script.Continue k) {
      throw new Jump(false, k.label());
    } else if (node instanceof Script.Return) {
      throw new Return();
    } else if (node instanceof Script.Raise r) {
      raise(r);
    } else if (node instanceof Script.Assert a) {
      if (!isTrue(a.condition())) {
        throw new JobFailure(
            "invalidQuery",
            "Assertion failed: " + (a.description() != null ? a.description() : a.text()));
      }
    } else if (node instanceof Script.Execute e) {
      execute(e);
    } else if (node instanceof Script.Sql sql) {
      TranslatedStatement st = resolving(names -> sql.translate(names, types(), temps));
      aboutToRun(st, sql.position());
      statement(st, this::value);
    }
  }

  private void declare(Script.Declare d) throws JobFailure, SQLException {
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
  }

  private Variable declared(String name) throws JobFailure {
    Variable v = variables.get(name);
    if (v == null) {
      throw new JobFailure("invalidQuery", "Undeclared variable: " + name);
    }
    return v;
  }

  /**
   * One iteration of a loop's body; false when the loop ends (BREAK/LEAVE of this loop). A jump
   * naming another loop's label goes on to that loop.
   */
  private boolean iteration(Script.Node loop, String label, List<Script.Node> body)
      throws JobFailure, SQLException {
    step(loop);
    try {
      runAll(body);
      return true;
    } catch (Jump jump) {
      if (jump.label != null && !jump.label.equals(label)) {
        throw jump;
      }
      return !jump.leave;
    }
  }

  /**
   * {@code FOR x IN (query)}: the rows are read first; {@code x.column} is each row's value, and
   * {@code x} the row as a STRUCT (bound with JDBC's createStruct).
   */
  private void forLoop(Script.For loop) throws JobFailure, SQLException {
    TranslatedStatement st = resolving(names -> loop.query().translate(names, types(), temps));
    aboutToRun(st, loop.query().position());
    bytes += queries.checkNames(record, q, st, !inTransaction);
    List<Map<String, Variable>> rows = new ArrayList<>();
    try (PreparedStatement ps = QueryRunner.prepare(c, st.duckDbSql(), st, this::value);
        ResultSet rs = ps.executeQuery()) {
      ResultSetMetaData md = rs.getMetaData();
      List<String> fields = new ArrayList<>();
      for (int k = 1; k <= md.getColumnCount(); k++) {
        fields.add(Catalog.quote(md.getColumnName(k)) + " " + md.getColumnTypeName(k));
      }
      String rowType = "STRUCT(" + String.join(", ", fields) + ")";
      while (rs.next()) {
        Map<String, Variable> row = new LinkedHashMap<>();
        Object[] values = new Object[md.getColumnCount()];
        for (int k = 1; k <= md.getColumnCount(); k++) {
          String type = md.getColumnTypeName(k);
          String name = loop.variable() + "." + md.getColumnName(k).toLowerCase(Locale.ROOT);
          values[k - 1] = read(rs, k, type);
          row.put(name, new Variable(type, values[k - 1]));
        }
        row.put(loop.variable(), new Variable(rowType, new Row(values)));
        rows.add(row);
      }
    }
    try {
      for (Map<String, Variable> row : rows) {
        variables.putAll(row);
        if (!iteration(loop, loop.label(), loop.body())) {
          break;
        }
      }
    } finally {
      if (!rows.isEmpty()) {
        variables.keySet().removeAll(rows.get(0).keySet());
      }
    }
  }

  /** A FOR loop's row, bound as a STRUCT of its columns. */
  private record Row(Object[] values) {}

  /** {@code BEGIN ... EXCEPTION WHEN ERROR THEN ... END}: the handler runs on any failure. */
  private void block(Script.Block block) throws JobFailure, SQLException {
    if (block.handler() == null) {
      runAll(block.body());
      return;
    }
    try {
      runAll(block.body());
    } catch (JobFailure f) {
      // The failed statement's work is undone; a transaction it was in is over (ROLLBACK
      // TRANSACTION in the handler is then accepted, COMMIT refused).
      c.rollback();
      if (inTransaction) {
        inTransaction = false;
        transactionAborted = true;
      }
      Variable oldMessage = variables.get(ERROR_MESSAGE);
      Variable oldStatement = variables.get(ERROR_STATEMENT);
      variables.put(ERROR_MESSAGE, new Variable("VARCHAR", lastErrorMessage));
      variables.put(ERROR_STATEMENT, new Variable("VARCHAR", lastErrorStatement));
      handling.push(f);
      try {
        runAll(block.handler());
      } finally {
        handling.pop();
        restore(ERROR_MESSAGE, oldMessage);
        restore(ERROR_STATEMENT, oldStatement);
      }
    }
  }

  private void restore(String name, Variable old) {
    if (old == null) {
      variables.remove(name);
    } else {
      variables.put(name, old);
    }
  }

  private void raise(Script.Raise r) throws JobFailure, SQLException {
    if (r.message() == null) {
      if (handling.isEmpty()) {
        throw new JobFailure(
            "invalidQuery", "RAISE without USING MESSAGE is only allowed in an exception handler");
      }
      throw handling.peek();
    }
    Object message = evaluateAs(r.message(), "VARCHAR").value();
    throw new JobFailure("invalidQuery", message == null ? "NULL" : message.toString());
  }

  /** {@code SET (a, b) = (x, y)} / {@code = (SELECT AS STRUCT ...)}. */
  private void assignMany(Script.AssignMany a) throws JobFailure, SQLException {
    List<String> types = new ArrayList<>();
    for (String name : a.names()) {
      types.add(declared(name).duckDbType());
    }
    Script.Sql row = a.value().asRow();
    TranslatedStatement st = resolving(names -> row.translate(names, types(), temps));
    aboutToRun(st, row.position());
    List<Object> values = oneRow(st, types, this::value);
    for (int k = 0; k < a.names().size(); k++) {
      variables.put(a.names().get(k), new Variable(types.get(k), values.get(k)));
    }
  }

  /**
   * The one row of a query, each column cast to {@code types}: NULLs for no row, BigQuery's error
   * for more than one, or for a different number of columns.
   */
  private List<Object> oneRow(TranslatedStatement st, List<String> types, QueryRunner.Binder binder)
      throws JobFailure, SQLException {
    int columns;
    try (PreparedStatement ps = QueryRunner.prepare(c, st.duckDbSql(), st, binder)) {
      columns = ps.getMetaData().getColumnCount();
    }
    if (columns != types.size()) {
      throw new JobFailure(
          "invalidQuery",
          "Expected "
              + types.size()
              + " values to assign to "
              + types.size()
              + " variables, but the query returns "
              + columns);
    }
    StringBuilder sql = new StringBuilder("SELECT ");
    StringBuilder names = new StringBuilder();
    for (int k = 0; k < columns; k++) {
      sql.append(k == 0 ? "" : ", ").append("CAST(c").append(k).append(" AS ");
      sql.append(types.get(k)).append(')');
      names.append(k == 0 ? "" : ", ").append('c').append(k);
    }
    sql.append(" FROM (").append(st.duckDbSql()).append(") AS bq_row(").append(names).append(')');
    List<Object> values = new ArrayList<>();
    try (PreparedStatement ps = QueryRunner.prepare(c, sql.toString(), st, binder);
        ResultSet rs = ps.executeQuery()) {
      if (rs.next()) {
        for (int k = 0; k < columns; k++) {
          values.add(read(rs, k + 1, types.get(k)));
        }
        if (rs.next()) {
          throw new JobFailure("invalidQuery", "Scalar subquery produced more than one element");
        }
      } else {
        for (int k = 0; k < columns; k++) {
          values.add(null);
        }
      }
    }
    return values;
  }

  /**
   * {@code EXECUTE IMMEDIATE}: the statement sees only its USING values ({@code ?} in order, or
   * {@code @name}), not the script's variables, as in BigQuery; {@code INTO} takes its one row.
   */
  private void execute(Script.Execute e) throws JobFailure, SQLException {
    Object text = evaluateAs(e.sql(), "VARCHAR").value();
    if (text == null) {
      throw new JobFailure("invalidQuery", "EXECUTE IMMEDIATE's SQL string is NULL");
    }
    List<Variable> using = new ArrayList<>();
    for (Script.Expression value : e.using()) {
      using.add(evaluate(value));
    }
    ParameterTypes types = ref -> usingValue(e, using, ref).duckDbType();
    QueryRunner.Binder binder = (ref, connection) -> usingValue(e, using, ref).value();
    String sql = text.toString();
    if (Script.isScript(sql)) {
      throw new JobFailure(
          "invalidQuery",
          "EXECUTE IMMEDIATE of a script is not supported by the local server (one statement)");
    }
    TranslatedStatement st;
    try {
      // Parsed like a script's statement so that the script's temporary tables are visible.
      List<Script.Node> parsed = Script.parse(sql).statements();
      if (parsed.size() != 1 || !(parsed.get(0) instanceof Script.Sql one)) {
        throw new SqlTranslationException("Syntax error: Expected one SQL statement");
      }
      st = one.translate(Set.of(), types, temps);
    } catch (SqlTranslationException ex) {
      throw new JobFailure("invalidQuery", ex.getMessage() + " (in EXECUTE IMMEDIATE)");
    }
    try {
      if (e.into().isEmpty()) {
        statement(st, binder);
        return;
      }
      List<String> intoTypes = new ArrayList<>();
      for (String name : e.into()) {
        intoTypes.add(declared(name).duckDbType());
      }
      bytes += queries.checkNames(record, q, st, !inTransaction);
      List<Object> values = oneRow(st, intoTypes, binder);
      for (int k = 0; k < e.into().size(); k++) {
        variables.put(e.into().get(k), new Variable(intoTypes.get(k), values.get(k)));
      }
    } catch (SQLException ex) {
      JobFailure f = EngineErrors.of(ex, record.location, sql, st.duckDbSql(), null);
      throw new JobFailure(f.error.getReason(), f.error.getMessage() + " (in EXECUTE IMMEDIATE)");
    }
  }

  private static Variable usingValue(Script.Execute e, List<Variable> using, ParameterRef ref) {
    if (ref.variable()) {
      throw new IllegalArgumentException("Unrecognized name: " + ref.name());
    }
    if (ref.isPositional()) {
      if (ref.position() > using.size()) {
        throw new IllegalArgumentException(
            "EXECUTE IMMEDIATE's SQL reads ? number "
                + ref.position()
                + " but USING gives "
                + using.size()
                + (using.size() == 1 ? " value" : " values"));
      }
      return using.get(ref.position() - 1);
    }
    for (int k = 0; k < using.size(); k++) {
      if (ref.name().equals(e.usingNames().get(k))) {
        return using.get(k);
      }
    }
    throw new IllegalArgumentException("Query parameter '" + ref.name() + "' not found");
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
        transactionAborted = false;
        transactionStart = t.position();
      }
      case "COMMIT", "ROLLBACK" -> {
        if (!inTransaction && transactionAborted && t.action().equals("ROLLBACK")) {
          transactionAborted = false; // its failure already undid it
          return;
        }
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

  private void statement(TranslatedStatement st, QueryRunner.Binder binder)
      throws JobFailure, SQLException {
    long statementBytes = queries.checkNames(record, q, st, !inTransaction);
    Execution e = queries.execute(c, record, q, st, statementBytes, binder);
    bytes += statementBytes;
    lastStatistics = e.queryStatistics;
    result = e.resultTable;
    if (!inTransaction) {
      // Outside a transaction each statement of a script takes effect on success, as in BigQuery.
      c.commit();
    }
  }

  /** The statement translated with the variables it uses, columns of the same name first. */
  private TranslatedStatement resolving(Function<Set<String>, TranslatedStatement> translate)
      throws SQLException {
    return columnsFirst.translate(variables.keySet(), translate);
  }

  /**
   * Remembers what is about to run on DuckDB and where it starts in the script, so that an engine
   * error can be placed at the occurrence DuckDB marks.
   */
  private void aboutToRun(TranslatedStatement st, String start) {
    lastDuckDbSql = st.duckDbSql();
    lastStart = start;
  }

  /** Whether the condition is TRUE (NULL and FALSE are not). */
  private boolean isTrue(Script.Expression condition) throws SQLException {
    return Boolean.TRUE.equals(evaluate(condition).value());
  }

  /** Evaluates an expression with the variables as they are now. */
  private Variable evaluate(Script.Expression expression) throws SQLException {
    TranslatedStatement st = resolving(names -> expression.translate(names, types()));
    aboutToRun(st, expression.position());
    try (PreparedStatement ps = QueryRunner.prepare(c, st.duckDbSql(), st, this::value);
        ResultSet rs = ps.executeQuery()) {
      ResultSetMetaData md = rs.getMetaData();
      String type = md.getColumnTypeName(1);
      rs.next();
      return new Variable(type, read(rs, 1, type));
    }
  }

  /** Evaluates an expression as the variable's declared type (BigQuery coerces on SET). */
  private Variable evaluateAs(Script.Expression expression, String duckDbType) throws SQLException {
    TranslatedStatement st = resolving(names -> expression.translate(names, types()));
    aboutToRun(st, expression.position());
    String sql = "SELECT CAST((" + st.duckDbSql() + ") AS " + duckDbType + ")";
    try (PreparedStatement ps = QueryRunner.prepare(c, sql, st, this::value);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return new Variable(duckDbType, read(rs, 1, duckDbType));
    }
  }

  private static Object read(ResultSet rs, int column, String duckDbType) throws SQLException {
    if (duckDbType.equals("BLOB")) {
      return rs.getBytes(column);
    }
    if (duckDbType.equals("JSON")) {
      return rs.getString(column);
    }
    return rs.getObject(column);
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
      Variable v = variables.get(ref.name());
      return v.value() instanceof Row row
          ? connection.createStruct(v.duckDbType(), row.values())
          : v.value();
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
