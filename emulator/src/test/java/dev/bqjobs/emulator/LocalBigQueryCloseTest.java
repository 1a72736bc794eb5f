package dev.bqjobs.emulator;

import static dev.bqjobs.emulator.TestSupport.pollUntil;
import static dev.bqjobs.emulator.TestSupport.queryJob;
import static dev.bqjobs.emulator.TestSupport.withRuntime;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;

import com.google.api.services.bigquery.Bigquery;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.Test;

/** {@link LocalBigQuery#close()} stops the server and leaves no thread behind, even mid-job. */
public class LocalBigQueryCloseTest {
  private static Set<Long> liveThreadIds() {
    Set<Long> ids = new HashSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      ids.add(t.getId());
    }
    return ids;
  }

  private static List<String> newServerThreads(Set<Long> before) {
    List<String> out = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive()
          && !before.contains(t.getId())
          && (t.getName().startsWith("bqjobs-emulator") || t.getName().startsWith("HTTP-"))) {
        out.add(t.getName());
      }
    }
    return out;
  }

  @Test
  public void closeStopsServingAndLeaksNoThreads() throws Exception {
    Set<Long> before = liveThreadIds();
    LocalBigQuery server = LocalBigQuery.builder().start();
    String url = server.rootUrl();
    Bigquery bq = server.client();
    TestSupport.runOk(bq, queryJob("close-project", "finished", "SELECT 1"));
    // One job still running and one waiting on a long runtime when the server closes.
    bq.jobs()
        .insert(
            "close-project", withRuntime(queryJob("close-project", "running", "SELECT 1"), 60_000))
        .execute();
    server.close();
    server.close(); // idempotent

    List<String> left =
        pollUntil("server threads to end", () -> newServerThreads(before), List::isEmpty);
    assertThat(left, empty());
    boolean refused;
    try {
      TestSupport.http("GET", url + "bigquery/v2/projects/p/datasets", (String) null);
      refused = false;
    } catch (ConnectException e) {
      refused = true;
    }
    assertThat("connection refused after close", refused, equalTo(true));
  }
}
