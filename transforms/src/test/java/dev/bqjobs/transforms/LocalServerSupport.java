package dev.bqjobs.transforms;

import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobConfigurationQuery;
import com.google.api.services.bigquery.model.TableReference;
import com.google.gson.JsonObject;
import dev.bqjobs.emulator.LocalBigQuery;
import dev.bqjobs.emulator.testing.ServerFixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.transforms.MapElements;
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

  /** The attempted value of one of the transform's counters ({@link JobMetrics}), summed. */
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
   * Copies every result of {@code results} into the bucket {@code name}: {@link CollectedResults}.
   */
  static void collect(PCollection<JobResult> results, String name) {
    CollectedResults.collect(results, name);
  }

  static List<JobResult> collected(String name) {
    return CollectedResults.collected(name);
  }

  // ------------------------------------------------------------------ server-side setup

  static void createDataset(LocalBigQuery server, String project, String dataset)
      throws IOException {
    createDataset(server, project, dataset, null);
  }

  static void createDataset(LocalBigQuery server, String project, String dataset, String location)
      throws IOException {
    ServerFixtures.createDataset(server.client(), project, dataset, location);
  }

  /** Runs setup SQL to completion (see {@link ServerFixtures#runSql}). */
  static void runSql(LocalBigQuery server, String project, String sql) throws IOException {
    ServerFixtures.runSql(server.client(), project, sql);
  }

  /** Writes a file behind {@code gs://BUCKET/PATH} of this server. */
  static Path writeGcs(LocalBigQuery server, String uri, String text) throws IOException {
    return ServerFixtures.writeGcs(server.gcsRoot(), uri, text);
  }

  static Path gcsFile(LocalBigQuery server, String uri) {
    return ServerFixtures.gcsFile(server.gcsRoot(), uri);
  }

  // ------------------------------------------------------------------ server-side observation

  /** The server's {@code GET /emulator/v1/stats}. */
  static JsonObject stats(LocalBigQuery server) {
    try {
      return ServerFixtures.stats(server.rootUrl());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Jobs of one state right now, from {@code /emulator/v1/stats} jobsByState. */
  static int jobsInState(LocalBigQuery server, String state) {
    return ServerFixtures.jobsInState(stats(server), state);
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
