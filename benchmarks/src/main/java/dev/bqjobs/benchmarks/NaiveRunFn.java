package dev.bqjobs.benchmarks;

import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.api.client.json.gson.GsonFactory;
import com.google.api.services.bigquery.Bigquery;
import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobConfigurationQuery;
import com.google.api.services.bigquery.model.JobReference;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;

/**
 * The "naive" contender: what a pipeline author writes by hand. For each request, one at a time:
 * jobs.insert, then sleep 1 s and jobs.get until DONE. No retries (it runs without faults).
 */
final class NaiveRunFn extends DoFn<KV<Integer, Iterable<String>>, String> {
  private static final long POLL_INTERVAL_MILLIS = 1_000;

  private final String rootUrl;
  private final String project;
  private final Completion completion = new Completion();
  private transient Bigquery client;

  NaiveRunFn(String rootUrl, String project) {
    this.rootUrl = rootUrl;
    this.project = project;
  }

  @Setup
  public void setup() {
    client =
        new Bigquery.Builder(new NetHttpTransport(), GsonFactory.getDefaultInstance(), null)
            .setRootUrl(rootUrl)
            .setApplicationName("bqjobs-bench-naive")
            .build();
  }

  @ProcessElement
  public void process(@Element KV<Integer, Iterable<String>> shard, OutputReceiver<String> out)
      throws Exception {
    for (String key : shard.getValue()) {
      Job job =
          new Job()
              .setJobReference(
                  new JobReference().setProjectId(project).setJobId(Workload.jobId("naive", key)))
              .setConfiguration(
                  new JobConfiguration()
                      .setQuery(
                          new JobConfigurationQuery()
                              .setQuery(Workload.QUERY)
                              .setUseLegacySql(false)));
      Job answer = client.jobs().insert(project, job).execute();
      JobReference ref = answer.getJobReference();
      while (answer.getStatus() == null || !"DONE".equals(answer.getStatus().getState())) {
        Thread.sleep(POLL_INTERVAL_MILLIS);
        answer =
            client
                .jobs()
                .get(ref.getProjectId(), ref.getJobId())
                .setLocation(ref.getLocation())
                .execute();
      }
      if (answer.getStatus().getErrorResult() == null) {
        completion.succeeded();
      } else {
        completion.failed();
      }
      out.output(key);
    }
  }
}
