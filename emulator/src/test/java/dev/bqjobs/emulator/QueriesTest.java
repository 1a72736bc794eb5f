package dev.bqjobs.emulator;

import static dev.bqjobs.emulator.TestSupport.column;
import static dev.bqjobs.emulator.TestSupport.dataset;
import static dev.bqjobs.emulator.TestSupport.expectError;
import static dev.bqjobs.emulator.TestSupport.queryJob;
import static dev.bqjobs.emulator.TestSupport.run;
import static dev.bqjobs.emulator.TestSupport.runOk;
import static dev.bqjobs.emulator.TestSupport.waitDone;
import static dev.bqjobs.emulator.TestSupport.withRuntime;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import com.google.api.client.googleapis.json.GoogleJsonError;
import com.google.api.services.bigquery.Bigquery;
import com.google.api.services.bigquery.model.DatasetReference;
import com.google.api.services.bigquery.model.GetQueryResultsResponse;
import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobConfigurationQuery;
import com.google.api.services.bigquery.model.JobStatistics2;
import com.google.api.services.bigquery.model.QueryRequest;
import com.google.api.services.bigquery.model.QueryResponse;
import com.google.api.services.bigquery.model.TableDataInsertAllRequest;
import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.api.services.bigquery.model.TableReference;
import com.google.api.services.bigquery.model.TableRow;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.bqjobs.emulator.engine.JobManager;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

/** Query jobs, jobs.query and getQueryResults through the real client over HTTP. */
public class QueriesTest {
  @ClassRule public static final LocalBigQueryRule BQ = new LocalBigQueryRule();

  private static final String PROJECT = "queries-project";
  private static final int ROWS = 25;

  private final Bigquery bq = BQ.client();

  /** Dataset {@code qd} with table {@code nums(n INT64, s STRING)} holding 0..24. */
  @BeforeClass
  public static void data() throws Exception {
    Bigquery bq = BQ.client();
    bq.datasets().insert(PROJECT, dataset(PROJECT, "qd", "US")).execute();
    runOk(bq, queryJob(PROJECT, "setup_nums", "CREATE TABLE qd.nums (n INT64, s STRING)"));
    List<TableDataInsertAllRequest.Rows> rows = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      rows.add(new TableDataInsertAllRequest.Rows().setJson(Map.of("n", i, "s", "s" + i)));
    }
    bq.tabledata()
        .insertAll(PROJECT, "qd", "nums", new TableDataInsertAllRequest().setRows(rows))
        .execute();
  }

  private static QueryRequest request(String sql) {
    return new QueryRequest().setQuery(sql).setUseLegacySql(false);
  }

  private JobStatistics2 queryStats(String jobId, String sql) throws Exception {
    return runOk(bq, queryJob(PROJECT, jobId, sql)).getStatistics().getQuery();
  }

  private Job failed(String jobId, String sql) throws Exception {
    Job done = run(bq, queryJob(PROJECT, jobId, sql));
    assertThat(done.getStatus().getState(), equalTo("DONE"));
    assertThat(jobId + " should fail", done.getStatus().getErrorResult(), notNullValue());
    assertThat(done.getStatus().getErrors(), hasSize(1));
    return done;
  }

  private long count(String table) throws Exception {
    QueryResponse r = bq.jobs().query(PROJECT, request("SELECT COUNT(*) FROM " + table)).execute();
    return Long.parseLong(column(r.getRows(), 0).get(0));
  }

  // ---------------------------------------------------------------- results and paging

  @Test
  public void jobsQueryAndGetQueryResultsPage() throws Exception {
    QueryResponse first =
        bq.jobs()
            .query(PROJECT, request("SELECT n, s FROM qd.nums ORDER BY n").setMaxResults(10L))
            .execute();
    assertThat(first.getKind(), equalTo("bigquery#queryResponse"));
    assertThat(first.getJobComplete(), is(true));
    assertThat(first.getTotalRows(), equalTo(BigInteger.valueOf(ROWS)));
    assertThat(first.getRows(), hasSize(10));
    assertThat(first.getSchema().getFields().get(0).getType(), equalTo("INTEGER"));
    assertThat(first.getPageToken(), notNullValue());
    String jobId = first.getJobReference().getJobId();
    String location = first.getJobReference().getLocation();
    assertThat(location, equalTo("US"));

    List<String> all = new ArrayList<>(column(first.getRows(), 0));
    String token = first.getPageToken();
    while (token != null) {
      GetQueryResultsResponse page =
          bq.jobs()
              .getQueryResults(PROJECT, jobId)
              .setLocation(location)
              .setMaxResults(10L)
              .setPageToken(token)
              .execute();
      assertThat(page.getJobComplete(), is(true));
      assertThat(page.getTotalRows(), equalTo(BigInteger.valueOf(ROWS)));
      all.addAll(column(page.getRows(), 0));
      token = page.getPageToken();
    }
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      expected.add(Integer.toString(i));
    }
    assertThat(all, equalTo(expected));

    GetQueryResultsResponse tail =
        bq.jobs()
            .getQueryResults(PROJECT, jobId)
            .setLocation(location)
            .setStartIndex(BigInteger.valueOf(22))
            .execute();
    assertThat(column(tail.getRows(), 1), contains("s22", "s23", "s24"));
    assertThat(tail.getPageToken(), nullValue());

    // The results are an anonymous table that tabledata.list reads too.
    TableReference results =
        bq.jobs().get(PROJECT, jobId).execute().getConfiguration().getQuery().getDestinationTable();
    assertThat(results, notNullValue());
    List<TableRow> viaTabledata =
        bq.tabledata()
            .list(results.getProjectId(), results.getDatasetId(), results.getTableId())
            .setMaxResults(3L)
            .execute()
            .getRows();
    assertThat(column(viaTabledata, 0), contains("0", "1", "2"));
  }

  @Test
  public void rowsUseTheFVFormWithStringValues() throws Exception {
    TestSupport.Raw raw =
        TestSupport.http(
            "POST",
            BQ.rootUrl() + "bigquery/v2/projects/" + PROJECT + "/queries",
            "{\"query\": \"SELECT 7 AS n, 'x' AS s, CAST(NULL AS INT64) AS z, 2.5 AS f\","
                + " \"useLegacySql\": false}");
    assertThat(raw.toString(), raw.status, equalTo(200));
    JsonObject body = raw.json();
    assertThat(body.get("totalRows").getAsJsonPrimitive().isString(), is(true));
    JsonArray cells = body.getAsJsonArray("rows").get(0).getAsJsonObject().getAsJsonArray("f");
    assertThat(cells.size(), equalTo(4));
    assertThat(cells.get(0).getAsJsonObject().get("v").getAsJsonPrimitive().isString(), is(true));
    assertThat(cells.get(0).getAsJsonObject().get("v").getAsString(), equalTo("7"));
    assertThat(cells.get(1).getAsJsonObject().get("v").getAsString(), equalTo("x"));
    assertThat(raw.body, cells.get(2).getAsJsonObject().has("v"), is(true));
    assertThat(raw.body, cells.get(2).getAsJsonObject().get("v").isJsonNull(), is(true));
    assertThat(cells.get(3).getAsJsonObject().get("v").getAsString(), equalTo("2.5"));
  }

  @Test
  public void timeoutMsReallyWaitsAndReportsJobComplete() throws Exception {
    QueryRequest slow = request("SELECT 1 AS x").setTimeoutMs(100L);
    slow.setLabels(Map.of(JobManager.RUNTIME_LABEL, "1500"));
    long start = System.nanoTime();
    QueryResponse early = bq.jobs().query(PROJECT, slow).execute();
    long waitedMs = (System.nanoTime() - start) / 1_000_000;
    assertThat(early.getJobComplete(), is(false));
    assertThat(early.getRows(), nullValue());
    assertThat(waitedMs, greaterThanOrEqualTo(100L));
    assertThat(waitedMs, lessThan(1500L));
    String jobId = early.getJobReference().getJobId();

    GetQueryResultsResponse stillRunning =
        bq.jobs().getQueryResults(PROJECT, jobId).setTimeoutMs(50L).execute();
    assertThat(stillRunning.getJobComplete(), is(false));

    // The default timeout (10 s) covers the rest of the 1.5 s runtime.
    GetQueryResultsResponse complete = bq.jobs().getQueryResults(PROJECT, jobId).execute();
    assertThat(complete.getJobComplete(), is(true));
    assertThat(column(complete.getRows(), 0), contains("1"));

    QueryResponse withDefault =
        bq.jobs()
            .query(
                PROJECT,
                request("SELECT 2 AS x").setLabels(Map.of(JobManager.RUNTIME_LABEL, "300")))
            .execute();
    assertThat(withDefault.getJobComplete(), is(true));
    assertThat(column(withDefault.getRows(), 0), contains("2"));
  }

  // ---------------------------------------------------------------- DDL and DML

  @Test
  public void ddlReportsStatementTypeAndOperation() throws Exception {
    JobStatistics2 create = queryStats("ddl_create", "CREATE TABLE qd.ddl (x INT64)");
    assertThat(create.getStatementType(), equalTo("CREATE_TABLE"));
    assertThat(create.getDdlOperationPerformed(), equalTo("CREATE"));
    assertThat(create.getDdlTargetTable().getTableId(), equalTo("ddl"));
    assertThat(create.getNumDmlAffectedRows(), nullValue());

    JobStatistics2 skip = queryStats("ddl_skip", "CREATE TABLE IF NOT EXISTS qd.ddl (x INT64)");
    assertThat(skip.getDdlOperationPerformed(), equalTo("SKIP"));

    JobStatistics2 replace =
        queryStats("ddl_replace", "CREATE OR REPLACE TABLE qd.ddl AS SELECT 1 AS x, 'a' AS y");
    assertThat(replace.getStatementType(), equalTo("CREATE_TABLE_AS_SELECT"));
    assertThat(replace.getDdlOperationPerformed(), equalTo("REPLACE"));
    assertThat(bq.tables().get(PROJECT, "qd", "ddl").execute().getSchema().getFields(), hasSize(2));

    Job again = failed("ddl_again", "CREATE TABLE qd.ddl (x INT64)");
    assertThat(again.getStatus().getErrorResult().getReason(), equalTo("duplicate"));

    JobStatistics2 drop = queryStats("ddl_drop", "DROP TABLE qd.ddl");
    assertThat(drop.getStatementType(), equalTo("DROP_TABLE"));
    assertThat(drop.getDdlOperationPerformed(), equalTo("DROP"));
    expectError(404, "notFound", () -> bq.tables().get(PROJECT, "qd", "ddl").execute());

    JobStatistics2 dropSkip = queryStats("ddl_drop_skip", "DROP TABLE IF EXISTS qd.ddl");
    assertThat(dropSkip.getDdlOperationPerformed(), equalTo("SKIP"));
    Job dropMissing = failed("ddl_drop_missing", "DROP TABLE qd.ddl");
    assertThat(dropMissing.getStatus().getErrorResult().getReason(), equalTo("notFound"));
  }

  @Test
  public void dmlReportsAffectedRows() throws Exception {
    runOk(bq, queryJob(PROJECT, "dml_table", "CREATE TABLE qd.dml (id INT64, v STRING)"));
    JobStatistics2 insert =
        queryStats("dml_insert", "INSERT INTO qd.dml (id, v) VALUES (1, 'a'), (2, 'b'), (3, 'c')");
    assertThat(insert.getStatementType(), equalTo("INSERT"));
    assertThat(insert.getNumDmlAffectedRows(), equalTo(3L));
    assertThat(insert.getDdlOperationPerformed(), nullValue());

    JobStatistics2 update = queryStats("dml_update", "UPDATE qd.dml SET v = 'z' WHERE id >= 2");
    assertThat(update.getStatementType(), equalTo("UPDATE"));
    assertThat(update.getNumDmlAffectedRows(), equalTo(2L));

    JobStatistics2 delete = queryStats("dml_delete", "DELETE FROM qd.dml WHERE id = 1");
    assertThat(delete.getStatementType(), equalTo("DELETE"));
    assertThat(delete.getNumDmlAffectedRows(), equalTo(1L));

    GetQueryResultsResponse results = bq.jobs().getQueryResults(PROJECT, "dml_update").execute();
    assertThat(results.getJobComplete(), is(true));
    assertThat(results.getNumDmlAffectedRows(), equalTo(2L));
    assertThat(results.getTotalRows(), equalTo(BigInteger.ZERO));
    assertThat(
        bq.tables().get(PROJECT, "qd", "dml").execute().getNumRows().longValue(), equalTo(2L));
  }

  @Test
  public void mergeUpdatesAndInserts() throws Exception {
    runOk(
        bq,
        queryJob(
            PROJECT,
            "merge_target",
            "CREATE TABLE qd.target AS SELECT 1 AS id, 'old' AS v UNION ALL SELECT 2, 'old'"));
    runOk(
        bq,
        queryJob(
            PROJECT,
            "merge_source",
            "CREATE TABLE qd.source AS SELECT 2 AS id, 'new' AS v UNION ALL SELECT 3, 'new'"));
    JobStatistics2 merge =
        queryStats(
            "merge",
            "MERGE qd.target T USING qd.source S ON T.id = S.id"
                + " WHEN MATCHED THEN UPDATE SET v = S.v"
                + " WHEN NOT MATCHED THEN INSERT (id, v) VALUES (S.id, S.v)");
    assertThat(merge.getStatementType(), equalTo("MERGE"));
    assertThat(merge.getNumDmlAffectedRows(), equalTo(2L));
    QueryResponse after =
        bq.jobs().query(PROJECT, request("SELECT id, v FROM qd.target ORDER BY id")).execute();
    assertThat(column(after.getRows(), 1), contains("old", "new", "new"));
  }

  // ---------------------------------------------------------------- destination tables

  private Job toDestination(String jobId, String sql, String table, String write, String create)
      throws Exception {
    Job job = queryJob(PROJECT, jobId, sql);
    JobConfigurationQuery q = job.getConfiguration().getQuery();
    q.setDestinationTable(
        new TableReference().setProjectId(PROJECT).setDatasetId("qd").setTableId(table));
    q.setWriteDisposition(write);
    q.setCreateDisposition(create);
    return run(bq, job);
  }

  @Test
  public void destinationTableHonoursDispositions() throws Exception {
    Job created = toDestination("dest_create", "SELECT 1 AS x", "dest", null, null);
    assertThat(created.getStatus().getErrorResult(), nullValue());
    assertThat(count("qd.dest"), equalTo(1L));

    Job empty = toDestination("dest_empty", "SELECT 2 AS x", "dest", "WRITE_EMPTY", null);
    assertThat(empty.getStatus().getState(), equalTo("DONE"));
    assertThat(empty.getStatus().getErrorResult().getReason(), equalTo("duplicate"));
    // jobs.get answers 200: the failure is inside the job.
    assertThat(
        bq.jobs().get(PROJECT, "dest_empty").execute().getStatus().getErrorResult().getReason(),
        equalTo("duplicate"));
    assertThat(count("qd.dest"), equalTo(1L));

    Job append =
        toDestination(
            "dest_append", "SELECT 2 AS x UNION ALL SELECT 3", "dest", "WRITE_APPEND", null);
    assertThat(append.getStatus().getErrorResult(), nullValue());
    assertThat(count("qd.dest"), equalTo(3L));

    Job truncate = toDestination("dest_truncate", "SELECT 9 AS x", "dest", "WRITE_TRUNCATE", null);
    assertThat(truncate.getStatus().getErrorResult(), nullValue());
    QueryResponse rows = bq.jobs().query(PROJECT, request("SELECT x FROM qd.dest")).execute();
    assertThat(column(rows.getRows(), 0), contains("9"));

    // getQueryResults reads the destination table.
    assertThat(
        column(bq.jobs().getQueryResults(PROJECT, "dest_truncate").execute().getRows(), 0),
        contains("9"));

    Job never = toDestination("dest_never", "SELECT 1 AS x", "absent", null, "CREATE_NEVER");
    assertThat(never.getStatus().getErrorResult().getReason(), equalTo("notFound"));
    expectError(404, "notFound", () -> bq.tables().get(PROJECT, "qd", "absent").execute());
  }

  @Test
  public void unknownDispositionOfAQueryFailsTheJobAndWritesNothing() throws Exception {
    // Found by the reliability suite: a query ignored an unknown disposition and succeeded.
    Job create = toDestination("disp_create", "SELECT 1 AS x", "disp", null, "SOMETIMES");
    assertThat(create.getStatus().getErrorResult().getReason(), equalTo("invalid"));
    assertThat(create.getStatus().getErrorResult().getMessage(), containsString("SOMETIMES"));
    Job write = toDestination("disp_write", "SELECT 1 AS x", "disp", "WRITE_SOMETIMES", null);
    assertThat(write.getStatus().getErrorResult().getReason(), equalTo("invalid"));
    expectError(404, "notFound", () -> bq.tables().get(PROJECT, "qd", "disp").execute());
  }

  @Test
  public void destinationTableWithDdlOrDmlIsRefusedAtInsert() {
    for (String sql :
        List.of("CREATE TABLE qd.nope (x INT64)", "INSERT INTO qd.nums (n) VALUES (1)")) {
      Job job = queryJob(PROJECT, "dest_ddl", sql);
      job.getConfiguration()
          .getQuery()
          .setDestinationTable(
              new TableReference().setProjectId(PROJECT).setDatasetId("qd").setTableId("d"));
      expectError(400, "invalid", () -> bq.jobs().insert(PROJECT, job).execute());
      Job disposition = queryJob(PROJECT, "dest_ddl", sql);
      disposition.getConfiguration().getQuery().setWriteDisposition("WRITE_APPEND");
      expectError(400, "invalid", () -> bq.jobs().insert(PROJECT, disposition).execute());
    }
    expectError(404, "notFound", () -> bq.jobs().get(PROJECT, "dest_ddl").execute());
  }

  // ---------------------------------------------------------------- dry run

  @Test
  public void dryRunReturnsStatisticsAndStoresNoJob() throws Exception {
    Job dry = queryJob(PROJECT, "dry", "SELECT n, s FROM qd.nums");
    dry.getConfiguration().setDryRun(true);
    Job answer = bq.jobs().insert(PROJECT, dry).execute();
    assertThat(answer.getStatus().getState(), equalTo("DONE"));
    JobStatistics2 stats = answer.getStatistics().getQuery();
    assertThat(stats.getTotalBytesProcessed(), notNullValue());
    List<String> names = new ArrayList<>();
    for (TableFieldSchema f : stats.getSchema().getFields()) {
      names.add(f.getName() + ":" + f.getType());
    }
    assertThat(names, contains("n:INTEGER", "s:STRING"));
    expectError(404, "notFound", () -> bq.jobs().get(PROJECT, "dry").execute());
    assertThat(BQ.server().executionsPerJob().containsKey(PROJECT + ":dry"), is(false));

    Job invalid = queryJob(PROJECT, "dry_bad", "SELECT nosuchcolumn FROM qd.nums");
    invalid.getConfiguration().setDryRun(true);
    GoogleJsonError error =
        expectError(400, "invalidQuery", () -> bq.jobs().insert(PROJECT, invalid).execute());
    assertThat(error.getMessage(), containsString("nosuchcolumn"));

    QueryResponse viaQuery =
        bq.jobs().query(PROJECT, request("SELECT 1 AS one").setDryRun(true)).execute();
    assertThat(viaQuery.getSchema().getFields().get(0).getName(), equalTo("one"));
    assertThat(viaQuery.getRows(), nullValue());
  }

  @Test
  public void dryRunReportsReferencedTablesOnce() throws Exception {
    Job dry =
        queryJob(
            PROJECT,
            "dry_refs",
            "SELECT a.n FROM qd.nums a JOIN `" + PROJECT + ".qd.nums` b USING (n)");
    dry.getConfiguration().setDryRun(true);
    JobStatistics2 stats = bq.jobs().insert(PROJECT, dry).execute().getStatistics().getQuery();
    assertThat(
        stats.getReferencedTables(),
        contains(new TableReference().setProjectId(PROJECT).setDatasetId("qd").setTableId("nums")));
  }

  // ---------------------------------------------------------------- failures

  @Test
  public void absentUseLegacySqlFailsWithAdvice() throws Exception {
    Job job = queryJob(PROJECT, "legacy_absent", "SELECT 1");
    job.getConfiguration().getQuery().setUseLegacySql(null);
    Job done = run(bq, job);
    assertThat(done.getStatus().getErrorResult().getReason(), equalTo("invalidQuery"));
    assertThat(
        done.getStatus().getErrorResult().getMessage(), containsString("\"useLegacySql\": false"));
    assertThat(done.getStatus().getErrorResult().getMessage(), containsString("standard SQL"));

    Job legacy = queryJob(PROJECT, "legacy_true", "SELECT 1");
    legacy.getConfiguration().getQuery().setUseLegacySql(true);
    assertThat(run(bq, legacy).getStatus().getErrorResult().getReason(), equalTo("invalidQuery"));

    GoogleJsonError viaQuery =
        expectError(
            400,
            "invalidQuery",
            () -> bq.jobs().query(PROJECT, new QueryRequest().setQuery("SELECT 1")).execute());
    assertThat(viaQuery.getMessage(), containsString("useLegacySql"));
  }

  @Test
  public void badSqlFailsInvalidQueryWithTheEnginesMessage() throws Exception {
    Job unknownFunction = failed("bad_function", "SELECT no_such_function(1)");
    assertThat(unknownFunction.getStatus().getErrorResult().getReason(), equalTo("invalidQuery"));
    assertThat(
        unknownFunction.getStatus().getErrorResult().getMessage(),
        containsString("no_such_function"));

    Job unknownColumn = failed("bad_column", "SELECT nosuchcolumn FROM qd.nums");
    assertThat(unknownColumn.getStatus().getErrorResult().getReason(), equalTo("invalidQuery"));
    assertThat(
        unknownColumn.getStatus().getErrorResult().getMessage(), containsString("nosuchcolumn"));

    Job syntax = failed("bad_syntax", "SELECT 1 +");
    assertThat(syntax.getStatus().getErrorResult().getReason(), equalTo("invalidQuery"));

    // getQueryResults answers a failed job with its error, as BigQuery does.
    expectError(
        400, "invalidQuery", () -> bq.jobs().getQueryResults(PROJECT, "bad_column").execute());
  }

  @Test
  public void missingTableFailsNotFound() throws Exception {
    Job done = failed("missing_table", "SELECT * FROM qd.no_such_table");
    assertThat(done.getStatus().getErrorResult().getReason(), equalTo("notFound"));
    assertThat(
        done.getStatus().getErrorResult().getMessage(),
        containsString(PROJECT + ":qd.no_such_table"));
    Job missingDataset = failed("missing_dataset", "SELECT * FROM no_such_ds.t");
    assertThat(missingDataset.getStatus().getErrorResult().getReason(), equalTo("notFound"));
    expectError(
        404,
        "notFound",
        () -> bq.jobs().query(PROJECT, request("SELECT * FROM qd.no_such_table")).execute());
  }

  // ---------------------------------------------------------------- BigQuery SQL

  @Test
  public void unnamedColumnsAreNamedF0AndOn() throws Exception {
    QueryResponse r =
        bq.jobs()
            .query(PROJECT, request("SELECT 1, n AS named, n + 1, UPPER(s) FROM qd.nums LIMIT 1"))
            .execute();
    List<String> names = new ArrayList<>();
    for (TableFieldSchema f : r.getSchema().getFields()) {
      names.add(f.getName());
    }
    assertThat(names, contains("f0_", "named", "f1_", "f2_"));
  }

  @Test
  public void backtickFormsAndDefaultDataset() throws Exception {
    long expected = ROWS;
    assertThat(count("`" + PROJECT + ".qd.nums`"), equalTo(expected));
    assertThat(count("`qd.nums`"), equalTo(expected));
    assertThat(count("`" + PROJECT + "`.`qd`.`nums`"), equalTo(expected));
    assertThat(count("`qd`.`nums`"), equalTo(expected));
    assertThat(count("qd.nums"), equalTo(expected));

    QueryResponse viaDefault =
        bq.jobs()
            .query(
                PROJECT,
                request("SELECT COUNT(*) FROM nums")
                    .setDefaultDataset(
                        new DatasetReference().setProjectId(PROJECT).setDatasetId("qd")))
            .execute();
    assertThat(column(viaDefault.getRows(), 0), contains(Long.toString(expected)));
  }

  @Test
  public void literalsAreTypedAsInBigQuery() throws Exception {
    QueryResponse r =
        bq.jobs()
            .query(
                PROJECT,
                request(
                    "SELECT 1.5 AS f, CAST('2.5' AS FLOAT64) AS g, 1 AS i, \"dq\" AS s, TRUE AS b,"
                        + " DATE '2024-01-02' AS d, NUMERIC '1.25' AS n,"
                        + " SAFE_CAST('x' AS INT64) AS safe"))
            .execute();
    List<String> types = new ArrayList<>();
    for (TableFieldSchema f : r.getSchema().getFields()) {
      types.add(f.getName() + ":" + f.getType());
    }
    assertThat(
        types,
        contains(
            "f:FLOAT",
            "g:FLOAT",
            "i:INTEGER",
            "s:STRING",
            "b:BOOLEAN",
            "d:DATE",
            "n:NUMERIC",
            "safe:INTEGER"));
    List<String> values = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      values.add(column(r.getRows(), i).get(0));
    }
    assertThat(values, contains("1.5", "2.5", "1", "dq", "true", "2024-01-02", "1.25", null));
  }

  @Test
  public void insertedJobAnswersAtOnceAndGetQueryResultsWaits() throws Exception {
    Job inserted =
        bq.jobs()
            .insert(PROJECT, withRuntime(queryJob(PROJECT, "waited", "SELECT 5 AS five"), 300))
            .execute();
    GetQueryResultsResponse r = bq.jobs().getQueryResults(PROJECT, "waited").execute();
    assertThat(r.getJobComplete(), is(true));
    assertThat(column(r.getRows(), 0), contains("5"));
    assertThat(waitDone(bq, inserted.getJobReference()).getStatus().getErrorResult(), nullValue());
  }
}
