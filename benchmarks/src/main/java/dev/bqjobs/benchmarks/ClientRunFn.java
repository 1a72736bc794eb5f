package dev.bqjobs.benchmarks;

import com.google.cloud.NoCredentials;
import com.google.cloud.bigquery.BigQuery;
import com.google.cloud.bigquery.BigQueryOptions;
import com.google.cloud.bigquery.Job;
import com.google.cloud.bigquery.JobId;
import com.google.cloud.bigquery.JobInfo;
import com.google.cloud.bigquery.QueryJobConfiguration;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;

/**
 * The "client" contender: the library a user would pick ({@code google-cloud-bigquery}). For each
 * request, one at a time: {@code bigquery.create(JobInfo)} then {@code Job.waitFor()} with the
 * library's default retry and polling settings.
 */
final class ClientRunFn extends DoFn<KV<Integer, Iterable<String>>, String> {
  private final String rootUrl;
  private final String project;
  private final Completion completion = new Completion();
  private transient BigQuery bigquery;

  ClientRunFn(String rootUrl, String project) {
    this.rootUrl = rootUrl;
    this.project = project;
  }

  @Setup
  public void setup() {
    bigquery =
        BigQueryOptions.newBuilder()
            .setHost(rootUrl.endsWith("/") ? rootUrl.substring(0, rootUrl.length() - 1) : rootUrl)
            .setProjectId(project)
            .setCredentials(NoCredentials.getInstance())
            .build()
            .getService();
  }

  @ProcessElement
  public void process(@Element KV<Integer, Iterable<String>> shard, OutputReceiver<String> out)
      throws Exception {
    for (String key : shard.getValue()) {
      QueryJobConfiguration config =
          QueryJobConfiguration.newBuilder(Workload.QUERY).setUseLegacySql(false).build();
      Job job = bigquery.create(JobInfo.of(JobId.of(Workload.jobId("client", key)), config));
      job = job.waitFor();
      if (job != null && job.getStatus().getError() == null) {
        completion.succeeded();
      } else {
        completion.failed();
      }
      out.output(key);
    }
  }
}
