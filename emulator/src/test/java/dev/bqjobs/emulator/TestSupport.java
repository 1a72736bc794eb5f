package dev.bqjobs.emulator;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.Assert.assertThrows;

import com.google.api.client.googleapis.json.GoogleJsonError;
import com.google.api.client.googleapis.json.GoogleJsonResponseException;
import com.google.api.client.util.Data;
import com.google.api.services.bigquery.Bigquery;
import com.google.api.services.bigquery.model.Dataset;
import com.google.api.services.bigquery.model.DatasetReference;
import com.google.api.services.bigquery.model.ErrorProto;
import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobConfigurationQuery;
import com.google.api.services.bigquery.model.JobReference;
import com.google.api.services.bigquery.model.TableCell;
import com.google.api.services.bigquery.model.TableRow;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.bqjobs.emulator.engine.JobManager;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import org.junit.function.ThrowingRunnable;

/**
 * Helpers shared by the HTTP tests: bounded polling (never "sleep and hope"), raw HTTP for what the
 * generated client hides (string int64s, bare routes, broken bodies), and assertions on BigQuery's
 * error envelope.
 */
final class TestSupport {
  /** Upper bound of any wait in these tests; far above the longest runtime label used. */
  static final long DEADLINE_MS = 20_000;

  /** Pause between polls: a poll interval inside a bounded loop, not a synchronisation. */
  static final long POLL_INTERVAL_MS = 10;

  private TestSupport() {}

  /** A standard-SQL query job (useLegacySql false, as the client libraries send it). */
  static Job queryJob(String project, String jobId, String sql) {
    return new Job()
        .setJobReference(new JobReference().setProjectId(project).setJobId(jobId))
        .setConfiguration(
            new JobConfiguration()
                .setQuery(new JobConfigurationQuery().setQuery(sql).setUseLegacySql(false)));
  }

  /** The same job, held RUNNING at least {@code ms} by the runtime label. */
  static Job withRuntime(Job job, long ms) {
    job.getConfiguration().setLabels(Map.of(JobManager.RUNTIME_LABEL, Long.toString(ms)));
    return job;
  }

  static Dataset dataset(String project, String datasetId, String location) {
    return new Dataset()
        .setDatasetReference(new DatasetReference().setProjectId(project).setDatasetId(datasetId))
        .setLocation(location);
  }

  /** Polls {@code probe} until {@code done} holds; fails after {@link #DEADLINE_MS}. */
  static <T> T pollUntil(String what, Callable<T> probe, Predicate<T> done) throws Exception {
    long deadline = System.nanoTime() + DEADLINE_MS * 1_000_000;
    T last = null;
    while (System.nanoTime() < deadline) {
      last = probe.call();
      if (done.test(last)) {
        return last;
      }
      Thread.sleep(POLL_INTERVAL_MS);
    }
    throw new AssertionError("timed out waiting for " + what + "; last seen: " + last);
  }

  /** Polls jobs.get (with the job's location) until the job is DONE. */
  static Job waitDone(Bigquery bq, JobReference ref) throws Exception {
    return pollUntil(
        "job " + ref.getJobId() + " to be DONE",
        () ->
            bq.jobs()
                .get(ref.getProjectId(), ref.getJobId())
                .setLocation(ref.getLocation())
                .execute(),
        job -> "DONE".equals(job.getStatus().getState()));
  }

  /** Inserts a job and waits for it to be DONE. */
  static Job run(Bigquery bq, Job job) throws Exception {
    Job inserted = bq.jobs().insert(job.getJobReference().getProjectId(), job).execute();
    return waitDone(bq, inserted.getJobReference());
  }

  /** Runs a job and asserts it succeeded. */
  static Job runOk(Bigquery bq, Job job) throws Exception {
    Job done = run(bq, job);
    assertThat("errorResult of " + done.getId(), done.getStatus().getErrorResult(), equalTo(null));
    return done;
  }

  /** Runs a query job that must fail and returns its errorResult. */
  static ErrorProto runFailing(Bigquery bq, Job job) throws Exception {
    Job done = run(bq, job);
    ErrorProto error = done.getStatus().getErrorResult();
    assertThat(
        job.getConfiguration().getQuery().getQuery() + " should fail", error, notNullValue());
    return error;
  }

  /**
   * Asserts that a client call fails with the given HTTP code and reason, in BigQuery's envelope;
   * returns the error for further checks.
   */
  static GoogleJsonError expectError(int code, String reason, ThrowingRunnable call) {
    GoogleJsonResponseException e = assertThrows(GoogleJsonResponseException.class, call);
    assertThat(e.getContent(), e.getStatusCode(), equalTo(code));
    GoogleJsonError details = e.getDetails();
    assertThat(e.getContent(), details.getCode(), equalTo(code));
    assertThat(e.getContent(), details.getErrors(), hasSize(1));
    assertThat(e.getContent(), details.getErrors().get(0).getReason(), equalTo(reason));
    assertThat(e.getContent(), details.getErrors().get(0).getDomain(), equalTo("global"));
    assertThat(details.getErrors().get(0).getMessage(), equalTo(details.getMessage()));
    return details;
  }

  static List<String> column(List<TableRow> rows, int index) {
    List<String> out = new ArrayList<>();
    if (rows == null) {
      return out;
    }
    for (TableRow r : rows) {
      Object v = ((TableCell) r.getF().get(index)).getV();
      // google-http-client parses {"v": null} into its null sentinel
      out.add(v == null || Data.isNull(v) ? null : v.toString());
    }
    return out;
  }

  // ---------------------------------------------------------------- raw HTTP

  /** A raw HTTP answer: status and body text. */
  static final class Raw {
    final int status;
    final String body;

    Raw(int status, String body) {
      this.status = status;
      this.body = body;
    }

    JsonObject json() {
      return JsonParser.parseString(body).getAsJsonObject();
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }

  static Raw http(String method, String url, String body) throws IOException {
    return http(method, url, body == null ? null : body.getBytes(StandardCharsets.UTF_8));
  }

  static Raw http(String method, String url, byte[] body) throws IOException {
    HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
    c.setConnectTimeout(5_000);
    c.setReadTimeout(20_000);
    c.setRequestMethod(method);
    if (body != null) {
      c.setDoOutput(true);
      c.setRequestProperty("Content-Type", "application/json; charset=UTF-8");
      c.setFixedLengthStreamingMode(body.length);
      try (OutputStream out = c.getOutputStream()) {
        out.write(body);
      } catch (IOException e) {
        // the server may answer (413) and close before reading everything; read its answer
      }
    }
    int status = c.getResponseCode();
    InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    if (in != null) {
      try (in) {
        in.transferTo(text);
      }
    }
    c.disconnect();
    return new Raw(status, text.toString(StandardCharsets.UTF_8));
  }

  /**
   * Asserts a raw answer is BigQuery's error envelope with this code and reason: {@code
   * {"error":{"code","message","errors":[{"domain":"global","reason","message"}],"status"}}}.
   */
  static JsonObject assertEnvelope(Raw raw, int code, String reason) {
    assertThat(raw.toString(), raw.status, equalTo(code));
    JsonObject error = raw.json().getAsJsonObject("error");
    assertThat(raw.toString(), error.get("code").getAsInt(), equalTo(code));
    assertThat(raw.toString(), error.get("message").getAsString().isEmpty(), equalTo(false));
    assertThat(raw.toString(), error.get("status").getAsString().isEmpty(), equalTo(false));
    assertThat(raw.toString(), error.getAsJsonArray("errors").size(), equalTo(1));
    JsonObject detail = error.getAsJsonArray("errors").get(0).getAsJsonObject();
    assertThat(raw.toString(), detail.get("domain").getAsString(), equalTo("global"));
    assertThat(raw.toString(), detail.get("reason").getAsString(), equalTo(reason));
    assertThat(
        raw.toString(),
        detail.get("message").getAsString(),
        equalTo(error.get("message").getAsString()));
    return error;
  }
}
