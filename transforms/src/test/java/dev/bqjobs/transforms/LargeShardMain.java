package dev.bqjobs.transforms;

import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobConfigurationQuery;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * One shard of N requests on the DirectRunner against the in-memory fake, in a JVM of its own so
 * that its heap limit is the point: {@code LargeShardMemoryTest} runs it with {@code -Xmx512m}.
 * Prints {@code large-shard: N requests, S succeeded, F failed, peak heap M MB, T s}.
 */
public final class LargeShardMain {
  private LargeShardMain() {}

  public static void main(String[] args) {
    int n = Integer.parseInt(args[0]);
    boolean lean = args.length > 1 && args[1].equals("lean");
    long started = System.nanoTime();
    FakeTime time = new FakeTime(1_700_000_000_000L);
    FakeBigQuery bq = new FakeBigQuery(time);
    bq.setPlanner(job -> FakeBigQuery.Plan.succeed(2_000));
    bq.forgetFinishedJobs(); // the fake's own bookkeeping must not be what fills the heap

    // Further arguments (e.g. --enforceImmutability=false) go to the DirectRunner.
    java.util.List<String> pipelineArgs = new java.util.ArrayList<>();
    pipelineArgs.add("--targetParallelism=2");
    for (String arg : args) {
      if (arg.startsWith("--")) {
        pipelineArgs.add(arg);
      }
    }
    Pipeline p =
        Pipeline.create(
            PipelineOptionsFactory.fromArgs(pipelineArgs.toArray(new String[0])).create());
    BigQueryJobs.Run run =
        BigQueryJobs.run()
            .withProject("proj")
            .withLocation("EU")
            .withNumShards(1)
            .withMaxConcurrentJobs(200)
            .withJobServiceFactory(bq.factory())
            .withTimeSource(time);
    if (lean) {
      run = run.withLeanResults();
    }
    BigQueryJobs.Result result =
        p.apply(GenerateSequence.from(0).to(n))
            .apply(
                MapElements.into(TypeDescriptor.of(JobRequest.class))
                    .via(
                        i ->
                            JobRequest.of(
                                    new JobConfiguration()
                                        .setQuery(
                                            new JobConfigurationQuery()
                                                .setQuery(
                                                    "SELECT customer_id, SUM(amount) FROM"
                                                        + " sales.orders WHERE day = "
                                                        + i
                                                        + " GROUP BY customer_id")
                                                .setUseLegacySql(false)))
                                .withKey("day_" + i)))
            .apply(run);
    result.succeeded().apply("CountSucceeded", Count.globally()).apply(print("succeeded"));
    result.failed().apply("CountFailed", Count.globally()).apply(print("failed"));
    p.run().waitUntilFinish();
    long peakMb = 0;
    for (java.lang.management.MemoryPoolMXBean pool :
        java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == java.lang.management.MemoryType.HEAP) {
        peakMb += pool.getPeakUsage().getUsed() / (1024 * 1024);
      }
    }
    System.out.printf(
        "large-shard: %d requests, %d succeeded, %d failed, max heap %d MB, sum of pool peaks %d MB,"
            + " %.0f s%n",
        n,
        COUNTS.getOrDefault("succeeded", 0L),
        COUNTS.getOrDefault("failed", 0L),
        Runtime.getRuntime().maxMemory() / (1024 * 1024),
        peakMb,
        (System.nanoTime() - started) / 1e9);
  }

  private static final java.util.Map<String, Long> COUNTS =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static ParDo.SingleOutput<Long, Void> print(String name) {
    return ParDo.of(
        new DoFn<Long, Void>() {
          @ProcessElement
          public void process(@Element Long count) {
            COUNTS.put(name, count);
          }
        });
  }
}
