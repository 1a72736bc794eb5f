package dev.bqjobs.emulator.sql;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.Assert.assertThrows;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The subscript and UNNEST rewrites ({@link Subscripts}, {@link Unnests}) on an in-memory DuckDB
 * set up like the engine's: where the array is found, how they combine with divisions and each
 * other, and that the LIMIT clause's OFFSET is left alone.
 */
public class ArrayTranslationTest {
  private Connection connection;

  @Before
  public void setUp() throws SQLException {
    connection =
        EngineLikeDuckDb.open(
            "CREATE TABLE t (id BIGINT, arr BIGINT[])",
            "INSERT INTO t VALUES (1, [10, 20, 30]), (2, [40])");
  }

  @After
  public void tearDown() throws SQLException {
    connection.close();
  }

  /** Each row's cells as text. */
  private List<List<String>> rows(String bigQuerySql) throws SQLException {
    String sql = BigQuerySql.translate(bigQuerySql).duckDbSql();
    List<List<String>> out = new ArrayList<>();
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<String> row = new ArrayList<>();
        for (int k = 1; k <= columns; k++) {
          row.add(String.valueOf(rs.getObject(k)));
        }
        out.add(row);
      }
    }
    return out;
  }

  @Test
  public void subscriptsFindTheirArray() throws SQLException {
    assertThat(
        rows(
            "SELECT t.arr[OFFSET(1)], SPLIT('a,b', ',')[ORDINAL(2)],"
                + " [[1, 2][OFFSET(1)], 7][ORDINAL(2)], ARRAY_REVERSE(arr)[SAFE_OFFSET(0)]"
                + " FROM t WHERE id = 1"),
        contains(List.of("20", "b", "7", "30")));
    assertThat(
        rows("SELECT ARRAY<INT64>[4, 5][OFFSET(1)], STRUCT([6] AS a).a[ORDINAL(1)]"),
        contains(List.of("5", "6")));
    // A division on either side of a subscript.
    assertThat(
        rows("SELECT arr[OFFSET(0)] / 2, 60 / arr[ORDINAL(3)] FROM t WHERE id = 1"),
        contains(List.of("5.0", "2.0")));
    SQLException e =
        assertThrows(SQLException.class, () -> rows("SELECT arr[OFFSET(1)] FROM t WHERE id = 2"));
    assertThat(e.getMessage(), containsString("Array index 1 is out of bounds (overflow)"));
  }

  @Test
  public void unnestOffsetsAndTheLimitClause() throws SQLException {
    assertThat(
        rows(
            "SELECT id, x, offset FROM t, UNNEST(t.arr) AS x WITH OFFSET ORDER BY id, offset"
                + " LIMIT 2 OFFSET 1"),
        contains(List.of("1", "20", "1"), List.of("1", "30", "2")));
    assertThat(
        rows("SELECT id FROM t ORDER BY id LIMIT CAST('1' AS INT64) OFFSET CAST(1 + 0 AS INT64)"),
        contains(List.of("2")));
    // id 1 keeps its offsets 1 and 2; id 2 (offset 0 only) keeps one row of NULLs.
    assertThat(
        rows("SELECT COUNT(*) FROM t LEFT JOIN UNNEST(t.arr) WITH OFFSET AS pos ON pos > 0"),
        contains(List.of("3")));
  }

  @Test
  public void translationsReadAsIntended() {
    assertThat(
        BigQuerySql.translate("SELECT x FROM UNNEST([1]) AS x WITH OFFSET AS o").duckDbSql(),
        equalTo(
            "SELECT x FROM (SELECT \"x\", \"bq_ordinality\" - 1 AS \"o\" FROM UNNEST([1]) WITH"
                + " ORDINALITY AS \"x\"(\"x\", \"bq_ordinality\")) AS \"x\""));
    assertThat(
        BigQuerySql.translate("SELECT a FROM UNNEST(@structs)").duckDbSql(),
        equalTo("SELECT a FROM (SELECT UNNEST($1, max_depth := 2) AS f0_)"));
  }
}
