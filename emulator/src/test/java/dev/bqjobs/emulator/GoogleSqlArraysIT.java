package dev.bqjobs.emulator;

import static dev.bqjobs.emulator.TestSupport.column;
import static dev.bqjobs.emulator.TestSupport.dataset;
import static dev.bqjobs.emulator.TestSupport.queryJob;
import static dev.bqjobs.emulator.TestSupport.runFailing;
import static dev.bqjobs.emulator.TestSupport.runOk;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import com.google.api.services.bigquery.Bigquery;
import com.google.api.services.bigquery.model.ErrorProto;
import com.google.api.services.bigquery.model.QueryRequest;
import com.google.api.services.bigquery.model.QueryResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * Arrays as BigQuery reads them, over HTTP: OFFSET/ORDINAL subscripts that fail out of range (the
 * SAFE_ forms give NULL), and UNNEST of an array of STRUCTs, whose fields become columns, with
 * {@code WITH OFFSET}. Values and messages are BigQuery's (array functions and operators
 * reference).
 */
public class GoogleSqlArraysIT {
  @ClassRule public static final LocalBigQueryRule BQ = new LocalBigQueryRule();

  private static final String P = "arrays-project";
  private static final AtomicInteger JOBS = new AtomicInteger();

  private final Bigquery bq = BQ.client();

  @BeforeClass
  public static void data() throws Exception {
    Bigquery bq = BQ.client();
    bq.datasets().insert(P, dataset(P, "ad", "US")).execute();
    runOk(
        bq,
        queryJob(
            P,
            "setup",
            "CREATE TABLE ad.orders AS SELECT 1 AS id, [STRUCT('pen' AS item, 2 AS qty),"
                + " STRUCT('ink' AS item, 5 AS qty)] AS lines"));
  }

  private QueryResponse query(String sql) throws Exception {
    return bq.jobs().query(P, new QueryRequest().setQuery(sql).setUseLegacySql(false)).execute();
  }

  /** The first row's cells. */
  private List<String> row(String sql) throws Exception {
    QueryResponse r = query(sql);
    List<String> cells = new ArrayList<>();
    for (int i = 0; i < r.getSchema().getFields().size(); i++) {
      cells.add(column(r.getRows(), i).get(0));
    }
    return cells;
  }

  private ErrorProto failure(String sql) throws Exception {
    ErrorProto error = runFailing(bq, queryJob(P, "fails_" + JOBS.incrementAndGet(), sql));
    assertThat(error.getReason(), equalTo("invalidQuery"));
    return error;
  }

  @Test
  public void offsetAndOrdinalInRangeReadTheElement() throws Exception {
    assertThat(
        row(
            "SELECT [10, 20, 30][OFFSET(0)], [10, 20, 30][ORDINAL(3)],"
                + " ['a', 'b'][SAFE_OFFSET(1)], [[1, 2][OFFSET(1)]][ORDINAL(1)]"),
        contains("10", "30", "b", "2"));
    // A subscript inside a division, and a division inside a subscript.
    assertThat(
        row("SELECT [10, 20][OFFSET(1)] / 4, [10, 20, 30][OFFSET(CAST(4 / 2 AS INT64))]"),
        contains("5.0", "30"));
  }

  @Test
  public void offsetOrOrdinalOutOfRangeFailsWithBigQuerysMessage() throws Exception {
    assertThat(
        failure("SELECT [1, 2, 3][OFFSET(5)]").getMessage(),
        equalTo("Array index 5 is out of bounds (overflow)"));
    assertThat(
        failure("SELECT [1, 2, 3][OFFSET(-1)]").getMessage(),
        equalTo("Array index -1 is out of bounds (underflow)"));
    assertThat(
        failure("SELECT [1, 2, 3][ORDINAL(4)]").getMessage(),
        equalTo("Array index 4 is out of bounds (overflow)"));
    assertThat(
        failure("SELECT [1, 2, 3][ORDINAL(0)]").getMessage(),
        equalTo("Array index 0 is out of bounds (underflow)"));
  }

  @Test
  public void safeFormsAndNullArraysGiveNull() throws Exception {
    QueryResponse r =
        query(
            "SELECT [1, 2, 3][SAFE_OFFSET(5)], [1, 2, 3][SAFE_OFFSET(-1)],"
                + " [1, 2, 3][SAFE_ORDINAL(0)], CAST(NULL AS ARRAY<INT64>)[OFFSET(3)],"
                + " [1, 2][OFFSET(NULL)]");
    for (int i = 0; i < 5; i++) {
      assertThat("column " + i, column(r.getRows(), i).get(0), nullValue());
    }
  }

  @Test
  public void unnestOfStructsMakesTheFieldsColumns() throws Exception {
    QueryResponse r =
        query("SELECT a, b FROM UNNEST([STRUCT(1 AS a, 'x' AS b), (2, 'y')]) ORDER BY a");
    assertThat(column(r.getRows(), 0), contains("1", "2"));
    assertThat(column(r.getRows(), 1), contains("x", "y"));
    // A STRUCT field stays one column; an ARRAY field stays an array.
    QueryResponse nested =
        query(
            "SELECT a, inner_s.c, ARRAY_LENGTH(list) FROM UNNEST([STRUCT(1 AS a,"
                + " STRUCT(2 AS c) AS inner_s, [3, 4] AS list)])");
    assertThat(column(nested.getRows(), 0), contains("1"));
    assertThat(column(nested.getRows(), 1), contains("2"));
    assertThat(column(nested.getRows(), 2), contains("2"));
    // A scalar element without an alias is BigQuery's f0_.
    QueryResponse scalar = query("SELECT * FROM UNNEST([7, 8])");
    assertThat(scalar.getSchema().getFields().get(0).getName(), equalTo("f0_"));
    assertThat(row("SELECT COUNT(*) > 5 FROM UNNEST([1, 2, 3, 4, 5, 6])"), contains("true"));
    // Correlated: the fields of each row's array, and an alias reading the element's fields.
    QueryResponse lines = query("SELECT id, item, qty FROM ad.orders, UNNEST(lines) ORDER BY qty");
    assertThat(column(lines.getRows(), 1), contains("pen", "ink"));
    assertThat(column(lines.getRows(), 2), contains("2", "5"));
    QueryResponse aliased =
        query(
            "SELECT l.item FROM ad.orders AS o CROSS JOIN UNNEST(o.lines) AS l ORDER BY l.qty DESC");
    assertThat(column(aliased.getRows(), 0), contains("ink", "pen"));
  }

  @Test
  public void unnestWithOffsetCountsFromZero() throws Exception {
    QueryResponse r =
        query("SELECT x, o FROM UNNEST(['a', 'b', 'c']) AS x WITH OFFSET AS o ORDER BY o");
    assertThat(column(r.getRows(), 0), contains("a", "b", "c"));
    assertThat(column(r.getRows(), 1), contains("0", "1", "2"));
    // Without aliases: BigQuery's column "offset", and a struct element's fields.
    QueryResponse fields =
        query("SELECT item, offset FROM ad.orders, UNNEST(lines) WITH OFFSET ORDER BY offset");
    assertThat(column(fields.getRows(), 0), contains("pen", "ink"));
    assertThat(column(fields.getRows(), 1), contains("0", "1"));
    QueryResponse element =
        query(
            "SELECT l.qty, pos FROM ad.orders, UNNEST(lines) l WITH OFFSET pos ORDER BY pos DESC");
    assertThat(column(element.getRows(), 0), contains("5", "2"));
    assertThat(column(element.getRows(), 1), contains("1", "0"));
  }

  @Test
  public void maxByAndMinByReadUnnestedStructs() throws Exception {
    assertThat(
        row(
            "SELECT MAX_BY(fruit, price), MIN_BY(fruit, price) FROM UNNEST([STRUCT('apple' AS"
                + " fruit, 10 AS price), ('banana', 5), ('cherry', 20)])"),
        contains("cherry", "banana"));
  }
}
