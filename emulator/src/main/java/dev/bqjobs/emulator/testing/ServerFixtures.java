package dev.bqjobs.emulator.testing;

import com.google.api.client.googleapis.json.GoogleJsonResponseException;
import com.google.api.client.http.HttpRequestInitializer;
import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.api.services.bigquery.Bigquery;
import com.google.api.services.bigquery.model.Dataset;
import com.google.api.services.bigquery.model.DatasetReference;
import com.google.api.services.bigquery.model.ErrorProto;
import com.google.api.services.bigquery.model.GetQueryResultsResponse;
import com.google.api.services.bigquery.model.QueryRequest;
import com.google.api.services.bigquery.model.QueryResponse;
import com.google.api.services.bigquery.model.TableRow;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.bqjobs.emulator.wire.JsonCodec;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Setting up a local server for a test and reading it back, through its HTTP API only, so the same
 * helpers serve an in-process {@link dev.bqjobs.emulator.LocalBigQuery} ({@code server.client()},
 * {@code server.rootUrl()}, {@code server.gcsRoot()}) and a {@link ServerProcess}. Failures throw:
 * a test that sets up nothing asserts nothing.
 */
public final class ServerFixtures {
  /** How long the server may hold one jobs.query or getQueryResults call for a running job. */
  private static final long WAIT_MILLIS = 9_000;

  /** How many such waits a set-up statement may take before it counts as stuck. */
  private static final int MAX_WAITS = 20;

  private ServerFixtures() {}

  /** A client of the server at {@code rootUrl} that sends no credentials. */
  public static Bigquery client(String rootUrl) {
    HttpRequestInitializer noAuth = request -> {};
    return new Bigquery.Builder(new NetHttpTransport(), JsonCodec.factory(), noAuth)
        .setRootUrl(rootUrl)
        .setApplicationName("bqjobs-emulator-testing")
        .build();
  }

  /** Creates {@code project:dataset}, in {@code location} (null: the server's default, US). */
  public static void createDataset(Bigquery bq, String project, String dataset, String location)
      throws IOException {
    bq.datasets()
        .insert(
            project,
            new Dataset()
                .setDatasetReference(
                    new DatasetReference().setProjectId(project).setDatasetId(dataset))
                .setLocation(location))
        .execute();
  }

  /**
   * Runs one standard-SQL statement to completion through jobs.query and returns its rows; the
   * server holds each call until the job ends or {@value #WAIT_MILLIS} ms pass, so nothing here
   * sleeps.
   *
   * @throws AssertionError naming the statement when it fails or does not finish
   */
  public static List<TableRow> runSql(Bigquery bq, String project, String sql) throws IOException {
    QueryResponse response;
    try {
      response =
          bq.jobs()
              .query(
                  project,
                  new QueryRequest().setQuery(sql).setUseLegacySql(false).setTimeoutMs(WAIT_MILLIS))
              .execute();
    } catch (GoogleJsonResponseException e) {
      // A statement that fails at once is answered as an error, like BigQuery's jobs.query.
      throw new AssertionError(
          "set-up SQL failed (" + e.getStatusCode() + " " + e.getStatusMessage() + "): " + sql, e);
    }
    String jobId = response.getJobReference().getJobId();
    String location = response.getJobReference().getLocation();
    boolean complete = Boolean.TRUE.equals(response.getJobComplete());
    List<TableRow> rows = response.getRows();
    for (int i = 0; !complete && i < MAX_WAITS; i++) {
      GetQueryResultsResponse r =
          bq.jobs()
              .getQueryResults(project, jobId)
              .setLocation(location)
              .setTimeoutMs(WAIT_MILLIS)
              .execute();
      complete = Boolean.TRUE.equals(r.getJobComplete());
      rows = r.getRows();
    }
    if (!complete) {
      throw new AssertionError("set-up SQL did not finish: " + sql);
    }
    ErrorProto error =
        bq.jobs().get(project, jobId).setLocation(location).execute().getStatus().getErrorResult();
    if (error != null) {
      throw new AssertionError(
          "set-up SQL failed (" + error.getReason() + ": " + error.getMessage() + "): " + sql);
    }
    return rows == null ? List.of() : rows;
  }

  /** The file behind {@code gs://BUCKET/PATH} of a server whose {@code --gcs-root} is given. */
  public static Path gcsFile(Path gcsRoot, String uri) {
    if (!uri.startsWith("gs://")) {
      throw new IllegalArgumentException("\"" + uri + "\" is not a gs:// URI");
    }
    return gcsRoot.resolve(uri.substring("gs://".length()));
  }

  /** Writes {@code text} to the file behind {@code uri}, creating its folders. */
  public static Path writeGcs(Path gcsRoot, String uri, String text) throws IOException {
    return writeGcs(gcsRoot, uri, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Writes {@code bytes} to the file behind {@code uri}, creating its folders. */
  public static Path writeGcs(Path gcsRoot, String uri, byte[] bytes) throws IOException {
    Path file = gcsFile(gcsRoot, uri);
    Files.createDirectories(file.getParent());
    Files.write(file, bytes);
    return file;
  }

  /**
   * The server's {@code GET /emulator/v1/stats}: requests, executionsPerJob, jobsByState, and the
   * rest the server reports.
   */
  public static JsonObject stats(String rootUrl) throws IOException {
    HttpURLConnection c =
        (HttpURLConnection) new URL(rootUrl + "emulator/v1/stats").openConnection();
    c.setConnectTimeout(5_000);
    c.setReadTimeout(30_000);
    try (InputStream in = c.getInputStream()) {
      return JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8))
          .getAsJsonObject();
    } finally {
      c.disconnect();
    }
  }

  /** Jobs in one state right now, from the stats' jobsByState (0 when none). */
  public static int jobsInState(JsonObject stats, String state) {
    JsonObject byState = stats.getAsJsonObject("jobsByState");
    return byState != null && byState.has(state) ? byState.get(state).getAsInt() : 0;
  }
}
