package dev.bqjobs.transforms;

import static dev.bqjobs.transforms.LocalServerSupport.counter;
import static org.junit.Assert.assertEquals;

import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobConfigurationQuery;
import dev.bqjobs.emulator.LocalBigQueryRule;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * The transform over real HTTP against the local BigQuery server (BigqueryJobService, not the
 * fake): a smoke test of the wire path. The integration suite is the other LocalServer*Test
 * classes.
 */
public class LocalServerSmokeIT {
  @ClassRule public static final LocalBigQueryRule BQ = new LocalBigQueryRule();

  private static JobRequest query(String sql, String key) {
    return JobRequest.of(
            new JobConfiguration()
                .setQuery(new JobConfigurationQuery().setQuery(sql).setUseLegacySql(false)))
        .withKey(key);
  }

  @Test
  public void runsJobsOverHttpAndReattachesOnRerun() {
    List<JobRequest> requests =
        List.of(
            // One server-side query at a time: the local server (as of this commit) sometimes
            // fails two concurrent anonymous queries with a DuckDB catalog write-write conflict.
            query("SELECT 1 AS x", "ok"), JobRequest.of(new JobConfiguration()).withKey("no_type"));
    for (int run = 0; run < 2; run++) {
      Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
      BigQueryJobs.Result result =
          p.apply(Create.of(requests))
              .apply(
                  BigQueryJobs.run()
                      .withRootUrl(BQ.rootUrl())
                      .withProject(BQ.server().projectId())
                      .withLocation("US")
                      .withRunToken("smoke")
                      .withPollBackoff(Duration.millis(50), Duration.millis(500)));
      PAssert.that(
              result
                  .succeeded()
                  .apply("s", MapElements.into(TypeDescriptors.strings()).via(JobResult::getKey)))
          .containsInAnyOrder("ok");
      PAssert.that(
              result
                  .failed()
                  .apply("f", MapElements.into(TypeDescriptors.strings()).via(JobResult::getKey)))
          .containsInAnyOrder("no_type");
      PipelineResult r = p.run();
      r.waitUntilFinish();
      // Second run: the same token finds both started jobs and reattaches.
      assertEquals(run == 0 ? 1 : 0, counter(r, "jobs_inserted"));
      assertEquals(run == 0 ? 0 : 1, counter(r, "jobs_reattached"));
    }
  }
}
