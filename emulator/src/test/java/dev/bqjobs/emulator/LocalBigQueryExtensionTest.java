package dev.bqjobs.emulator;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import com.google.api.services.bigquery.Bigquery;
import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.QueryRequest;
import com.google.api.services.bigquery.model.QueryResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The JUnit 5 extension: one server per class, injected as {@link LocalBigQuery} or client. */
class LocalBigQueryExtensionTest {
  @RegisterExtension
  static final LocalBigQueryExtension BQ = new LocalBigQueryExtension(b -> b.maxRunningJobs(5));

  @Test
  void injectsTheClientPointedAtTheServer(Bigquery client) throws Exception {
    QueryResponse r =
        client
            .jobs()
            .query(
                "ext-project", new QueryRequest().setQuery("SELECT 41 + 1").setUseLegacySql(false))
            .execute();
    assertThat(TestSupport.column(r.getRows(), 0), equalTo(java.util.List.of("42")));
    assertThat(client, equalTo(BQ.client()));
  }

  @Test
  void injectsTheServer(LocalBigQuery server, Bigquery client) throws Exception {
    assertThat(server, equalTo(BQ.server()));
    assertThat(server.rootUrl(), startsWith("http://127.0.0.1:"));
    assertThat(server.rootUrl(), equalTo(BQ.rootUrl()));
    Job done =
        TestSupport.runOk(client, TestSupport.queryJob("ext-project", "ext_job", "SELECT 1"));
    assertThat(
        server.executionsPerJob().get("ext-project:" + done.getJobReference().getJobId()),
        equalTo(1));
  }
}
