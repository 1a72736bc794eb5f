package dev.bqjobs.emulator;

import static dev.bqjobs.emulator.TestSupport.column;
import static dev.bqjobs.emulator.TestSupport.dataset;
import static dev.bqjobs.emulator.TestSupport.expectError;
import static dev.bqjobs.emulator.TestSupport.queryJob;
import static dev.bqjobs.emulator.TestSupport.run;
import static dev.bqjobs.emulator.TestSupport.runFailing;
import static dev.bqjobs.emulator.TestSupport.runOk;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import com.google.api.client.googleapis.json.GoogleJsonError;
import com.google.api.services.bigquery.Bigquery;
import com.google.api.services.bigquery.model.ErrorProto;
import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.QueryParameter;
import com.google.api.services.bigquery.model.QueryParameterType;
import com.google.api.services.bigquery.model.QueryParameterValue;
import com.google.api.services.bigquery.model.QueryRequest;
import com.google.api.services.bigquery.model.QueryResponse;
import com.google.api.services.bigquery.model.TableFieldSchema;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * GoogleSQL as BigQuery speaks it, over HTTP: idioms that give BigQuery's values, BigQuery's error
 * wording and positions, query parameters of every type bound as values, and scripts. Expected
 * values come from BigQuery's reference documentation examples.
 */
public class GoogleSqlTest {
  @ClassRule public static final LocalBigQueryRule BQ = new LocalBigQueryRule();

  private static final String P = "gsql-project";
  private static final AtomicInteger JOBS = new AtomicInteger();

  private final Bigquery bq = BQ.client();

  @BeforeClass
  public static void data() throws Exception {
    Bigquery bq = BQ.client();
    bq.datasets().insert(P, dataset(P, "gd", "US")).execute();
    runOk(bq, queryJob(P, "setup_t", "CREATE TABLE gd.t (n INT64, s STRING)"));
    runOk(bq, queryJob(P, "fill_t", "INSERT gd.t (n, s) VALUES (1, 'a'), (2, 'b'), (3, 'c')"));
  }

  // ---------------------------------------------------------------- helpers

  private QueryResponse query(String sql, String mode, QueryParameter... parameters)
      throws Exception {
    QueryRequest request = new QueryRequest().setQuery(sql).setUseLegacySql(false);
    if (parameters.length > 0) {
      request.setParameterMode(mode).setQueryParameters(Arrays.asList(parameters));
    }
    return bq.jobs().query(P, request).execute();
  }

  /** The first row's cells. */
  private List<String> row(String sql, String mode, QueryParameter... parameters) throws Exception {
    QueryResponse r = query(sql, mode, parameters);
    List<String> cells = new ArrayList<>();
    for (int i = 0; i < r.getSchema().getFields().size(); i++) {
      cells.add(column(r.getRows(), i).get(0));
    }
    return cells;
  }

  private String value(String sql) throws Exception {
    return row(sql, null).get(0);
  }

  /** Runs a query job that must fail; returns its errorResult. */
  private ErrorProto failure(String sql, QueryParameter... parameters) throws Exception {
    Job job = queryJob(P, "fails_" + JOBS.incrementAndGet(), sql);
    if (parameters.length > 0) {
      job.getConfiguration().getQuery().setQueryParameters(Arrays.asList(parameters));
    }
    ErrorProto error = runFailing(bq, job);
    // Never the engine's wording ("Binder Error:", "Catalog Error:", "Parser Error:", ...).
    assertThat(error.getMessage(), not(containsString(" Error: ")));
    return error;
  }

  private static QueryParameter scalar(String name, String type, String value) {
    return new QueryParameter()
        .setName(name)
        .setParameterType(new QueryParameterType().setType(type))
        .setParameterValue(new QueryParameterValue().setValue(value));
  }

  private static List<String> types(QueryResponse r) {
    List<String> out = new ArrayList<>();
    for (TableFieldSchema f : r.getSchema().getFields()) {
      out.add(f.getType() + ("REPEATED".equals(f.getMode()) ? "[]" : ""));
    }
    return out;
  }

  // ---------------------------------------------------------------- idioms

  @Test
  public void formatUsesPrintfSpecifiers() throws Exception {
    assertThat(value("SELECT FORMAT('%d-%s', 5, 'x')"), equalTo("5-x"));
    // From BigQuery's FORMAT documentation.
    assertThat(value("SELECT FORMAT('%s', 'Hello')"), equalTo("Hello"));
    assertThat(value("SELECT FORMAT('%d', CAST(NULL AS INT64))"), nullValue());
  }

  @Test
  public void searchedCaseInTheSelectList() throws Exception {
    assertThat(value("SELECT CASE WHEN 2 > 1 THEN 'a' ELSE 'b' END"), equalTo("a"));
    QueryResponse r =
        query("SELECT CASE WHEN n > 1 THEN 'big' ELSE 'small' END, n FROM gd.t ORDER BY n", null);
    assertThat(column(r.getRows(), 0), contains("small", "big", "big"));
    assertThat(r.getSchema().getFields().get(0).getName(), equalTo("f0_"));
  }

  @Test
  public void initcapCapitalisesEachWord() throws Exception {
    assertThat(value("SELECT INITCAP('hello world')"), equalTo("Hello World"));
    // BigQuery's documentation examples: default delimiters and a custom set.
    assertThat(value("SELECT INITCAP('Hello World-everyone!')"), equalTo("Hello World-Everyone!"));
    assertThat(
        value("SELECT INITCAP('Apples1oranges2pears', '12')"), equalTo("Apples1Oranges2Pears"));
    assertThat(value("SELECT INITCAP(CAST(NULL AS STRING))"), nullValue());
  }

  @Test
  public void safePrefixTurnsErrorsIntoNull() throws Exception {
    assertThat(value("SELECT SAFE.PARSE_DATE('%Y-%m-%d', 'not a date')"), nullValue());
    assertThat(value("SELECT SAFE.PARSE_DATE('%Y-%m-%d', '2024-01-31')"), equalTo("2024-01-31"));
    assertThat(value("SELECT SAFE_DIVIDE(1, 0)"), nullValue());
    assertThat(value("SELECT SAFE_DIVIDE(10, 4)"), equalTo("2.5"));
    assertThat(value("SELECT SAFE_CAST('x' AS INT64)"), nullValue());
  }

  @Test
  public void divisionByZeroFailsAsInBigQuery() throws Exception {
    assertThat(value("SELECT 10 / 4"), equalTo("2.5"));
    assertThat(value("SELECT 2 * 6 / 4 / 3"), equalTo("1.0"));
    assertThat(value("SELECT (SELECT COUNT(*) FROM gd.t) / 2"), equalTo("1.5"));
    ErrorProto e = failure("SELECT 1 / 0");
    assertThat(e.getReason(), equalTo("invalidQuery"));
    assertThat(e.getMessage(), equalTo("division by zero: 1 / 0"));
    assertThat(
        failure("SELECT n / (n - 1) FROM gd.t").getMessage(), equalTo("division by zero: 1 / 0"));
  }

  // ---------------------------------------------------------------- errors

  @Test
  public void errorsUseBigQuerysWordingAndPositions() throws Exception {
    ErrorProto syntax = failure("SELEC 1");
    assertThat(syntax.getReason(), equalTo("invalidQuery"));
    assertThat(
        syntax.getMessage(), equalTo("Syntax error: Unexpected identifier \"SELEC\" at [1:1]"));

    assertThat(
        failure("SELECT nosuchcolumn FROM gd.t").getMessage(),
        equalTo("Unrecognized name: nosuchcolumn at [1:8]"));
    assertThat(
        failure("SELECT 1,\n  nosuchfn(1)").getMessage(),
        equalTo("Function not found: nosuchfn at [2:3]"));
    assertThat(
        failure("SELECT SUBSTR(1)").getMessage(),
        startsWith("No matching signature for function SUBSTR for argument types: INT64"));
    // Functions the local server does not have are refused as BigQuery refuses unknown ones.
    assertThat(
        failure("SELECT SOUNDEX('Ashcraft')").getMessage(),
        equalTo("Function not found: SOUNDEX at [1:8]"));
    assertThat(
        failure("SELECT 1 FROM gd.t WHERE").getMessage(),
        equalTo("Syntax error: Unexpected end of script at [1:25]"));
    assertThat(failure("SELECT CAST('x' AS INT64)").getMessage(), equalTo("Bad int64 value: x"));
    assertThat(failure("SELECT CAST('x' AS FLOAT64)").getMessage(), equalTo("Bad double value: x"));
    assertThat(
        failure("SELECT 9223372036854775807 + 1").getMessage(),
        equalTo("integer overflow: 9223372036854775807 + 1"));
    assertThat(
        failure("SELECT 1 +").getMessage(), startsWith("Syntax error: Unexpected end of script"));

    ErrorProto missing = failure("SELECT * FROM gd.nope");
    assertThat(missing.getReason(), equalTo("notFound"));
    assertThat(
        missing.getMessage(),
        equalTo("Not found: Table " + P + ":gd.nope was not found in location US"));

    ErrorProto unsupported = failure("ALTER TABLE gd.t ADD COLUMN x INT64");
    assertThat(unsupported.getMessage(), containsString("is not supported by the local server"));
  }

  // ---------------------------------------------------------------- parameters

  @Test
  public void namedParametersOfEveryScalarTypeAreBoundAsValues() throws Exception {
    QueryResponse r =
        query(
            "SELECT @i, @f, @n, @bn, @b, @s, @by, @d, @dt, @t, @ts, @j",
            "NAMED",
            scalar("i", "INT64", "-42"),
            scalar("f", "FLOAT64", "2.5"),
            scalar("n", "NUMERIC", "123456789.123456789"),
            scalar("bn", "BIGNUMERIC", "12345678901234567890.123456789012345678"),
            scalar("b", "BOOL", "true"),
            scalar("s", "STRING", "it's \"quoted\""),
            scalar("by", "BYTES", "AAEC/w=="),
            scalar("d", "DATE", "2024-02-29"),
            scalar("dt", "DATETIME", "2024-02-29 12:34:56.123456"),
            scalar("t", "TIME", "23:59:58.5"),
            scalar("ts", "TIMESTAMP", "2024-01-31 12:34:56.123456+00:00"),
            scalar("j", "JSON", "{\"a\": [1, 2]}"));
    assertThat(
        types(r),
        contains(
            "INTEGER",
            "FLOAT",
            "NUMERIC",
            "BIGNUMERIC",
            "BOOLEAN",
            "STRING",
            "BYTES",
            "DATE",
            "DATETIME",
            "TIME",
            "TIMESTAMP",
            "JSON"));
    List<String> cells = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      cells.add(column(r.getRows(), i).get(0));
    }
    assertThat(
        cells,
        contains(
            "-42",
            "2.5",
            "123456789.123456789",
            "12345678901234567890.123456789012345678",
            "true",
            "it's \"quoted\"",
            "AAEC/w==",
            "2024-02-29",
            "2024-02-29T12:34:56.123456",
            "23:59:58.500000",
            "1.706704496123456E9",
            "{\"a\":[1,2]}"));
  }

  @Test
  public void parameterValuesAreNeverPastedIntoSql() throws Exception {
    String hostile = "x'; DROP TABLE gd.t; --";
    assertThat(row("SELECT @s", "NAMED", scalar("s", "STRING", hostile)), contains(hostile));
    assertThat(
        row("SELECT COUNT(*) FROM gd.t WHERE s = @s", "NAMED", scalar("s", "STRING", "b")),
        contains("1"));
  }

  @Test
  public void nullArrayAndStructParameters() throws Exception {
    QueryParameter nullInt =
        new QueryParameter()
            .setName("x")
            .setParameterType(new QueryParameterType().setType("INT64"));
    QueryParameter array =
        new QueryParameter()
            .setName("arr")
            .setParameterType(
                new QueryParameterType()
                    .setType("ARRAY")
                    .setArrayType(new QueryParameterType().setType("INT64")))
            .setParameterValue(
                new QueryParameterValue()
                    .setArrayValues(
                        List.of(
                            new QueryParameterValue().setValue("3"),
                            new QueryParameterValue().setValue("1"))));
    QueryParameter struct =
        new QueryParameter()
            .setName("st")
            .setParameterType(
                new QueryParameterType()
                    .setType("STRUCT")
                    .setStructTypes(
                        List.of(
                            new QueryParameterType.StructTypes()
                                .setName("a")
                                .setType(new QueryParameterType().setType("INT64")),
                            new QueryParameterType.StructTypes()
                                .setName("b")
                                .setType(new QueryParameterType().setType("STRING")))))
            .setParameterValue(
                new QueryParameterValue()
                    .setStructValues(
                        Map.of(
                            "a", new QueryParameterValue().setValue("7"),
                            "b", new QueryParameterValue().setValue("seven"))));
    QueryResponse r =
        query(
            "SELECT @x IS NULL, ARRAY_LENGTH(@arr), @arr[OFFSET(0)], @st.a, @st.b, n FROM gd.t"
                + " WHERE n IN UNNEST(@arr) ORDER BY n",
            "NAMED",
            nullInt,
            array,
            struct);
    assertThat(column(r.getRows(), 0), contains("true", "true"));
    assertThat(column(r.getRows(), 1), contains("2", "2"));
    assertThat(column(r.getRows(), 2), contains("3", "3"));
    assertThat(column(r.getRows(), 3), contains("7", "7"));
    assertThat(column(r.getRows(), 4), contains("seven", "seven"));
    assertThat(column(r.getRows(), 5), contains("1", "3"));
  }

  @Test
  public void positionalParameters() throws Exception {
    QueryParameter first = scalar(null, "INT64", "2");
    QueryParameter second = scalar(null, "STRING", "c");
    assertThat(
        row("SELECT COUNT(*) FROM gd.t WHERE n >= ? AND s < ?", "POSITIONAL", first, second),
        contains("1"));
  }

  @Test
  public void parametersInDml() throws Exception {
    runOk(bq, queryJob(P, "param_table", "CREATE TABLE gd.p (n INT64, s STRING)"));
    query(
        "INSERT gd.p (n, s) VALUES (@n, @s)",
        "NAMED",
        scalar("n", "INT64", "5"),
        scalar("s", "STRING", "five"));
    assertThat(
        row("SELECT s FROM gd.p WHERE n = @n", "NAMED", scalar("n", "INT64", "5")),
        contains("five"));
  }

  @Test
  public void parameterErrorsAreBigQuerys() throws Exception {
    ErrorProto missing = failure("SELECT @x + @y", scalar("x", "INT64", "1"));
    assertThat(missing.getReason(), equalTo("invalidQuery"));
    assertThat(missing.getMessage(), equalTo("Query parameter 'y' not found at [1:13]"));
    assertThat(
        failure("SELECT @x").getMessage(), equalTo("Query parameter 'x' not found at [1:8]"));
    assertThat(
        failure("SELECT ?").getMessage(),
        equalTo("Positional parameters are not supported at [1:8]"));

    GoogleJsonError mistyped =
        expectError(400, "invalid", () -> query("SELECT @x", "NAMED", scalar("x", "INT64", "abc")));
    assertThat(mistyped.getMessage(), containsString("INT64"));
    assertThat(mistyped.getMessage(), containsString("abc"));

    GoogleJsonError tooWide =
        expectError(
            400,
            "invalid",
            () ->
                query(
                    "SELECT @x",
                    "NAMED",
                    scalar("x", "BIGNUMERIC", "1.0000000000000000000000000000000000001")));
    assertThat(tooWide.getMessage(), containsString("not supported by the local server"));

    for (String type : List.of("GEOGRAPHY", "INTERVAL", "RANGE")) {
      GoogleJsonError refused =
          expectError(400, "invalid", () -> query("SELECT @x", "NAMED", scalar("x", type, "x")));
      assertThat(
          refused.getMessage(),
          equalTo(
              "Query parameters of type "
                  + type
                  + " are not supported by the local server (parameter x)"));
    }
  }

  // ---------------------------------------------------------------- scripts

  private Job script(String sql) throws Exception {
    return runOk(bq, queryJob(P, "script_" + JOBS.incrementAndGet(), sql));
  }

  private List<String> scriptResult(String sql) throws Exception {
    Job done = script(sql);
    assertThat(done.getStatistics().getQuery().getStatementType(), equalTo("SCRIPT"));
    var r = bq.jobs().getQueryResults(P, done.getJobReference().getJobId()).execute();
    return column(r.getRows(), 0);
  }

  @Test
  public void scriptDeclareSetAndLastStatementsResult() throws Exception {
    assertThat(scriptResult("DECLARE n INT64 DEFAULT 3; SELECT n * 2;"), contains("6"));
    assertThat(
        scriptResult(
            "DECLARE a, b STRING;\nDECLARE x DEFAULT 1.5;\nSET a = 'q';\nSET x = x * 2;\n"
                + "SELECT CONCAT(a, ':', CAST(x AS STRING), ':', IFNULL(b, 'null'))"),
        contains("q:3.0:null"));
    assertThat(
        scriptResult("SELECT 1; SELECT n FROM gd.t WHERE n > 1 ORDER BY n"), contains("2", "3"));
  }

  @Test
  public void scriptsHaveNoChildJobsToList() throws Exception {
    Job done = script("DECLARE n INT64 DEFAULT 1; SELECT n;");
    var children =
        bq.jobs().list(P).setParentJobId(done.getJobReference().getJobId()).execute().getJobs();
    // bq lists a script's child jobs and, finding none, prints the script job's own result.
    assertThat(children == null || children.isEmpty(), equalTo(true));
  }

  @Test
  public void scriptIfElseIfElseAndBlocks() throws Exception {
    String template =
        "DECLARE v INT64 DEFAULT %d;\n"
            + "DECLARE r STRING;\n"
            + "IF v > 10 THEN\n  SET r = 'big';\n"
            + "ELSEIF v > 5 THEN\n  BEGIN\n    SET r = 'medium';\n  END;\n"
            + "ELSE\n  SET r = CASE WHEN v < 0 THEN 'negative' ELSE 'small' END;\n"
            + "END IF;\n"
            + "SELECT r;";
    assertThat(scriptResult(String.format(template, 11)), contains("big"));
    assertThat(scriptResult(String.format(template, 6)), contains("medium"));
    assertThat(scriptResult(String.format(template, 1)), contains("small"));
    assertThat(scriptResult(String.format(template, -1)), contains("negative"));
  }

  @Test
  public void scriptTransactionsCommitOrRollBackWhole() throws Exception {
    script("CREATE TABLE gd.tx (n INT64)");
    script(
        "INSERT gd.tx (n) VALUES (1);\n"
            + "BEGIN TRANSACTION;\n"
            + "INSERT gd.tx (n) VALUES (2);\n"
            + "INSERT gd.tx (n) VALUES (3);\n"
            + "ROLLBACK TRANSACTION;\n"
            + "BEGIN TRANSACTION;\n"
            + "INSERT gd.tx (n) VALUES (4);\n"
            + "COMMIT TRANSACTION;");
    assertThat(
        column(query("SELECT n FROM gd.tx ORDER BY n", null).getRows(), 0), contains("1", "4"));

    // A failure inside a transaction undoes all of it; statements before it stay.
    Job failed =
        run(
            bq,
            queryJob(
                P,
                "script_fails_in_tx",
                "INSERT gd.tx (n) VALUES (5);\n"
                    + "BEGIN TRANSACTION;\n"
                    + "INSERT gd.tx (n) VALUES (6);\n"
                    + "SELECT 1 / 0;\n"
                    + "COMMIT TRANSACTION;"));
    ErrorProto e = failed.getStatus().getErrorResult();
    assertThat(e.getReason(), equalTo("invalidQuery"));
    assertThat(e.getMessage(), equalTo("Query error: division by zero: 1 / 0 at [4:1]"));
    assertThat(failed.getStatistics().getQuery().getStatementType(), equalTo("SCRIPT"));
    assertThat(
        column(query("SELECT n FROM gd.tx ORDER BY n", null).getRows(), 0),
        contains("1", "4", "5"));
  }

  @Test
  public void aTableCreatedInsideATransactionIsUsableThere() throws Exception {
    assertThat(
        scriptResult(
            "BEGIN TRANSACTION;\n"
                + "CREATE TABLE gd.made_in_tx (n INT64);\n"
                + "INSERT gd.made_in_tx (n) VALUES (1), (2);\n"
                + "COMMIT TRANSACTION;\n"
                + "SELECT COUNT(*) FROM gd.made_in_tx;"),
        contains("2"));
    ErrorProto missing =
        failure("BEGIN TRANSACTION;\nSELECT * FROM gd.never;\nCOMMIT TRANSACTION;");
    assertThat(missing.getReason(), equalTo("notFound"));
    assertThat(missing.getMessage(), containsString("never"));
  }

  @Test
  public void scriptErrorsNameTheFailingStatement() throws Exception {
    ErrorProto e = failure("DECLARE x INT64 DEFAULT 1;\nSELECT nope FROM gd.t;");
    assertThat(e.getMessage(), equalTo("Unrecognized name: nope at [2:8]"));
    ErrorProto syntax = failure("SELECT 1;\nIF TRUE THEN SELECT 2;");
    assertThat(syntax.getMessage(), startsWith("Syntax error: Unexpected end of script"));
    ErrorProto call = failure("SELECT 1;\nCALL gd.proc();");
    assertThat(
        call.getMessage(),
        equalTo("CALL statements are not supported by the local server at [2:1]"));
  }

  @Test
  public void scriptWithParameters() throws Exception {
    QueryRequest request =
        new QueryRequest()
            .setQuery("DECLARE m INT64 DEFAULT @k * 10; SELECT m + @k")
            .setUseLegacySql(false)
            .setParameterMode("NAMED")
            .setQueryParameters(List.of(scalar("k", "INT64", "4")));
    QueryResponse r = bq.jobs().query(P, request).execute();
    assertThat(column(r.getRows(), 0), contains("44"));
  }
}
