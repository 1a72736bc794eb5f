package dev.bqjobs.emulator;

import static dev.bqjobs.emulator.TestSupport.assertEnvelope;
import static dev.bqjobs.emulator.TestSupport.dataset;
import static dev.bqjobs.emulator.TestSupport.expectError;
import static dev.bqjobs.emulator.TestSupport.http;
import static dev.bqjobs.emulator.TestSupport.pollUntil;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import com.google.api.services.bigquery.Bigquery;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.bqjobs.emulator.TestSupport.Raw;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.After;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * The HTTP surface with raw requests: BigQuery's error envelope for every kind of bad request,
 * routes under {@code /bigquery/v2/} and bare, int64 values as numbers or strings in and strings
 * out, and a server that keeps answering after all of it.
 */
public class HttpSurfaceTest {
  @ClassRule public static final LocalBigQueryRule BQ = new LocalBigQueryRule();

  private static final String PROJECT = "surface-project";

  private static String api(String path) {
    return BQ.rootUrl() + "bigquery/v2/projects/" + PROJECT + path;
  }

  private static String bare(String path) {
    return BQ.rootUrl() + "projects/" + PROJECT + path;
  }

  private static String job(String jobId, String extra) {
    return "{\"jobReference\": {\"jobId\": \""
        + jobId
        + "\"}, \"configuration\": {\"query\": {\"query\": \"SELECT 1\", \"useLegacySql\": false}"
        + extra
        + "}}";
  }

  @BeforeClass
  public static void data() throws Exception {
    BQ.client().datasets().insert(PROJECT, dataset(PROJECT, "ds", "US")).execute();
  }

  /** After every test, however bad its requests, the server still answers normally. */
  @After
  public void serverStillAnswers() throws Exception {
    Raw ok = http("GET", api("/datasets/ds"), (String) null);
    assertThat(ok.toString(), ok.status, equalTo(200));
  }

  // ---------------------------------------------------------------- bad bodies

  @Test
  public void malformedJsonIs400Invalid() throws Exception {
    for (String body : new String[] {"{not json", "{\"a\": 1} trailing", "[1, 2]", "\"text\""}) {
      JsonObject error = assertEnvelope(http("POST", api("/jobs"), body), 400, "invalid");
      assertThat(error.get("status").getAsString(), equalTo("INVALID_ARGUMENT"));
    }
    assertEnvelope(http("POST", api("/jobs"), ""), 400, "invalid");
  }

  @Test
  public void aFieldOfTheWrongTypeIs400NamingTheField() throws Exception {
    JsonObject error =
        assertEnvelope(
            http("POST", api("/jobs"), job("wrong_type", ", \"dryRun\": \"maybe\"")),
            400,
            "invalid");
    assertThat(error.get("message").getAsString(), containsString("dryRun"));
    error =
        assertEnvelope(
            http("POST", api("/jobs"), "{\"configuration\": \"a string\"}"), 400, "invalid");
    assertThat(error.get("message").getAsString(), containsString("configuration"));
    error =
        assertEnvelope(
            http("POST", api("/jobs"), job("wrong_type", ", \"jobTimeoutMs\": \"soon\"")),
            400,
            "invalid");
    assertThat(error.get("message").getAsString(), containsString("jobTimeoutMs"));
    assertThat(error.get("message").getAsString(), containsString("soon"));
  }

  @Test
  public void anUnknownFieldIs400NamingTheField() throws Exception {
    JsonObject error =
        assertEnvelope(
            http(
                "POST",
                api("/jobs"),
                "{\"configuration\": {\"qeury\": {\"query\": \"SELECT 1\"}}}"),
            400,
            "invalid");
    assertThat(error.get("message").getAsString(), containsString("qeury"));
  }

  @Test
  public void aMissingRequiredFieldIs400() throws Exception {
    assertEnvelope(http("POST", api("/datasets"), "{}"), 400, "required");
    assertEnvelope(
        http("POST", api("/datasets/ds/tables"), "{\"schema\": {\"fields\": []}}"),
        400,
        "required");
    JsonObject noConfiguration =
        assertEnvelope(
            http("POST", api("/jobs"), "{\"jobReference\": {\"jobId\": \"x\"}}"), 400, "required");
    assertThat(noConfiguration.get("message").getAsString(), containsString("configuration"));
    assertEnvelope(
        http("POST", api("/jobs"), "{\"configuration\": {\"query\": {\"useLegacySql\": false}}}"),
        400,
        "required");
    assertEnvelope(http("POST", api("/queries"), "{\"useLegacySql\": false}"), 400, "required");
  }

  @Test
  public void badQueryParametersAre400() throws Exception {
    assertEnvelope(http("GET", api("/jobs?maxResults=many"), (String) null), 400, "invalid");
    assertEnvelope(http("GET", api("/jobs?pageToken=forged"), (String) null), 400, "invalid");
    assertEnvelope(
        http("GET", api("/datasets/ds/tables?pageToken=bm90LW91cnM"), (String) null),
        400,
        "invalid");
    assertEnvelope(http("GET", api("/jobs?stateFilter=finished"), (String) null), 400, "invalid");
    assertEnvelope(http("GET", api("/datasets?all=perhaps"), (String) null), 400, "invalid");
  }

  @Test
  public void anInvalidGzipBodyIs400() throws Exception {
    HttpURLConnection c = (HttpURLConnection) new URL(api("/jobs")).openConnection();
    c.setRequestMethod("POST");
    c.setDoOutput(true);
    c.setRequestProperty("Content-Encoding", "gzip");
    try (OutputStream out = c.getOutputStream()) {
      out.write("not gzip at all".getBytes(StandardCharsets.UTF_8));
    }
    assertThat(c.getResponseCode(), equalTo(400));
    c.disconnect();

    // A real gzip body (google-api-client gzips by default) is accepted.
    ByteArrayOutputStream zipped = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(zipped)) {
      gz.write(job("gzipped", "").getBytes(StandardCharsets.UTF_8));
    }
    HttpURLConnection ok = (HttpURLConnection) new URL(api("/jobs")).openConnection();
    ok.setRequestMethod("POST");
    ok.setDoOutput(true);
    ok.setRequestProperty("Content-Encoding", "gzip");
    try (OutputStream out = ok.getOutputStream()) {
      out.write(zipped.toByteArray());
    }
    assertThat(ok.getResponseCode(), equalTo(200));
    ok.disconnect();
  }

  // ---------------------------------------------------------------- routing

  @Test
  public void anUnknownRouteIs404() throws Exception {
    assertEnvelope(
        http("GET", BQ.rootUrl() + "bigquery/v2/nothing/here", (String) null), 404, "notFound");
    assertEnvelope(http("GET", api("/jobz"), (String) null), 404, "notFound");
    assertEnvelope(http("POST", BQ.rootUrl() + "nothing", "{}"), 404, "notFound");
    assertEnvelope(http("GET", BQ.rootUrl(), (String) null), 404, "notFound");
  }

  @Test
  public void aWrongMethodIs405() throws Exception {
    JsonObject error = assertEnvelope(http("PUT", api("/jobs"), "{}"), 405, "methodNotAllowed");
    assertThat(error.get("message").getAsString(), containsString("PUT"));
    assertEnvelope(http("DELETE", api("/jobs"), (String) null), 405, "methodNotAllowed");
    assertEnvelope(http("POST", api("/datasets/ds"), "{}"), 405, "methodNotAllowed");
  }

  @Test
  public void routesAnswerUnderTheApiPrefixAndBare() throws Exception {
    Raw prefixed = http("GET", api("/datasets"), (String) null);
    Raw plain = http("GET", bare("/datasets"), (String) null);
    assertThat(prefixed.toString(), prefixed.status, equalTo(200));
    assertThat(plain.toString(), plain.status, equalTo(200));
    assertThat(plain.json().get("kind").getAsString(), equalTo("bigquery#datasetList"));
    assertThat(
        plain.json().getAsJsonArray("datasets").size(),
        equalTo(prefixed.json().getAsJsonArray("datasets").size()));

    Raw inserted = http("POST", bare("/jobs"), job("bare_route", ""));
    assertThat(inserted.toString(), inserted.status, equalTo(200));
    Raw got =
        pollUntil(
            "bare_route DONE",
            () -> http("GET", bare("/jobs/bare_route?location=US"), (String) null),
            r ->
                r.status == 200
                    && r.json()
                        .getAsJsonObject("status")
                        .get("state")
                        .getAsString()
                        .equals("DONE"));
    assertThat(got.json().get("id").getAsString(), equalTo(PROJECT + ":US.bare_route"));
    Raw results = http("GET", bare("/queries/bare_route"), (String) null);
    assertThat(results.toString(), results.status, equalTo(200));
    assertThat(results.json().get("jobComplete").getAsBoolean(), is(true));
    assertThat(http("GET", api("/jobs/bare_route"), (String) null).status, equalTo(200));
    assertEnvelope(http("GET", bare("/jobs/nope"), (String) null), 404, "notFound");
  }

  // ---------------------------------------------------------------- int64 on the wire

  @Test
  public void int64AcceptedAsNumberOrStringAndReturnedAsString() throws Exception {
    for (String given : new String[] {"600000", "\"600000\""}) {
      String jobId = given.startsWith("\"") ? "int64_string" : "int64_number";
      Raw inserted = http("POST", api("/jobs"), job(jobId, ", \"jobTimeoutMs\": " + given));
      assertThat(inserted.toString(), inserted.status, equalTo(200));
      JsonPrimitive echoed =
          inserted.json().getAsJsonObject("configuration").getAsJsonPrimitive("jobTimeoutMs");
      assertThat(inserted.body, echoed.isString(), is(true));
      assertThat(echoed.getAsString(), equalTo("600000"));
      JsonPrimitive created =
          inserted.json().getAsJsonObject("statistics").getAsJsonPrimitive("creationTime");
      assertThat(inserted.body, created.isString(), is(true));
    }
    assertEnvelope(
        http("POST", api("/jobs"), job("int64_bad", ", \"jobTimeoutMs\": 1.5")), 400, "invalid");
    assertEnvelope(
        http("POST", api("/jobs"), job("int64_big", ", \"jobTimeoutMs\": 1e30")), 400, "invalid");

    // The same on tabledata.insertAll rows and on tables.get's numRows.
    Raw table =
        http(
            "POST",
            api("/datasets/ds/tables"),
            "{\"tableReference\": {\"tableId\": \"ints\"},"
                + " \"schema\": {\"fields\": [{\"name\": \"n\", \"type\": \"INT64\"}]}}");
    assertThat(table.toString(), table.status, equalTo(200));
    Raw rows =
        http(
            "POST",
            api("/datasets/ds/tables/ints/insertAll"),
            "{\"rows\": [{\"json\": {\"n\": 9007199254740993}}, {\"json\": {\"n\": \"-7\"}}]}");
    assertThat(rows.toString(), rows.status, equalTo(200));
    assertThat(rows.body, rows.json().has("insertErrors"), is(false));
    Raw got = http("GET", api("/datasets/ds/tables/ints"), (String) null);
    assertThat(got.json().getAsJsonPrimitive("numRows").isString(), is(true));
    assertThat(got.json().get("numRows").getAsString(), equalTo("2"));
    Raw data = http("GET", api("/datasets/ds/tables/ints/data"), (String) null);
    assertThat(data.json().getAsJsonPrimitive("totalRows").isString(), is(true));
    assertThat(
        data.json()
            .getAsJsonArray("rows")
            .get(0)
            .getAsJsonObject()
            .getAsJsonArray("f")
            .get(0)
            .getAsJsonObject()
            .get("v")
            .getAsString(),
        equalTo("9007199254740993"));
  }

  // ---------------------------------------------------------------- size limit

  @Test
  public void anOversizedBodyIs413() throws Exception {
    byte[] body = new byte[(int) LocalBigQuery.MAX_REQUEST_BYTES + 1024];
    Arrays.fill(body, (byte) ' ');
    body[0] = '{';
    body[body.length - 1] = '}';
    assertEnvelope(http("POST", api("/jobs"), body), 413, "invalid");

    // Without a Content-Length (chunked) the limit holds while reading.
    HttpURLConnection c = (HttpURLConnection) new URL(api("/jobs")).openConnection();
    c.setRequestMethod("POST");
    c.setDoOutput(true);
    c.setChunkedStreamingMode(64 * 1024);
    try (OutputStream out = c.getOutputStream()) {
      out.write(body);
    } catch (IOException e) {
      // the server may answer 413 and close before the whole body is sent
    }
    assertThat(c.getResponseCode(), equalTo(413));
    try (InputStream in = c.getErrorStream()) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertThat(text, containsString("\"reason\":\"invalid\""));
    }
    c.disconnect();
  }

  // ---------------------------------------------------------------- through the client

  @Test
  public void clientErrorsCarryTheEnvelopeToo() throws Exception {
    Bigquery bq = BQ.client();
    expectError(404, "notFound", () -> bq.jobs().get(PROJECT, "no_such_job").execute());
    expectError(404, "notFound", () -> bq.tables().get(PROJECT, "ds", "no_table").execute());
    expectError(
        400,
        "invalid",
        () ->
            bq.jobs()
                .insert(
                    PROJECT,
                    new com.google.api.services.bigquery.model.Job()
                        .setConfiguration(
                            new com.google.api.services.bigquery.model.JobConfiguration()))
                .execute());
  }
}
