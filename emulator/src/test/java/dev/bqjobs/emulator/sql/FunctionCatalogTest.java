package dev.bqjobs.emulator.sql;

import static dev.bqjobs.emulator.sql.Refusals.refusal;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.junit.Test;

/**
 * The function catalog against the translator and the sweep: every supported function has a sweep
 * case, every refused one (and every name BigQuery does not have) fails with BigQuery's {@code
 * Function not found}, and syntax that looks like a call keeps working.
 */
public class FunctionCatalogTest {

  private static String sweepExpressions() throws IOException {
    try (InputStream in = FunctionSweepTest.class.getResourceAsStream("function-sweep.txt")) {
      StringBuilder out = new StringBuilder();
      new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .filter(line -> !line.startsWith("--") && line.contains(" => "))
          .forEach(line -> out.append(line, 0, line.indexOf(" => ")).append('\n'));
      return out.toString();
    }
  }

  @Test
  public void everySupportedFunctionHasASweepCase() throws IOException {
    String sweep = sweepExpressions();
    List<String> untested = new ArrayList<>();
    int supported = 0;
    for (FunctionCatalog.Entry e : FunctionCatalog.entries()) {
      if (!e.supported()) {
        continue;
      }
      supported++;
      Pattern call =
          Pattern.compile(
              "(?<![\\w.])" + Pattern.quote(e.name()) + "\\s*\\(", Pattern.CASE_INSENSITIVE);
      if (!call.matcher(sweep).find()) {
        untested.add(e.name());
      }
    }
    assertThat(supported, greaterThan(200));
    assertThat(untested, empty());
  }

  @Test
  public void everyRefusedFunctionIsNotFound() {
    List<String> wrong = new ArrayList<>();
    int refused = 0;
    for (FunctionCatalog.Entry e : FunctionCatalog.entries()) {
      if (e.supported()) {
        continue;
      }
      refused++;
      String expected = "Function not found: " + e.name() + " at [1:8]";
      String got;
      try {
        BigQuerySql.translate("SELECT " + e.name() + "(1)");
        got = "translated";
      } catch (SqlTranslationException x) {
        got = x.getMessage();
      }
      if (!got.equals(expected)) {
        wrong.add(e.name() + ": " + got);
      }
    }
    assertThat(refused, greaterThan(150));
    assertThat(wrong, empty());
  }

  @Test
  public void namesBigQueryDoesNotHaveAreNotFoundAtTheUsersToken() {
    assertThat(
        refusal("SELECT 1,\n  list_value(1, 2)"),
        equalTo("Function not found: list_value at [2:3]"));
    assertThat(
        refusal("SELECT strftime(CURRENT_DATE(), '%Y')"),
        equalTo("Function not found: strftime at [1:8]"));
    // The translator's own DuckDB names are refused when the user writes them.
    assertThat(
        refusal("SELECT regexp_matches('a', 'a')"),
        equalTo("Function not found: regexp_matches at [1:8]"));
    assertThat(
        refusal("SELECT UPPER(epoch_ms(1))"), equalTo("Function not found: epoch_ms at [1:14]"));
    // SAFE. is checked by the function's name.
    assertThat(
        refusal("SELECT SAFE.try_cast(1)"), equalTo("Function not found: try_cast at [1:13]"));
    // A qualified name would be a user-defined function; none can exist here.
    assertThat(refusal("SELECT ds.fn(1)"), equalTo("Function not found: ds.fn at [1:8]"));
    assertThat(refusal("SELECT `p.ds.fn`(1)"), equalTo("Function not found: p.ds.fn at [1:8]"));
    assertThat(
        refusal("SELECT NET.HOST('http://a.com')"),
        equalTo("Function not found: NET.HOST at [1:8]"));
    assertThat(
        refusal("SELECT * FROM generate_series(1, 3)"),
        equalTo("Table-valued function not found: generate_series at [1:15]"));
    assertThat(
        refusal("SELECT * FROM APPENDS(TABLE ds.t)"),
        equalTo("Table-valued function not found: APPENDS at [1:15]"));
  }

  @Test
  public void aSupportedFunctionWithArgumentsItCannotTranslateIsNamed() {
    assertThat(
        refusal("SELECT EDIT_DISTANCE('a', 'b', 2)"),
        equalTo("EDIT_DISTANCE with 3 arguments is not supported by the local server at [1:8]"));
    assertThat(
        refusal("SELECT 1, Zeroifnull(1, 2)"),
        equalTo("Zeroifnull with 2 arguments is not supported by the local server at [1:11]"));
    assertThat(
        refusal("SELECT NORMALIZE('a', 'NFKC')"),
        equalTo("NORMALIZE with 2 arguments is not supported by the local server at [1:8]"));
    assertThat(
        refusal("SELECT TO_JSON_STRING(STRUCT(1 AS a), TRUE)"),
        equalTo("TO_JSON_STRING with 2 arguments is not supported by the local server at [1:8]"));
    // A name DuckDB has is left to DuckDB, whose signature error the engine maps (GoogleSqlTest).
    assertThat(
        BigQuerySql.translate("SELECT SUBSTR(1)").duckDbSql(), equalTo("SELECT SUBSTR(1) AS f0_"));
  }

  @Test
  public void partialFormsOfASupportedFunctionNameWhatIsNotServed() {
    assertThat(
        refusal("SELECT REGEXP_INSTR('ab', 'b', 1)"),
        equalTo(
            "Unsupported by the local server: REGEXP_INSTR with position, occurrence or return"
                + " arguments at [1:8]"));
    assertThat(
        refusal("SELECT DATE_BUCKET(DATE '2024-01-31', INTERVAL 1 MONTH)"),
        equalTo(
            "Unsupported by the local server: DATE_BUCKET with bucket width INTERVAL 1 MONTH"
                + " (only INTERVAL n DAY or WEEK) at [1:8]"));
    assertThat(
        refusal("SELECT TIMESTAMP_BUCKET(TIMESTAMP '2024-01-31', INTERVAL 1 YEAR)"),
        equalTo(
            "Unsupported by the local server: TIMESTAMP_BUCKET with bucket width INTERVAL 1 YEAR"
                + " (only INTERVAL n WEEK, DAY, HOUR, MINUTE, SECOND, MILLISECOND or MICROSECOND)"
                + " at [1:8]"));
  }

  @Test
  public void syntaxThatLooksLikeACallStillTranslates() {
    List<String> statements =
        List.of(
            "SELECT CAST(1 AS STRING), SAFE_CAST('1' AS INT64), EXTRACT(DAY FROM CURRENT_DATE())",
            "SELECT IF(TRUE, 1, 2), ARRAY(SELECT 1), STRUCT(1 AS a), CASE WHEN TRUE THEN 1 END",
            "SELECT x FROM UNNEST([1, 2]) AS x WHERE x IN (1) AND EXISTS (SELECT 1)",
            "SELECT SAFE.UPPER('a'), safe.lower('B'), Upper('c'), `upper`('d')",
            "SELECT * EXCEPT (a) REPLACE (1 AS b) FROM ds.t",
            "SELECT * REPLACE (UPPER(a) AS a) FROM ds.t",
            "CREATE TABLE ds.t (a STRING(10), b NUMERIC(10, 2), c BIGNUMERIC(40, 4))"
                + " PARTITION BY DATE(ts) OPTIONS (description = 'x')",
            "CREATE TABLE t (a INT64)",
            "INSERT INTO ds.t (a, b) VALUES (1, 2), (3, 4)",
            "INSERT ds.t (a) SELECT 1",
            "MERGE ds.t T USING ds.s S ON T.a = S.a WHEN NOT MATCHED THEN INSERT (a) VALUES (S.a)",
            "SELECT COUNT(*) FROM ds.t GROUP BY ROLLUP (a)",
            "SELECT SUM(a) OVER (PARTITION BY b ORDER BY c) FROM ds.t");
    for (String sql : statements) {
      BigQuerySql.translate(sql);
    }
    assertThat(
        BigQuerySql.translate("SELECT Upper('c')").duckDbSql().toLowerCase(Locale.ROOT),
        equalTo("select upper('c') as f0_"));
  }
}
