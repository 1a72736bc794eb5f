package dev.bqjobs.emulator;

import static dev.bqjobs.emulator.TestSupport.expectError;
import static dev.bqjobs.emulator.TestSupport.pollUntil;
import static dev.bqjobs.emulator.TestSupport.queryJob;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.isOneOf;

import com.google.api.services.bigquery.Bigquery;
import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobList;
import com.google.api.services.bigquery.model.TableRow;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.ClassRule;
import org.junit.Test;

/** Many clients inserting many jobs at once: every job runs exactly once and reaches DONE. */
public class ManyJobsTest {
  @ClassRule public static final LocalBigQueryRule BQ = new LocalBigQueryRule();

  private static final String PROJECT = "many-project";
  private static final int THREADS = 8;
  private static final int JOBS = 300;

  @Test
  public void threeHundredJobsFromEightThreadsEachRunOnce() throws Exception {
    Bigquery bq = BQ.client();
    Map<String, String> stateAtInsert = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        done.add(
            pool.submit(
                () -> {
                  for (int i = thread; i < JOBS; i += THREADS) {
                    String jobId = "many_" + i;
                    String sql = "SELECT " + i + " AS n";
                    Job answer = bq.jobs().insert(PROJECT, queryJob(PROJECT, jobId, sql)).execute();
                    stateAtInsert.put(jobId, answer.getStatus().getState());
                    if (i % 10 == 0) {
                      // A retried insert (lost response) reuses the ID: 409, and no second run.
                      expectError(
                          409,
                          "duplicate",
                          () -> bq.jobs().insert(PROJECT, queryJob(PROJECT, jobId, sql)).execute());
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(stateAtInsert.size(), equalTo(JOBS));
    // jobs.insert answers before the job finishes, however fast the job is.
    assertThat(stateAtInsert.values(), everyItem(isOneOf("PENDING", "RUNNING")));

    JobList finished =
        pollUntil(
            "all " + JOBS + " jobs DONE",
            () -> bq.jobs().list(PROJECT).setStateFilter(List.of("done")).execute(),
            list -> list.getJobs() != null && list.getJobs().size() == JOBS);
    Set<String> ids = new HashSet<>();
    for (JobList.Jobs j : finished.getJobs()) {
      assertThat(j.getId(), j.getErrorResult(), equalTo(null));
      ids.add(j.getJobReference().getJobId());
    }
    assertThat(ids.size(), equalTo(JOBS));

    Map<String, Integer> executions = BQ.server().executionsPerJob();
    for (int i = 0; i < JOBS; i++) {
      assertThat("executions of many_" + i, executions.get(PROJECT + ":many_" + i), equalTo(1));
    }

    // Spot-check results: each job computed its own row.
    for (int i : new int[] {0, 157, JOBS - 1}) {
      List<TableRow> rows = bq.jobs().getQueryResults(PROJECT, "many_" + i).execute().getRows();
      assertThat(TestSupport.column(rows, 0), equalTo(List.of(Integer.toString(i))));
    }
  }
}
