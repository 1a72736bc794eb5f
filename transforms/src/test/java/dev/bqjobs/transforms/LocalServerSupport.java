package dev.bqjobs.transforms;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import com.google.api.services.bigquery.Bigquery;
import com.google.api.services.bigquery.model.Dataset;
import com.google.api.services.bigquery.model.DatasetReference;
import com.google.api.services.bigquery.model.GetQueryResultsResponse;
import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobConfigurationQuery;
import com.google.api.services.bigquery.model.QueryRequest;
import com.google.api.services.bigquery.model.QueryResponse;
import com.google.api.services.bigquery.model.TableReference;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.bqjobs.emulator.LocalBigQuery;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;

/** Helpers of the integration tests that run the transform against the local server over HTTP. */
final class LocalServerSupport {
  private LocalServerSupport() {}

  /** A standard-SQL query request with a key. */
  static JobRequest query(String sql, String key) {
    return JobRequest.of(
            new JobConfiguration()
                .setQuery(new JobConfigurationQuery().setQuery(sql).setUseLegacySql(false)))
        .withKey(key);
  }

  static TableReference table(String project, String dataset, String table) {
    return new TableReference().setProjectId(project).setDatasetId(dataset).setTableId(table);
  }

  /** "key:OUTCOME[:reason]" per result, for PAssert. */
  static PCollection<String> describe(PCollection<JobResult> results, String name) {
    return results.apply(
        name,
        MapElements.into(TypeDescriptors.strings())
            .via(
                r ->
                    r.getKey()
                        + ":"
                        + r.getOutcome()
                        + (r.getErrorResult() == null
                            ? ""
                            : ":" + r.getErrorResult().getReason())));
  }

  static long counter(PipelineResult result, String name) {
    long sum = 0;
    for (MetricResult<Long> c :
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named(JobMetrics.NAMESPACE, name))
                    .build())
            .getCounters()) {
      sum += c.getAttempted();
    }
    return sum;
  }

  // ------------------------------------------------------------------ collecting results

  /**
   * Results collected by {@link #collect} (the DirectRunner runs in this JVM), for assertions that
   * need the server's view after the run, e.g. executions per attempt ID.
   */
  private static final Map<String, Queue<JobResult>> COLLECTED = new ConcurrentHashMap<>();

  /** Copies every result of {@code results} into the bucket {@code name} (cleared first). */
  static void collect(PCollection<JobResult> results, String name) {
    COLLECTED.put(name, new ConcurrentLinkedQueue<>());
    results.apply("Collect" + name, ParDo.of(new CollectFn(name)));
  }

  static List<JobResult> collected(String name) {
    Queue<JobResult> q = COLLECTED.get(name);
    return q == null ? List.of() : new ArrayList<>(q);
  }

  private static final class CollectFn extends DoFn<JobResult, Void> {
    private final String name;

    CollectFn(String name) {
      this.name = name;
    }

    @ProcessElement
    public void process(@Element JobResult result) {
      COLLECTED.get(name).add(result);
    }
  }

  // ------------------------------------------------------------------ server-side setup

  static void createDataset(LocalBigQuery server, String project, String dataset)
      throws IOException {
    createDataset(server, project, dataset, null);
  }

  static void createDataset(LocalBigQuery server, String project, String dataset, String location)
      throws IOException {
    server
        .client()
        .datasets()
        .insert(
            project,
            new Dataset()
                .setDatasetReference(
                    new DatasetReference().setProjectId(project).setDatasetId(dataset))
                .setLocation(location))
        .execute();
  }

  /**
   * Runs setup SQL to completion through jobs.query; the server waits (timeoutMs), we never sleep.
   */
  static void runSql(LocalBigQuery server, String project, String sql) throws IOException {
    Bigquery bq = server.client();
    QueryResponse response =
        bq.jobs()
            .query(
                project,
                new QueryRequest().setQuery(sql).setUseLegacySql(false).setTimeoutMs(9_000L))
            .execute();
    boolean complete = Boolean.TRUE.equals(response.getJobComplete());
    String jobId = response.getJobReference().getJobId();
    String location = response.getJobReference().getLocation();
    for (int i = 0; !complete && i < 10; i++) {
      GetQueryResultsResponse r =
          bq.jobs()
              .getQueryResults(project, jobId)
              .setLocation(location)
              .setTimeoutMs(9_000L)
              .execute();
      complete = Boolean.TRUE.equals(r.getJobComplete());
    }
    assertThat("setup SQL finished: " + sql, complete, is(true));
    assertThat(
        "setup SQL succeeded: " + sql,
        bq.jobs().get(project, jobId).setLocation(location).execute().getStatus().getErrorResult(),
        equalTo(null));
  }

  /** Writes a file behind {@code gs://BUCKET/PATH} of this server. */
  static Path writeGcs(LocalBigQuery server, String uri, String text) throws IOException {
    Path f = gcsFile(server, uri);
    Files.createDirectories(f.getParent());
    Files.writeString(f, text);
    return f;
  }

  static Path gcsFile(LocalBigQuery server, String uri) {
    return server.gcsRoot().resolve(uri.substring("gs://".length()));
  }

  // ------------------------------------------------------------------ server-side observation

  /** The server's {@code GET /emulator/v1/stats}. */
  static JsonObject stats(LocalBigQuery server) {
    try {
      HttpURLConnection c =
          (HttpURLConnection) new URL(server.rootUrl() + "emulator/v1/stats").openConnection();
      c.setConnectTimeout(5_000);
      c.setReadTimeout(10_000);
      try (InputStream in = c.getInputStream()) {
        return JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8))
            .getAsJsonObject();
      } finally {
        c.disconnect();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Jobs of one state right now, from {@code /emulator/v1/stats} jobsByState. */
  static int jobsInState(LocalBigQuery server, String state) {
    JsonObject byState = stats(server).getAsJsonObject("jobsByState");
    return byState.has(state) ? byState.get(state).getAsInt() : 0;
  }

  /** Executions per job ID of one project, from the server. */
  static Map<String, Integer> executions(LocalBigQuery server, String project) {
    Map<String, Integer> out = new HashMap<>();
    server
        .executionsPerJob()
        .forEach(
            (k, v) -> {
              if (k.startsWith(project + ":")) {
                out.put(k.substring(project.length() + 1), v);
              }
            });
    return out;
  }

  /** A request count of the server, e.g. {@code count(server, "jobs.get 200")}. */
  static long count(LocalBigQuery server, String methodAndStatus) {
    return server.requestCounts().getOrDefault(methodAndStatus, 0L);
  }

  /** Every request of one method, whatever its status ({@code -1}: answer dropped). */
  static long countAll(LocalBigQuery server, String method) {
    long n = 0;
    for (Map.Entry<String, Long> e : server.requestCounts().entrySet()) {
      if (e.getKey().startsWith(method + " ")) {
        n += e.getValue();
      }
    }
    return n;
  }
}
