package dev.bqjobs.benchmarks;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the server saw, read after a run: its {@code /emulator/v1/stats} counters, and each job's
 * creation and end time from jobs.list (the stats endpoint has no timestamps).
 */
final class ServerStats {
  /** Calls by "method status", e.g. {@code "jobs.get 200"}. */
  final Map<String, Long> requests = new HashMap<>();

  /** Executions by {@code project:jobId}. */
  final Map<String, Integer> executionsPerJob = new HashMap<>();

  /** Scheduled runtime by {@code project:jobId}. */
  final Map<String, Long> scheduledRuntimeMs = new HashMap<>();

  long firstCreationMillis = Long.MAX_VALUE;
  long lastEndMillis = Long.MIN_VALUE;
  long lastCreationMillis = Long.MIN_VALUE;
  int listedJobs;

  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          // Plain HTTP/1.1: no h2c upgrade attempt, which the server need not support.
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  static ServerStats read(String rootUrl, String project) throws IOException, InterruptedException {
    return read(rootUrl, project, Map.of());
  }

  /**
   * What the server saw of {@code project}'s run: its jobs, and the requests counted since {@code
   * requestsBefore} (a snapshot from {@link #requestCounts}, taken after a warm-up run of another
   * project on the same server).
   */
  static ServerStats read(String rootUrl, String project, Map<String, Long> requestsBefore)
      throws IOException, InterruptedException {
    ServerStats s = new ServerStats();
    JsonObject stats = getJson(rootUrl + "emulator/v1/stats");
    for (Map.Entry<String, JsonElement> e : obj(stats, "requests").entrySet()) {
      long since = e.getValue().getAsLong() - requestsBefore.getOrDefault(e.getKey(), 0L);
      if (since > 0) {
        s.requests.put(e.getKey(), since);
      }
    }
    String ofProject = project + ":";
    for (Map.Entry<String, JsonElement> e : obj(stats, "executionsPerJob").entrySet()) {
      if (e.getKey().startsWith(ofProject)) {
        s.executionsPerJob.put(e.getKey(), e.getValue().getAsInt());
      }
    }
    for (Map.Entry<String, JsonElement> e : obj(stats, "scheduledRuntimeMs").entrySet()) {
      if (e.getKey().startsWith(ofProject)) {
        s.scheduledRuntimeMs.put(e.getKey(), e.getValue().getAsLong());
      }
    }
    s.readJobTimes(rootUrl, project);
    return s;
  }

  /** The server's request counters now, by "method status". */
  static Map<String, Long> requestCounts(String rootUrl) throws IOException, InterruptedException {
    Map<String, Long> counts = new HashMap<>();
    for (Map.Entry<String, JsonElement> e :
        obj(getJson(rootUrl + "emulator/v1/stats"), "requests").entrySet()) {
      counts.put(e.getKey(), e.getValue().getAsLong());
    }
    return counts;
  }

  /** Pages through jobs.list (these calls come after the run and are not counted per job). */
  private void readJobTimes(String rootUrl, String project)
      throws IOException, InterruptedException {
    String pageToken = null;
    do {
      String url =
          rootUrl
              + "bigquery/v2/projects/"
              + project
              + "/jobs?allUsers=true&maxResults=1000"
              + (pageToken == null
                  ? ""
                  : "&pageToken=" + URLEncoder.encode(pageToken, StandardCharsets.UTF_8));
      JsonObject page = getJson(url);
      if (page.has("jobs")) {
        for (JsonElement job : page.getAsJsonArray("jobs")) {
          JsonObject stats = obj(job.getAsJsonObject(), "statistics");
          listedJobs++;
          if (stats.has("creationTime")) {
            long created = stats.get("creationTime").getAsLong();
            firstCreationMillis = Math.min(firstCreationMillis, created);
            lastCreationMillis = Math.max(lastCreationMillis, created);
          }
          if (stats.has("endTime")) {
            lastEndMillis = Math.max(lastEndMillis, stats.get("endTime").getAsLong());
          }
        }
      }
      pageToken = page.has("nextPageToken") ? page.get("nextPageToken").getAsString() : null;
    } while (pageToken != null);
  }

  /** Calls of one API method, any status. */
  long calls(String method) {
    long n = 0;
    for (Map.Entry<String, Long> e : requests.entrySet()) {
      if (e.getKey().startsWith(method + " ")) {
        n += e.getValue();
      }
    }
    return n;
  }

  /** Calls of every method except the ones named (jobs.list here is our own reading). */
  long otherCalls(String... except) {
    long n = 0;
    outer:
    for (Map.Entry<String, Long> e : requests.entrySet()) {
      for (String m : except) {
        if (e.getKey().startsWith(m + " ")) {
          continue outer;
        }
      }
      n += e.getValue();
    }
    return n;
  }

  /** Every BigQuery API request (any method, any answer); the server's own endpoints excluded. */
  long apiCalls() {
    long n = 0;
    for (Map.Entry<String, Long> e : requests.entrySet()) {
      if (!e.getKey().startsWith("emulator.")) {
        n += e.getValue();
      }
    }
    return n;
  }

  List<Long> runtimes() {
    return new ArrayList<>(scheduledRuntimeMs.values());
  }

  private static JsonObject obj(JsonObject parent, String name) {
    JsonElement e = parent.get(name);
    return e != null && e.isJsonObject() ? e.getAsJsonObject() : new JsonObject();
  }

  /** GETs JSON, trying three times: a loaded server may stall one answer. */
  private static JsonObject getJson(String url) throws IOException, InterruptedException {
    IOException last = null;
    for (int attempt = 0; attempt < 10; attempt++) {
      try {
        return getJsonOnce(url);
      } catch (IOException e) {
        last = e;
        Thread.sleep(1_000); // e.g. the server's jobs.list quota after a long paging
      }
    }
    throw last;
  }

  private static JsonObject getJsonOnce(String url) throws IOException, InterruptedException {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("GET " + url + " answered " + r.statusCode() + ": " + r.body());
    }
    return JsonParser.parseString(r.body()).getAsJsonObject();
  }
}
