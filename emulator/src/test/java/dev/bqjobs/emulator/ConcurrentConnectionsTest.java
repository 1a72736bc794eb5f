package dev.bqjobs.emulator;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * 300 clients at once over one connection-reusing HTTP client (the JDK's, which opens a connection
 * per concurrent request and keeps each alive): every insert and every poll is answered, none meets
 * a connection closed under it.
 */
public class ConcurrentConnectionsTest {
  private static final String P = "connections-project";
  private static final int CLIENTS = 300;

  /** Every job runs at once, so all clients wait in getQueryResults together. */
  @ClassRule
  public static final LocalBigQueryRule BQ = new LocalBigQueryRule(b -> b.maxRunningJobs(CLIENTS));

  /**
   * Long enough for all 300 inserts to be answered before the first job ends (3 s was not, once, on
   * a loaded machine: a connection freed by an early job was reused, 299 open at most), and short
   * of getQueryResults' 10 s wait.
   */
  private static final String RUNTIME_MS = "6000";

  @Test
  public void threeHundredJobsInsertedAndPolledAtOnce() throws Exception {
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    String jobs = BQ.rootUrl() + "bigquery/v2/projects/" + P + "/jobs";
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    try {
      List<Future<Integer>> polls = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        String jobId = "conn_" + i;
        polls.add(
            clients.submit(
                () -> {
                  start.await();
                  String body =
                      "{\"jobReference\":{\"jobId\":\""
                          + jobId
                          + "\"},\"configuration\":{\"labels\":{\"bqjobs-emulator-runtime-ms\":"
                          + "\""
                          + RUNTIME_MS
                          + "\"},\"query\":{\"query\":\"SELECT 1\",\"useLegacySql\":false}}}";
                  HttpResponse<String> inserted =
                      http.send(
                          HttpRequest.newBuilder(URI.create(jobs))
                              .header("Content-Type", "application/json")
                              .POST(HttpRequest.BodyPublishers.ofString(body))
                              .build(),
                          HttpResponse.BodyHandlers.ofString());
                  if (inserted.statusCode() != 200) {
                    failures.add(jobId + " insert " + inserted.statusCode());
                    return 0;
                  }
                  HttpResponse<String> waited =
                      http.send(
                          HttpRequest.newBuilder(
                                  URI.create(
                                      BQ.rootUrl()
                                          + "bigquery/v2/projects/"
                                          + P
                                          + "/queries/"
                                          + jobId
                                          + "?location=US&timeoutMs=10000"))
                              .build(),
                          HttpResponse.BodyHandlers.ofString());
                  if (waited.statusCode() != 200) {
                    failures.add(jobId + " getQueryResults " + waited.statusCode());
                  }
                  HttpRequest get =
                      HttpRequest.newBuilder(URI.create(jobs + "/" + jobId + "?location=US"))
                          .build();
                  String state =
                      TestSupport.pollUntil(
                          jobId + " DONE",
                          () -> {
                            HttpResponse<String> r =
                                http.send(get, HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() != 200) {
                              failures.add(jobId + " get " + r.statusCode());
                              return "failed";
                            }
                            JsonObject job = JsonParser.parseString(r.body()).getAsJsonObject();
                            return job.getAsJsonObject("status").get("state").getAsString();
                          },
                          s -> s.equals("DONE") || s.equals("failed"));
                  return state.equals("DONE") ? 1 : 0;
                }));
      }
      start.countDown();
      int done = 0;
      for (Future<Integer> poll : polls) {
        try {
          done += poll.get();
        } catch (java.util.concurrent.ExecutionException e) {
          failures.add(String.valueOf(e.getCause())); // e.g. an IOException: connection closed
        }
      }
      assertThat(new ArrayList<>(failures), empty());
      assertThat(done, equalTo(CLIENTS));
    } finally {
      clients.shutdownNow();
    }
    // the client opened a connection per concurrent request, and every one is still open
    JsonObject connections =
        JsonParser.parseString(
                TestSupport.http("GET", BQ.rootUrl() + "emulator/v1/stats", (String) null).body)
            .getAsJsonObject()
            .getAsJsonObject("connections");
    assertThat(
        connections.toString(),
        connections.get("maxOpen").getAsLong(),
        greaterThanOrEqualTo((long) CLIENTS));
    assertThat(
        "no connection closed by the server: " + connections,
        connections.get("open").getAsLong(),
        equalTo(connections.get("accepted").getAsLong()));
    Map<String, Long> requests = BQ.server().requestCounts();
    assertThat(requests.get("jobs.insert 200"), equalTo((long) CLIENTS));
    assertThat(requests.get("jobs.get 200"), greaterThanOrEqualTo((long) CLIENTS));
    assertThat(
        "only 200s: " + requests,
        requests.keySet().stream()
            .allMatch(k -> k.endsWith(" 200") || k.startsWith("emulator.stats")),
        equalTo(true));
  }
}
