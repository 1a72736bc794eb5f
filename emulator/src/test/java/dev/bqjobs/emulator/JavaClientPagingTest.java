package dev.bqjobs.emulator;

import static dev.bqjobs.emulator.TestSupport.dataset;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.nullValue;

import com.google.api.services.bigquery.Bigquery;
import com.google.api.services.bigquery.model.GetQueryResultsResponse;
import com.google.api.services.bigquery.model.JobList;
import com.google.api.services.bigquery.model.Table;
import com.google.api.services.bigquery.model.TableDataInsertAllRequest;
import com.google.api.services.bigquery.model.TableDataList;
import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.api.services.bigquery.model.TableList;
import com.google.api.services.bigquery.model.TableReference;
import com.google.api.services.bigquery.model.TableSchema;
import com.google.cloud.NoCredentials;
import com.google.cloud.bigquery.BigQuery;
import com.google.cloud.bigquery.BigQueryOptions;
import com.google.cloud.bigquery.FieldValueList;
import com.google.cloud.bigquery.JobInfo;
import com.google.cloud.bigquery.QueryJobConfiguration;
import com.google.cloud.bigquery.TableId;
import dev.bqjobs.emulator.store.TableReader;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * Paging as Google's Java client does it: later pages carry a page token and {@code startIndex=0}
 * and no {@code maxResults}. Every row comes back exactly once, in order, whichever way it pages.
 */
public class JavaClientPagingTest {
  @ClassRule public static final LocalBigQueryRule BQ = new LocalBigQueryRule();

  private static final String P = "paging-project";
  private static final int ROWS = 2_500;
  private static final long PAGE = 700;
  private static final String ORDERED = "SELECT n FROM ds.numbers ORDER BY n";

  private static BigQuery client;

  @BeforeClass
  public static void numbers() throws Exception {
    Bigquery bq = BQ.client();
    bq.datasets().insert(P, dataset(P, "ds", null)).execute();
    createTable(bq, "numbers", "n", "INT64");
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      rows.add(Map.of("n", i));
    }
    insert(bq, "numbers", rows);
    client =
        BigQueryOptions.newBuilder()
            .setHost(BQ.rootUrl())
            .setProjectId(P)
            .setCredentials(NoCredentials.getInstance())
            .build()
            .getService();
  }

  private static void createTable(Bigquery bq, String table, String column, String type)
      throws Exception {
    bq.tables()
        .insert(
            P,
            "ds",
            new Table()
                .setTableReference(
                    new TableReference().setProjectId(P).setDatasetId("ds").setTableId(table))
                .setSchema(
                    new TableSchema()
                        .setFields(List.of(new TableFieldSchema().setName(column).setType(type)))))
        .execute();
  }

  private static void insert(Bigquery bq, String table, List<Map<String, Object>> values)
      throws Exception {
    List<TableDataInsertAllRequest.Rows> rows = new ArrayList<>();
    for (Map<String, Object> v : values) {
      rows.add(new TableDataInsertAllRequest.Rows().setJson(v));
    }
    bq.tabledata()
        .insertAll(P, "ds", table, new TableDataInsertAllRequest().setRows(rows))
        .execute();
  }

  private static List<Long> numbers(Iterable<FieldValueList> rows) {
    List<Long> out = new ArrayList<>();
    for (FieldValueList row : rows) {
      out.add(row.get(0).getLongValue());
    }
    return out;
  }

  private static void assertEveryRowOnceInOrder(List<Long> seen) {
    assertThat("rows seen", seen.size(), equalTo(ROWS));
    for (int i = 0; i < ROWS; i++) {
      assertThat("row " + i, seen.get(i), equalTo((long) i));
    }
  }

  @Test
  public void listTableDataInPagesOf700() {
    assertEveryRowOnceInOrder(
        numbers(
            client
                .listTableData(
                    TableId.of(P, "ds", "numbers"), BigQuery.TableDataListOption.pageSize(PAGE))
                .iterateAll()));
  }

  @Test
  public void queryResultsInPagesOf700() throws Exception {
    QueryJobConfiguration query =
        QueryJobConfiguration.newBuilder(ORDERED).setUseLegacySql(false).build();
    assertEveryRowOnceInOrder(
        numbers(
            client
                .create(JobInfo.of(query))
                .getQueryResults(BigQuery.QueryResultsOption.pageSize(PAGE))
                .iterateAll()));
    // jobs.query's first page, then getQueryResults pages
    QueryJobConfiguration fast =
        QueryJobConfiguration.newBuilder(ORDERED)
            .setUseLegacySql(false)
            .setMaxResults(PAGE)
            .build();
    assertEveryRowOnceInOrder(numbers(client.query(fast).iterateAll()));
  }

  @Test
  public void pageTokenWinsOverStartIndexAndALaterPageNeedsNoMaximum() throws Exception {
    Bigquery bq = BQ.client();
    TableDataList first = bq.tabledata().list(P, "ds", "numbers").setMaxResults(PAGE).execute();
    TableDataList rest =
        bq.tabledata()
            .list(P, "ds", "numbers")
            .setPageToken(first.getPageToken())
            .setStartIndex(BigInteger.ZERO)
            .execute();
    assertThat(rest.getRows().size(), equalTo(ROWS - (int) PAGE));
    assertThat(rest.getRows().get(0).getF().get(0).getV(), equalTo("700"));
    assertThat(rest.getPageToken(), nullValue());

    com.google.api.services.bigquery.model.Job job =
        bq.jobs().insert(P, TestSupport.queryJob(P, "ordered_numbers", ORDERED)).execute();
    TestSupport.waitDone(bq, job.getJobReference());
    GetQueryResultsResponse page1 =
        bq.jobs().getQueryResults(P, "ordered_numbers").setMaxResults(PAGE).execute();
    GetQueryResultsResponse page2 =
        bq.jobs()
            .getQueryResults(P, "ordered_numbers")
            .setPageToken(page1.getPageToken())
            .setStartIndex(BigInteger.ZERO)
            .execute();
    assertThat(page2.getRows().size(), equalTo(ROWS - (int) PAGE));
    assertThat(page2.getRows().get(0).getF().get(0).getV(), equalTo("700"));
  }

  @Test
  public void aPageWithoutMaximumStopsNearTenMegabytes() throws Exception {
    Bigquery bq = BQ.client();
    createTable(bq, "wide", "s", "STRING");
    int rows = 40;
    String wide = "x".repeat(400_000); // 40 rows of 400 KB: about 16 MB
    for (int batch = 0; batch < rows / 10; batch++) {
      List<Map<String, Object>> values = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        values.add(Map.of("s", (batch * 10 + i) + wide));
      }
      insert(bq, "wide", values);
    }
    TableDataList first = bq.tabledata().list(P, "ds", "wide").execute();
    int firstSize = first.getRows().size();
    assertThat(firstSize, greaterThan(0));
    assertThat(firstSize, lessThan(rows));
    assertThat(
        (long) firstSize * wide.length(), lessThan(TableReader.MAX_PAGE_BYTES + wide.length()));
    List<Integer> seen = new ArrayList<>();
    String token = null;
    do {
      TableDataList page = bq.tabledata().list(P, "ds", "wide").setPageToken(token).execute();
      for (com.google.api.services.bigquery.model.TableRow r : page.getRows()) {
        String s = (String) r.getF().get(0).getV();
        seen.add(Integer.parseInt(s.substring(0, s.indexOf('x'))));
      }
      token = page.getPageToken();
    } while (token != null);
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      expected.add(i);
    }
    assertThat(seen, equalTo(expected));
  }

  @Test
  public void resourceListsPageByTokenWhileItemsAreCreated() throws Exception {
    Bigquery bq = BQ.client();
    bq.datasets().insert(P, dataset(P, "listed", null)).execute();
    for (int i = 0; i < 5; i++) {
      bq.tables()
          .insert(
              P,
              "listed",
              new Table()
                  .setTableReference(
                      new TableReference()
                          .setProjectId(P)
                          .setDatasetId("listed")
                          .setTableId("t" + i))
                  .setSchema(
                      new TableSchema()
                          .setFields(
                              List.of(new TableFieldSchema().setName("n").setType("INT64")))))
          .execute();
    }
    TableList tables1 = bq.tables().list(P, "listed").setMaxResults(2L).execute();
    // a table created before the cursor must not push t1 onto the next page
    bq.tables()
        .insert(
            P,
            "listed",
            new Table()
                .setTableReference(
                    new TableReference().setProjectId(P).setDatasetId("listed").setTableId("a"))
                .setSchema(
                    new TableSchema()
                        .setFields(List.of(new TableFieldSchema().setName("n").setType("INT64")))))
        .execute();
    List<String> names = new ArrayList<>();
    tables1.getTables().forEach(t -> names.add(t.getTableReference().getTableId()));
    String token = tables1.getNextPageToken();
    while (token != null) {
      TableList page =
          bq.tables().list(P, "listed").setMaxResults(2L).setPageToken(token).execute();
      page.getTables().forEach(t -> names.add(t.getTableReference().getTableId()));
      token = page.getNextPageToken();
    }
    assertThat(names, equalTo(List.of("t0", "t1", "t2", "t3", "t4")));

    // jobs.list, newest first: jobs inserted between pages never repeat one already seen
    for (int i = 0; i < 6; i++) {
      bq.jobs().insert(P, TestSupport.queryJob(P, "listed_" + i, "SELECT 1")).execute();
    }
    JobList jobs1 = bq.jobs().list(P).setMaxResults(3L).execute();
    bq.jobs().insert(P, TestSupport.queryJob(P, "listed_late", "SELECT 1")).execute();
    Set<String> seen = new HashSet<>();
    List<String> order = new ArrayList<>();
    String jobToken = null;
    JobList page = jobs1;
    while (true) {
      for (JobList.Jobs j : page.getJobs()) {
        assertThat("seen once: " + j.getId(), seen.add(j.getId()), equalTo(true));
        order.add(j.getJobReference().getJobId());
      }
      jobToken = page.getNextPageToken();
      if (jobToken == null) {
        break;
      }
      page = bq.jobs().list(P).setMaxResults(3L).setPageToken(jobToken).execute();
    }
    assertThat(
        order.subList(0, 6),
        equalTo(List.of("listed_5", "listed_4", "listed_3", "listed_2", "listed_1", "listed_0")));
    assertThat(order.contains("listed_late"), equalTo(false));
  }
}
