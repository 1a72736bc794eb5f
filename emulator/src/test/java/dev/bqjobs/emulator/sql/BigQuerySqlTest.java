package dev.bqjobs.emulator.sql;

import static dev.bqjobs.emulator.sql.Refusals.refusal;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import org.junit.Test;

/** Translation results, checked as text. {@link DuckDbExecutionTest} runs them on DuckDB. */
public class BigQuerySqlTest {
  private static String sql(String bigQuery) {
    return BigQuerySql.translate(bigQuery).duckDbSql();
  }

  private static StatementType type(String bigQuery) {
    return BigQuerySql.translate(bigQuery).statementType();
  }

  @Test
  public void quotesBacktickPathsPartByPart() {
    assertThat(sql("SELECT x FROM `p.d.t`"), equalTo("SELECT x FROM \"p\".\"d\".\"t\""));
    assertThat(sql("SELECT x FROM `d.t`"), equalTo("SELECT x FROM \"d\".\"t\""));
    assertThat(sql("SELECT x FROM `p`.`d`.`t`"), equalTo("SELECT x FROM \"p\".\"d\".\"t\""));
    assertThat(
        sql("SELECT x FROM `my-project`.ds.t"), equalTo("SELECT x FROM \"my-project\".ds.t"));
    assertThat(
        sql("SELECT x FROM my-project.ds.t"), equalTo("SELECT x FROM \"my-project\".\"ds\".\"t\""));
    assertThat(sql("SELECT `col` FROM t"), equalTo("SELECT \"col\" FROM t"));
  }

  @Test
  public void rewritesStringAndBytesLiterals() {
    assertThat(sql("SELECT \"it's\" AS a"), equalTo("SELECT 'it''s' AS a"));
    assertThat(sql("SELECT 'a\\nb' AS a"), equalTo("SELECT 'a\nb' AS a"));
    assertThat(sql("SELECT r'\\d+' AS a"), equalTo("SELECT '\\d+' AS a"));
    assertThat(sql("SELECT b'AB' AS a"), equalTo("SELECT '\\x41\\x42'::BLOB AS a"));
  }

  @Test
  public void typesLiteralsLikeBigQuery() {
    assertThat(
        sql("SELECT 1.5 a, 1e3 b, .5 c, 2 d"),
        equalTo("SELECT CAST(1.5 AS DOUBLE) a, CAST(1e3 AS DOUBLE) b, CAST(.5 AS DOUBLE) c, 2 d"));
    assertThat(sql("SELECT NUMERIC '1.5' a"), equalTo("SELECT CAST('1.5' AS DECIMAL(38,9)) a"));
    assertThat(sql("SELECT BIGNUMERIC '1.5' a"), equalTo("SELECT CAST('1.5' AS DECIMAL(38,18)) a"));
    assertThat(
        sql("SELECT DATETIME '2024-01-01 00:00:00' a"),
        equalTo("SELECT TIMESTAMP '2024-01-01 00:00:00' a"));
    assertThat(
        sql("SELECT TIMESTAMP '2024-01-01' a"),
        equalTo("SELECT CAST('2024-01-01' AS TIMESTAMPTZ) a"));
    assertThat(sql("SELECT DATE '2024-01-01' a"), equalTo("SELECT DATE '2024-01-01' a"));
  }

  @Test
  public void translatesTypes() {
    assertThat(
        sql(
            "SELECT CAST(a AS INT64) a, SAFE_CAST(b AS FLOAT64) b, CAST(c AS STRING(10)) c,"
                + " CAST(d AS ARRAY<STRUCT<x BYTES, y BIGNUMERIC>>) d"),
        equalTo(
            "SELECT CAST(a AS BIGINT) a, TRY_CAST(b AS DOUBLE) b, CAST(c AS VARCHAR) c,"
                + " CAST(d AS STRUCT(\"x\" BLOB, \"y\" DECIMAL(38,18))[]) d"));
    assertThat(
        sql(
            "CREATE TABLE ds.t (a INT64 NOT NULL, b ARRAY<DATETIME>, c STRUCT<d TIMESTAMP, e BOOL>)"),
        equalTo(
            "CREATE TABLE ds.t (a BIGINT NOT NULL, b TIMESTAMP[], c STRUCT(\"d\" TIMESTAMPTZ, \"e\" BOOLEAN))"));
    assertThat(sql("SELECT ARRAY<INT64>[1, 2] a"), equalTo("SELECT CAST([1, 2] AS BIGINT[]) a"));
  }

  @Test
  public void namesAnonymousColumnsOfTheOutermostQuery() {
    assertThat(
        sql(
            "SELECT a, t.b, `c`, 1 + 1, x AS y, count(*) n, t.*, * EXCEPT (z), UPPER(s), 'lit'"
                + " FROM t"),
        equalTo(
            "SELECT a, t.b, \"c\", 1 + 1 AS f0_, x AS y, count(*) n, t.*, * EXCEPT (z),"
                + " UPPER(s) AS f1_, 'lit' AS f2_ FROM t"));
    assertThat(
        sql("WITH w AS (SELECT 1) (SELECT 2 UNION ALL SELECT 3)"),
        equalTo("WITH w AS (SELECT 1) (SELECT 2 AS f0_ UNION ALL SELECT 3)"));
    assertThat(sql("SELECT DISTINCT a + b FROM t"), equalTo("SELECT DISTINCT a + b AS f0_ FROM t"));
    assertThat(
        sql("SELECT CURRENT_DATE() + INTERVAL 1 DAY"),
        equalTo("SELECT current_date + INTERVAL 1 DAY AS f0_"));
    assertThat(sql("SELECT AS STRUCT 1 a"), equalTo("SELECT AS STRUCT 1 a"));
  }

  @Test
  public void detectsStatementTypes() {
    assertThat(type("SELECT 1"), equalTo(StatementType.SELECT));
    assertThat(type("-- c\n(SELECT 1)"), equalTo(StatementType.SELECT));
    assertThat(type("WITH a AS (SELECT 1) SELECT * FROM a;"), equalTo(StatementType.SELECT));
    assertThat(type("INSERT INTO ds.t VALUES (1)"), equalTo(StatementType.INSERT));
    assertThat(type("UPDATE ds.t SET a = 1 WHERE true"), equalTo(StatementType.UPDATE));
    assertThat(type("DELETE FROM ds.t WHERE true"), equalTo(StatementType.DELETE));
    assertThat(
        type("MERGE ds.t USING ds.s ON t.a = s.a WHEN MATCHED THEN DELETE"),
        equalTo(StatementType.MERGE));
    assertThat(type("CREATE TABLE ds.t (a INT64)"), equalTo(StatementType.CREATE_TABLE));
    assertThat(
        type("CREATE TABLE ds.t AS SELECT 1 a"), equalTo(StatementType.CREATE_TABLE_AS_SELECT));
    assertThat(type("CREATE VIEW ds.v AS SELECT 1 a"), equalTo(StatementType.CREATE_VIEW));
    assertThat(type("DROP TABLE ds.t"), equalTo(StatementType.DROP_TABLE));
    assertThat(type("DROP VIEW ds.v"), equalTo(StatementType.DROP_VIEW));
    assertThat(type("TRUNCATE TABLE ds.t"), equalTo(StatementType.TRUNCATE_TABLE));
    assertThat(type("CREATE SCHEMA ds"), equalTo(StatementType.CREATE_SCHEMA));
    assertThat(type("DROP SCHEMA ds CASCADE"), equalTo(StatementType.DROP_SCHEMA));
  }

  @Test
  public void addsTheKeywordsBigQueryLetsUsersLeaveOut() {
    assertThat(sql("INSERT ds.t (a) VALUES (1)"), equalTo("INSERT INTO ds.t (a) VALUES (1)"));
    assertThat(sql("DELETE ds.t WHERE a = 1"), equalTo("DELETE FROM ds.t WHERE a = 1"));
    assertThat(
        sql("MERGE ds.t USING s ON true WHEN MATCHED THEN DELETE"),
        equalTo("MERGE INTO ds.t USING s ON true WHEN MATCHED THEN DELETE"));
  }

  @Test
  public void dropsBigQueryOnlyDdlClauses() {
    assertThat(
        sql(
            "CREATE TABLE ds.t (a DATE OPTIONS(description = 'x')) PARTITION BY a CLUSTER BY a, b"
                + " OPTIONS (expiration_timestamp = TIMESTAMP '2030-01-01')"),
        equalTo("CREATE TABLE ds.t (a DATE )"));
    assertThat(sql("CREATE SCHEMA ds OPTIONS (location = 'EU')"), equalTo("CREATE SCHEMA ds"));
  }

  @Test
  public void reportsTargetsAndFlags() {
    TranslatedStatement create =
        BigQuerySql.translate("CREATE OR REPLACE TABLE `p.d.t` AS SELECT 1 a");
    assertThat(create.targetTable(), equalTo(new TableName("p", "d", "t")));
    assertThat(create.orReplace(), equalTo(true));
    TranslatedStatement drop = BigQuerySql.translate("DROP VIEW IF EXISTS d.v");
    assertThat(drop.targetTable(), equalTo(new TableName(null, "d", "v")));
    assertThat(drop.ifExists(), equalTo(true));
    TranslatedStatement schema = BigQuerySql.translate("CREATE SCHEMA IF NOT EXISTS `p`.d");
    assertThat(schema.targetDataset(), equalTo(new DatasetName("p", "d")));
    assertThat(schema.targetTable(), nullValue());
    assertThat(schema.ifNotExists(), equalTo(true));
    assertThat(
        BigQuerySql.translate("INSERT t (a) SELECT 1").targetTable(),
        equalTo(new TableName(null, null, "t")));
  }

  @Test
  public void findsReferencedTables() {
    assertThat(
        BigQuerySql.translate(
                "WITH c AS (SELECT * FROM `p.d.a`) SELECT EXTRACT(DAY FROM x) FROM c JOIN d.b ON true,"
                    + " d.e AS e, e.arr, UNNEST([1]) LEFT JOIN (SELECT 1 FROM f) ON true"
                    + " WHERE 1 IN UNNEST([1]) AND EXISTS (SELECT 1 FROM d.b)")
            .referencedTables(),
        contains(
            new TableName("p", "d", "a"),
            new TableName(null, "d", "b"),
            new TableName(null, "d", "e"),
            new TableName(null, null, "f")));
    assertThat(
        BigQuerySql.translate("MERGE d.t T USING d.s S ON T.a = S.a WHEN MATCHED THEN DELETE")
            .referencedTables(),
        contains(new TableName(null, "d", "s")));
    assertThat(BigQuerySql.translate("DELETE FROM d.t WHERE true").referencedTables(), empty());
  }

  @Test
  public void replacesNamedParametersByNumberedPlaceholders() {
    TranslatedStatement st =
        BigQuerySql.translate("SELECT * FROM t WHERE a = @x AND b = @y OR c = @X");
    assertThat(st.duckDbSql(), equalTo("SELECT * FROM t WHERE a = $1 AND b = $2 OR c = $1"));
    assertThat(st.parameterNames(), contains("x", "y"));
  }

  @Test
  public void numbersPositionalParametersInOrderOfAppearance() {
    TranslatedStatement st = BigQuerySql.translate("SELECT ? + ?, SAFE_DIVIDE(1, ?)");
    // SAFE_DIVIDE emits its divisor twice: one placeholder, one bound value.
    assertThat(
        st.duckDbSql(),
        equalTo("SELECT $1 + $2 AS f0_, CASE WHEN ($3) = 0 THEN NULL ELSE (1) / ($3) END AS f1_"));
    assertThat(st.parameterNames(), contains("?1", "?2", "?3"));
  }

  @Test
  public void rejectsScriptsAndUnsupportedStatements() {
    assertThat(
        refusal("SELECT 1; SELECT 2"), equalTo("Scripts are not supported by the local server"));
    assertThat(
        refusal("DECLARE x INT64"), equalTo("Scripts are not supported by the local server"));
    assertThat(
        refusal("CREATE TABLE ds.t (a INT64, b STRING) AS SELECT 1, 'x'"),
        containsString("CREATE TABLE with a column list AS SELECT"));
    assertThat(
        refusal("CREATE TEMP TABLE t (a INT64)"),
        equalTo("Use of CREATE TEMPORARY TABLE requires a script or session at [1:8]"));
    assertThat(
        refusal("#legacySQL\nSELECT 1"),
        equalTo("Legacy SQL is not supported by the local server"));
    assertThat(
        refusal("CREATE FUNCTION f() AS (1)"),
        equalTo("Unsupported statement: CREATE FUNCTION is not supported by the local server"));
  }
}
