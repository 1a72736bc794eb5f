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
        assertThrows(SqlTranslationException.class, () -> Script.parse("IF TRUE THEN SELECT 1;"))
            .getMessage(),
        equalTo("Syntax error: Unexpected end of script at [1:22]"));
    assertThat(
        assertThrows(SqlTranslationException.class, () -> Script.parse("CALL ds.proc()"))
            .getMessage(),
        equalTo("CALL statements are not supported by the local server at [1:1]"));
  }
}
