package dev.bqjobs.emulator.sql;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.instanceOf;
import static org.junit.Assert.assertThrows;

import java.util.List;
import java.util.Set;
import org.junit.Test;

/** Splitting a script into statements, without a database. */
public class ScriptTest {
  private static String parseError(String script) {
    return assertThrows(SqlTranslationException.class, () -> Script.parse(script)).getMessage();
  }

  @Test
  public void whatIsAScript() {
    assertThat(Script.isScript("SELECT 1;"), equalTo(false));
    assertThat(Script.isScript("SELECT 'a;b'"), equalTo(false));
    assertThat(Script.isScript("SELECT 1; SELECT 2"), equalTo(true));
    assertThat(Script.isScript("DECLARE x INT64"), equalTo(true));
    assertThat(Script.isScript("BEGIN TRANSACTION"), equalTo(true));
  }

  @Test
  public void parsesEachConstruct() {
    Script s =
        Script.parse(
            "DECLARE a, b INT64 DEFAULT 1;\n"
                + "SET a = (SELECT 2);\n"
                + "IF a > b THEN SELECT 1; ELSEIF CASE WHEN a = 1 THEN TRUE END THEN SELECT 2;"
                + " ELSE BEGIN SELECT 3; END; END IF;\n"
                + "BEGIN TRANSACTION; DELETE t WHERE TRUE; ROLLBACK TRANSACTION;\n"
                + "SELECT a");
    List<Script.Node> nodes = s.statements();
    assertThat(nodes, hasSize(7));
    Script.Declare declare = (Script.Declare) nodes.get(0);
    assertThat(declare.names(), contains("a", "b"));
    assertThat(declare.duckDbType(), equalTo("BIGINT"));
    assertThat(nodes.get(1), instanceOf(Script.Assign.class));
    Script.If branch = (Script.If) nodes.get(2);
    assertThat(branch.conditions(), hasSize(2));
    assertThat(branch.orElse().get(0), instanceOf(Script.Block.class));
    assertThat(((Script.Transaction) nodes.get(3)).action(), equalTo("BEGIN"));
    assertThat(((Script.Transaction) nodes.get(5)).action(), equalTo("ROLLBACK"));
    assertThat(nodes.get(6).position(), equalTo("[5:1]"));
  }

  @Test
  public void variablesBecomePlaceholders() {
    Script.Sql sql =
        (Script.Sql) Script.parse("SELECT n * 2, t.n FROM t; SELECT 1").statements().get(0);
    TranslatedStatement st = sql.translate(Set.of("n"), null);
    assertThat(st.duckDbSql(), equalTo("SELECT $1 * 2 AS f0_, t.n FROM t"));
    assertThat(st.parameterNames(), contains("n"));
  }

  @Test
  public void syntaxErrorsAndRefusals() {
    assertThat(
        parseError("IF TRUE THEN SELECT 1;"),
        equalTo("Syntax error: Unexpected end of script at [1:22]"));
    assertThat(
        parseError("CALL ds.proc()"),
        equalTo("CALL statements are not supported by the local server at [1:1]"));
  }

  @Test
  public void loopsLabelsAndHandlersParse() {
    Script s =
        Script.parse(
            "outer_loop: WHILE x < 3 DO\n"
                + "  REPEAT SET x = x + 1; UNTIL CASE WHEN x > 1 THEN TRUE END END REPEAT;\n"
                + "  FOR r IN (SELECT 1 AS a) DO CONTINUE outer_loop; END FOR;\n"
                + "END WHILE outer_loop;\n"
                + "BEGIN SELECT 1; EXCEPTION WHEN ERROR THEN RAISE; END;\n"
                + "ASSERT x > 0 AS 'positive';\n"
                + "SET (a, b) = (1, 2);\n"
                + "EXECUTE IMMEDIATE 'SELECT ?' INTO a USING 5;");
    List<Script.Node> nodes = s.statements();
    Script.While loop = (Script.While) nodes.get(0);
    assertThat(loop.label(), equalTo("outer_loop"));
    assertThat(loop.body().get(0), instanceOf(Script.Repeat.class));
    Script.For each = (Script.For) loop.body().get(1);
    assertThat(each.variable(), equalTo("r"));
    assertThat(((Script.Continue) each.body().get(0)).label(), equalTo("outer_loop"));
    Script.Block block = (Script.Block) nodes.get(1);
    assertThat(block.handler().get(0), instanceOf(Script.Raise.class));
    assertThat(s.textOf(block.body().get(0)), equalTo("SELECT 1"));
    Script.Assert check = (Script.Assert) nodes.get(2);
    assertThat(check.description(), equalTo("positive"));
    assertThat(check.text(), equalTo("x > 0"));
    assertThat(((Script.AssignMany) nodes.get(3)).names(), contains("a", "b"));
    Script.Execute execute = (Script.Execute) nodes.get(4);
    assertThat(execute.into(), contains("a"));
    assertThat(execute.using(), hasSize(1));
    assertThat(Script.isScript("l1: LOOP BREAK; END LOOP"), equalTo(true));
  }

  @Test
  public void misplacedJumpsAndLabelsAreSyntaxErrors() {
    assertThat(
        parseError("SELECT 1; CONTINUE;"),
        equalTo("Syntax error: CONTINUE is only allowed inside a loop at [1:11]"));
    assertThat(
        parseError("LOOP BREAK nowhere; END LOOP"),
        equalTo("Syntax error: Unknown label nowhere at [1:12]"));
    assertThat(
        parseError("a: LOOP BREAK; END LOOP b"),
        equalTo("Syntax error: Mismatched end label b for label a at [1:25]"));
    assertThat(
        parseError("a: SELECT 1"),
        equalTo("Syntax error: Expected a loop after label a but got keyword SELECT at [1:4]"));
    assertThat(
        parseError("SELECT 1; RAISE;"),
        equalTo(
            "Syntax error: RAISE without USING MESSAGE is only allowed in an exception handler"
                + " at [1:11]"));
  }

  @Test
  public void tempTablesAreNamedInTheScriptsDataset() {
    TempTables temps = new TempTables(TempTables.datasetFor("US", "job-1"));
    Script s =
        Script.parse(
            "CREATE TEMP TABLE t AS SELECT 1 AS t;\n"
                + "SELECT t.t, u.x FROM t, ds.u AS u WHERE t.t IN (SELECT t FROM t)");
    assertThat(s.createsTempTables(), equalTo(true));
    String create =
        ((Script.Sql) s.statements().get(0)).translate(Set.of(), null, temps).duckDbSql();
    assertThat(create, equalTo("CREATE TABLE \"_script_US_job_1\".\"t\" AS SELECT 1 AS t"));
    String select =
        ((Script.Sql) s.statements().get(1)).translate(Set.of(), null, temps).duckDbSql();
    // Only table positions change: t.t and the column t stay as written.
    assertThat(
        select,
        equalTo(
            "SELECT t.t, u.x FROM \"_script_US_job_1\".\"t\", ds.u AS u WHERE t.t IN (SELECT t"
                + " FROM \"_script_US_job_1\".\"t\")"));
  }

  @Test
  public void variablesNeverReplaceTablesOrWrittenColumns() {
    Script s =
        Script.parse(
            "INSERT n (n, t) VALUES (n, t);\n"
                + "UPDATE ds.n SET n = n + 1, t = t WHERE n > 0;\n"
                + "CREATE TABLE ds.x (n INT64, t STRING)");
    List<String> sql = new java.util.ArrayList<>();
    for (Script.Node node : s.statements()) {
      sql.add(((Script.Sql) node).translate(Set.of("n", "t"), null).duckDbSql());
    }
    assertThat(
        sql,
        contains(
            "INSERT INTO n (n, t) VALUES ($1, $2)",
            "UPDATE ds.n SET n = $1 + 1, t = $2 WHERE $1 > 0",
            "CREATE TABLE ds.x (n BIGINT, t VARCHAR)"));
  }
}
