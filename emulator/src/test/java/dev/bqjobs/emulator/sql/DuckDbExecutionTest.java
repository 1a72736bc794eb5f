package dev.bqjobs.emulator.sql;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.Assert.assertThrows;

import com.google.api.services.bigquery.model.TableFieldSchema;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * Runs translated statements on a real in-memory DuckDB laid out like the engine's (project =
 * attached catalog, dataset = schema) and reads the results the way the engine does.
 */
public class DuckDbExecutionTest {
  private Connection connection;

  @Before
  public void setUp() throws SQLException {
    connection = DriverManager.getConnection("jdbc:duckdb:");
    run("ATTACH ':memory:' AS \"my-project\"");
    run("CREATE SCHEMA \"my-project\".ds");
    for (String setup : DuckDbTypes.databaseSetup()) {
      run(setup);
    }
    for (String setup : DuckDbTypes.sessionSetup()) {
      run(setup);
    }
    run("USE \"my-project\"");
    run("CREATE TABLE ds.people (id BIGINT, name VARCHAR, dept VARCHAR, salary DOUBLE, born DATE)");
    run(
        "INSERT INTO ds.people VALUES (1, 'ann', 'eng', 100, DATE '1990-01-31'),"
            + " (2, 'bob', 'eng', 80, DATE '1985-06-01'), (3, 'cy', 'ops', 50, DATE '2000-12-24')");
  }

  @After
  public void tearDown() throws SQLException {
    connection.close();
  }

  private void run(String duckDbSql) throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute(duckDbSql);
    }
  }

  /** A query result: BigQuery schema of each column and each row's cell values. */
  private record Result(List<TableFieldSchema> schema, List<List<Object>> rows) {
    List<String> names() {
      return schema.stream().map(TableFieldSchema::getName).toList();
    }

    List<String> types() {
      return schema.stream().map(TableFieldSchema::getType).toList();
    }

    Object cell(int row, int column) {
      return rows.get(row).get(column);
    }
  }

  private Result query(String bigQuerySql) throws SQLException {
    TranslatedStatement st = BigQuerySql.translate(bigQuerySql);
    // A fresh Statement per query: one failed statement closes the JDBC Statement in DuckDB.
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery(st.duckDbSql())) {
      ResultSetMetaData md = rs.getMetaData();
      List<TableFieldSchema> schema = new ArrayList<>();
      for (int i = 1; i <= md.getColumnCount(); i++) {
        schema.add(DuckDbTypes.fieldSchemaOf(md.getColumnName(i), md.getColumnTypeName(i)));
      }
      List<List<Object>> rows = new ArrayList<>();
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 0; i < schema.size(); i++) {
          row.add(DuckDbTypes.toCellValue(rs.getObject(i + 1), schema.get(i)));
        }
        rows.add(row);
      }
      return new Result(schema, rows);
    }
  }

  private long update(String bigQuerySql) throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute(BigQuerySql.translate(bigQuerySql).duckDbSql());
      return s.getUpdateCount();
    }
  }

  @Test
  public void resolvesAllThreeBacktickPathForms() throws SQLException {
    for (String table :
        List.of(
            "`my-project.ds.people`",
            "`ds.people`",
            "`my-project`.ds.people",
            "`my-project`.`ds`.`people`",
            "ds.people",
            "my-project.ds.people")) {
      assertThat(table, query("SELECT COUNT(*) AS n FROM " + table).cell(0, 0), equalTo("3"));
    }
  }

  @Test
  public void doubleQuotedStringsAreStrings() throws SQLException {
    Result r = query("SELECT name FROM ds.people WHERE name = \"ann\" AND 'it\\'s' = \"it's\"");
    assertThat(r.rows().size(), equalTo(1));
  }

  @Test
  public void typesResultsLikeBigQuery() throws SQLException {
    Result r =
        query(
            "SELECT 1.5, 1, 'x', TRUE, NUMERIC '1.50', BIGNUMERIC '2.5', DATE '2024-01-31',"
                + " DATETIME '2024-01-31 12:34:56.5', TIMESTAMP '2024-01-31 12:34:56.123456',"
                + " TIME '12:34:56', b'AB', [1, 2], STRUCT(1 AS a, 'x' AS b), CAST(NULL AS STRING),"
                + " 1e10, CAST('NaN' AS FLOAT64), JSON '{\"a\": 1}'");
    assertThat(
        r.types(),
        contains(
            "FLOAT",
            "INTEGER",
            "STRING",
            "BOOLEAN",
            "NUMERIC",
            "BIGNUMERIC",
            "DATE",
            "DATETIME",
            "TIMESTAMP",
            "TIME",
            "BYTES",
            "INTEGER",
            "RECORD",
            "STRING",
            "FLOAT",
            "FLOAT",
            "JSON"));
    assertThat(r.schema().get(11).getMode(), equalTo("REPEATED"));
    assertThat(
        r.rows().get(0),
        contains(
            equalTo("1.5"),
            equalTo("1"),
            equalTo("x"),
            equalTo("true"),
            equalTo("1.5"),
            equalTo("2.5"),
            equalTo("2024-01-31"),
            equalTo("2024-01-31T12:34:56.500000"),
            equalTo("1.706704496123456E9"),
            equalTo("12:34:56"),
            equalTo("QUI="),
            equalTo(List.of(java.util.Map.of("v", "1"), java.util.Map.of("v", "2"))),
            equalTo(
                java.util.Map.of(
                    "f", List.of(java.util.Map.of("v", "1"), java.util.Map.of("v", "x")))),
            equalTo(null),
            equalTo("1.0E10"),
            equalTo("NaN"),
            equalTo("{\"a\":1}")));
    assertThat(
        r.names(),
        contains(
            "f0_", "f1_", "f2_", "f3_", "f4_", "f5_", "f6_", "f7_", "f8_", "f9_", "f10_", "f11_",
            "f12_", "f13_", "f14_", "f15_", "f16_"));
  }

  @Test
  public void functionRewritesRun() throws SQLException {
    Result r =
        query(
            "SELECT SAFE_CAST('x' AS INT64) a, GENERATE_ARRAY(1, 3) b,"
                + " REGEXP_CONTAINS('abc123', r'\\d+') c,"
                + " DATE_DIFF(DATE '2024-01-31', DATE '2024-01-01', DAY) d,"
                + " DATE_DIFF(DATE '2024-01-01', DATE '2024-01-31', DAY) e,"
                + " CURRENT_TIMESTAMP() f, REGEXP_EXTRACT('abc123', r'[a-z]+(\\d)') g,"
                + " REGEXP_EXTRACT('abc', r'\\d') h, REGEXP_REPLACE('aaa', 'a', 'b') i,"
                + " SAFE_DIVIDE(1, 0) j, SAFE_DIVIDE(3, 2) k, DIV(-7, 2) l, IF(1 < 2, 'y', 'n') m,"
                + " CONCAT('a', NULL) n, SPLIT('a,b') o, LOGICAL_AND(true) p,"
                + " DATE_ADD(DATE '2024-01-31', INTERVAL 1 MONTH) q,"
                + " DATE_SUB(DATE '2024-01-31', INTERVAL 2 DAY) r,"
                + " TIMESTAMP_DIFF(TIMESTAMP '2001-02-01 01:00:00', TIMESTAMP '2001-02-01 00:00:01', HOUR) s,"
                + " DATE_DIFF(DATE '2017-10-15', DATE '2017-10-14', WEEK) t,"
                + " FORMAT_DATE('%Y/%m/%d', DATE '2024-01-31') u, LOG(100, 10) v,"
                + " TO_JSON_STRING(STRUCT(1 AS a)) w, IFNULL(NULL, 2) x, COUNTIF(true) y,"
                + " ARRAY_LENGTH([1, 2]) z, STARTS_WITH('abc', 'a') aa, ENDS_WITH('abc', 'c') ab,"
                + " STRUCT(1, 'x') ac, [10, 20][OFFSET(1)] ad, [10, 20][ORDINAL(1)] ae,"
                + " EXTRACT(DAYOFWEEK FROM DATE '2024-01-07') af, DATE_TRUNC(DATE '2024-01-10', WEEK) ag,"
                + " GENERATE_ARRAY(5, 1, -2) ah, 2 IN UNNEST([1, 2]) ai, CURRENT_DATE() aj,"
                + " CURRENT_DATETIME() ak, STRUCT<a INT64, b STRING>(1, 'x') al");
    List<Object> row = r.rows().get(0);
    assertThat(row.get(0), equalTo(null));
    assertThat(
        row.get(1),
        equalTo(
            List.of(
                java.util.Map.of("v", "1"),
                java.util.Map.of("v", "2"),
                java.util.Map.of("v", "3"))));
    assertThat(row.get(2), equalTo("true"));
    assertThat(row.get(3), equalTo("30"));
    assertThat(row.get(4), equalTo("-30"));
    assertThat(r.types().get(5), equalTo("TIMESTAMP"));
    assertThat((String) row.get(5), matchesPattern("1\\.\\d+E9"));
    assertThat(row.get(6), equalTo("1"));
    assertThat(row.get(7), equalTo(null));
    assertThat(row.get(8), equalTo("bbb"));
    assertThat(row.get(9), equalTo(null));
    assertThat(row.get(10), equalTo("1.5"));
    assertThat(row.get(11), equalTo("-3"));
    assertThat(row.get(12), equalTo("y"));
    assertThat(row.get(13), equalTo(null));
    assertThat(
        row.get(14), equalTo(List.of(java.util.Map.of("v", "a"), java.util.Map.of("v", "b"))));
    assertThat(row.get(15), equalTo("true"));
    assertThat(row.subList(16, 18), contains("2024-02-29", "2024-01-29"));
    assertThat(r.types().subList(16, 18), contains("DATE", "DATE"));
    assertThat(row.get(18), equalTo("0"));
    assertThat(row.get(19), equalTo("1"));
    assertThat(row.get(20), equalTo("2024/01/31"));
    assertThat(row.get(21), equalTo("2.0"));
    assertThat(row.get(22), equalTo("{\"a\":1}"));
    assertThat(row.subList(23, 28), contains("2", "1", "2", "true", "true"));
    assertThat(r.types().get(28), equalTo("RECORD"));
    assertThat(row.subList(29, 33), contains("20", "10", "1", "2024-01-07"));
    assertThat(
        row.get(33),
        equalTo(
            List.of(
                java.util.Map.of("v", "5"),
                java.util.Map.of("v", "3"),
                java.util.Map.of("v", "1"))));
    assertThat(row.get(34), equalTo("true"));
    assertThat(r.types().subList(35, 37), contains("DATE", "DATETIME"));
    assertThat(
        row.get(28),
        equalTo(
            java.util.Map.of(
                "f", List.of(java.util.Map.of("v", "1"), java.util.Map.of("v", "x")))));
    assertThat(r.schema().get(28).getFields().get(0).getName(), equalTo("_field_1"));
    assertThat(r.schema().get(37).getFields().get(1).getName(), equalTo("b"));
    assertThat(row.get(37), equalTo(row.get(28)));
  }

  @Test
  public void cteJoinGroupByWindowQualifyAndExcept() throws SQLException {
    Result r =
        query(
            "WITH d AS (SELECT 'eng' AS dept, 'Engineering' AS title UNION ALL SELECT 'ops', 'Ops')"
                + " SELECT d.title, COUNT(*) AS n, SUM(p.salary),"
                + " RANK() OVER (ORDER BY COUNT(*) DESC) AS rk"
                + " FROM `my-project.ds.people` AS p JOIN d ON p.dept = d.dept"
                + " GROUP BY d.title ORDER BY rk");
    assertThat(r.names(), contains("title", "n", "f0_", "rk"));
    assertThat(r.rows().get(0), contains("Engineering", "2", "180.0", "1"));
    Result except =
        query(
            "SELECT * EXCEPT (salary, born) REPLACE (UPPER(name) AS name) FROM ds.people"
                + " QUALIFY ROW_NUMBER() OVER (PARTITION BY dept ORDER BY id) = 1 ORDER BY id");
    assertThat(except.names(), contains("id", "name", "dept"));
    assertThat(except.rows().get(1), contains("3", "CY", "ops"));
    Result unnest = query("SELECT x FROM UNNEST([3, 4]) AS x ORDER BY x");
    assertThat(unnest.rows().get(1), contains("4"));
    // DuckDB has no WITH OFFSET: its WITH ORDINALITY, counted from 0.
    Result offsets = query("SELECT x, o FROM UNNEST([3, 4]) AS x WITH OFFSET AS o ORDER BY o");
    assertThat(offsets.rows().get(1), contains("4", "1"));
  }

  @Test
  public void dmlAndDdlRun() throws SQLException {
    update(
        "CREATE TABLE ds.t (a INT64, b STRING, c ARRAY<STRUCT<x FLOAT64>>, d NUMERIC) OPTIONS (description = 'x')");
    assertThat(update("INSERT ds.t (a, b) VALUES (1, 'x'), (2, 'y')"), equalTo(2L));
    assertThat(update("UPDATE ds.t SET b = 'z' WHERE a = 2"), equalTo(1L));
    assertThat(update("DELETE ds.t WHERE a = 1"), equalTo(1L));
    update(
        "CREATE OR REPLACE TABLE `my-project.ds.s` AS SELECT 2 AS a, 'new' AS b UNION ALL SELECT 3, 'ins'");
    assertThat(
        update(
            "MERGE ds.t T USING ds.s S ON T.a = S.a WHEN MATCHED THEN UPDATE SET b = S.b"
                + " WHEN NOT MATCHED THEN INSERT (a, b) VALUES (S.a, S.b)"),
        equalTo(2L));
    assertThat(
        query("SELECT a, b FROM ds.t ORDER BY a").rows(),
        contains(List.of("2", "new"), List.of("3", "ins")));
    update("CREATE VIEW ds.v AS SELECT a * 2, b FROM ds.t");
    assertThat(query("SELECT * FROM ds.v ORDER BY 1").names(), contains("f0_", "b"));
    update("CREATE TABLE IF NOT EXISTS ds.c AS SELECT 1 + 1, 'x' AS y");
    assertThat(query("SELECT * FROM ds.c").names(), contains("f0_", "y"));
    update("TRUNCATE TABLE ds.t");
    assertThat(query("SELECT COUNT(*) FROM ds.t").cell(0, 0), equalTo("0"));
    update("DROP VIEW ds.v");
    update("DROP TABLE IF EXISTS ds.t");
    update("CREATE SCHEMA IF NOT EXISTS ds2 OPTIONS (location = 'US')");
    update("DROP SCHEMA ds2");
    SQLException gone = assertThrows(SQLException.class, () -> query("SELECT * FROM ds.t"));
    assertThat(gone.getMessage(), containsString("ds.t"));
  }
}
