package dev.bqjobs.emulator;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.Assert.assertThrows;

import com.google.api.client.googleapis.json.GoogleJsonResponseException;
import com.google.api.services.bigquery.Bigquery;
import com.google.api.services.bigquery.model.Job;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import org.junit.After;
import org.junit.ClassRule;
import org.junit.Test;

/** Faults and quotas as a client sees them, through the real client over HTTP. */
public class FaultInjectionTest {
  @ClassRule public static final LocalBigQueryRule BQ = new LocalBigQueryRule();

  @After
  public void clearFaults() {
    BQ.server().setFaults("");
    BQ.server().setQuotas("");
  }

  @Test
  public void lostInsertResponseTakesEffectAndRetryGets409() throws Exception {
    Bigquery bq = BQ.client();
    BQ.server().setFaults("jobs.insert:lost=1");
    Job job = QueryJobsTest.queryJob("lost_insert", "SELECT 1");
    IOException lost =
        assertThrows(
            IOException.class, () -> bq.jobs().insert(QueryJobsTest.PROJECT, job).execute());
    assertThat(lost instanceof GoogleJsonResponseException, equalTo(false));
    BQ.server().setFaults("");
    GoogleJsonResponseException retry =
        assertThrows(
            GoogleJsonResponseException.class,
            () -> bq.jobs().insert(QueryJobsTest.PROJECT, job).execute());
    assertThat(retry.getStatusCode(), equalTo(409));
    assertThat(
        retry.getDetails().getMessage(),
        equalTo("Already Exists: Job " + QueryJobsTest.PROJECT + ":US.lost_insert"));
    job.getJobReference().setLocation("US");
    Job done = QueryJobsTest.waitDone(bq, job);
    assertThat(done.getStatus().getErrorResult(), equalTo(null));
    assertThat(
        BQ.server().executionsPerJob().get(QueryJobsTest.PROJECT + ":lost_insert"), equalTo(1));
  }

  @Test
  public void lost503TakesEffectAndAnswers503() throws Exception {
    Bigquery bq = BQ.client();
    BQ.server().setFaults("jobs.insert:lost503=1");
    Job job = QueryJobsTest.queryJob("lost_503", "SELECT 1");
    GoogleJsonResponseException e =
        assertThrows(
            GoogleJsonResponseException.class,
            () -> bq.jobs().insert(QueryJobsTest.PROJECT, job).execute());
    assertThat(e.getStatusCode(), equalTo(503));
    assertThat(e.getDetails().getErrors().get(0).getReason(), equalTo("backendError"));
    BQ.server().setFaults("");
    assertThat(
        bq.jobs().get(QueryJobsTest.PROJECT, "lost_503").setLocation("US").execute().getId(),
        equalTo(QueryJobsTest.PROJECT + ":US.lost_503"));
  }

  @Test
  public void refusedCallsHaveNoEffect() throws Exception {
    Bigquery bq = BQ.client();
    for (String[] fault :
        new String[][] {
          {"500", "backendError"},
          {"503", "backendError"},
          {"429", "rateLimitExceeded"},
          {"403", "rateLimitExceeded"}
        }) {
      BQ.server().setFaults("jobs.insert:" + fault[0] + "=1");
      String id = "refused_" + fault[0];
      GoogleJsonResponseException e =
          assertThrows(
              GoogleJsonResponseException.class,
              () ->
                  bq.jobs()
                      .insert(QueryJobsTest.PROJECT, QueryJobsTest.queryJob(id, "SELECT 1"))
                      .execute());
      assertThat(e.getStatusCode(), equalTo(Integer.parseInt(fault[0])));
      assertThat(e.getDetails().getErrors().get(0).getReason(), equalTo(fault[1]));
      BQ.server().setFaults("");
      GoogleJsonResponseException missing =
          assertThrows(
              GoogleJsonResponseException.class,
              () -> bq.jobs().get(QueryJobsTest.PROJECT, id).setLocation("US").execute());
      assertThat(missing.getStatusCode(), equalTo(404));
    }
  }

  @Test
  public void jobFaultEndsDoneWithRetryableErrorAndNoEffects() throws Exception {
    Bigquery bq = BQ.client();
    BQ.server().setFaults("job:jobInternalError=1");
    Job done =
        QueryJobsTest.waitDone(
            bq,
            bq.jobs()
                .insert(QueryJobsTest.PROJECT, QueryJobsTest.queryJob("job_fault", "SELECT 1"))
                .execute());
    assertThat(done.getStatus().getErrorResult().getReason(), equalTo("jobInternalError"));
    assertThat(done.getStatus().getErrorResult().getMessage(), containsString("new job ID"));
    // BigQuery reports a failed query's statement type; clients tell atomic statements by it.
    assertThat(done.getStatistics().getQuery().getStatementType(), equalTo("SELECT"));
  }

  @Test
  public void quotaAnswers403RateLimitExceeded() throws Exception {
    Bigquery bq = BQ.client();
    BQ.server().setQuotas("jobs.list=3");
    int refused = 0;
    for (int i = 0; i < 10; i++) {
      try {
        bq.jobs().list(QueryJobsTest.PROJECT).execute();
      } catch (GoogleJsonResponseException e) {
        assertThat(e.getStatusCode(), equalTo(403));
        assertThat(e.getDetails().getErrors().get(0).getReason(), equalTo("rateLimitExceeded"));
        refused++;
      }
    }
    assertThat(refused, greaterThan(0));
  }

  @Test
  public void statsEndpointReportsExecutionsAndFaults() throws Exception {
    BQ.server().setFaults("jobs.get:503=0.5");
    HttpURLConnection c =
        (HttpURLConnection) new URL(BQ.rootUrl() + "emulator/v1/stats").openConnection();
    assertThat(c.getResponseCode(), equalTo(200));
    String body = new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(body, containsString("\"executionsPerJob\""));
    assertThat(body, containsString("\"scheduledRuntimeMs\""));
    assertThat(body, containsString("jobs.get"));
  }
}
