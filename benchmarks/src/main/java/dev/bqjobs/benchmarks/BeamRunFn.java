package dev.bqjobs.benchmarks;

import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobConfigurationQuery;
import com.google.api.services.bigquery.model.JobReference;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryOptions;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryServices;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryServicesImpl;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;

/**
 * The "beam" contender: Beam's own production job service ({@link BigQueryServicesImpl}) used the
 * way BigQueryIO's batch loads use it: start every job of the group ({@code startQueryJob}, which
 * retries and treats a 409 as success), then wait for them one after another with {@code
 * pollJob(ref, Integer.MAX_VALUE)} and its built-in backoff (first poll at once, then from 1 s
 * growing 1.5 times per poll up to 1 min). The endpoint and credentials come from {@link
 * BigQueryOptions} ({@code --bigQueryEndpoint}, {@code --credentialFactoryClass}).
 */
final class BeamRunFn extends DoFn<KV<Integer, Iterable<String>>, String> {
  /** Batch loads poll with as many attempts as an int allows (BatchLoads' own constant). */
  private static final int MAX_POLL_ATTEMPTS = Integer.MAX_VALUE;

  private final String project;
  private final Completion completion = new Completion();
  private transient BigQueryServices.JobService jobService;

  BeamRunFn(String project) {
    this.project = project;
  }

  @StartBundle
  public void startBundle(StartBundleContext context) {
    if (jobService == null) {
      jobService =
          new BigQueryServicesImpl()
              .getJobService(context.getPipelineOptions().as(BigQueryOptions.class));
    }
  }

  @ProcessElement
  public void process(@Element KV<Integer, Iterable<String>> shard, OutputReceiver<String> out)
      throws Exception {
    List<JobReference> started = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (String key : shard.getValue()) {
      JobReference ref =
          new JobReference().setProjectId(project).setJobId(Workload.jobId("beam", key));
      jobService.startQueryJob(
          ref, new JobConfigurationQuery().setQuery(Workload.QUERY).setUseLegacySql(false));
      started.add(ref);
      keys.add(key);
    }
    for (int i = 0; i < started.size(); i++) {
      Job job = jobService.pollJob(started.get(i), MAX_POLL_ATTEMPTS);
      if (job != null && job.getStatus().getErrorResult() == null) {
        completion.succeeded();
      } else {
        completion.failed();
      }
      out.output(keys.get(i));
    }
  }

  @Teardown
  public void teardown() throws Exception {
    if (jobService != null) {
      jobService.close();
    }
  }
}
