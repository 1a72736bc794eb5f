package dev.bqjobs.transforms;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;

/**
 * Results copied out of a pipeline into named buckets of this JVM, for assertions that need the
 * server's view after the run (e.g. executions per attempt ID). Only for runners that run in the
 * test's JVM (the DirectRunner, Spark local). Public, in this module's test jar, so the pipelines'
 * tests use it too.
 */
public final class CollectedResults {
  private static final Map<String, Queue<JobResult>> BUCKETS = new ConcurrentHashMap<>();

  private CollectedResults() {}

  /** Copies every result of {@code results} into the bucket {@code name} (emptied first). */
  public static void collect(PCollection<JobResult> results, String name) {
    BUCKETS.put(name, new ConcurrentLinkedQueue<>());
    results.apply("Collect" + name, ParDo.of(new CollectFn(name)));
  }

  /** Copies the results of all three outputs into the bucket {@code name} (emptied first). */
  public static void collect(BigQueryJobs.Result result, String name) {
    collect(
        PCollectionList.of(result.succeeded())
            .and(result.succeededWithWarnings())
            .and(result.failed())
            .apply("All" + name, Flatten.pCollections()),
        name);
  }

  /** The results in bucket {@code name}; empty when nothing was collected under it. */
  public static List<JobResult> collected(String name) {
    Queue<JobResult> bucket = BUCKETS.get(name);
    return bucket == null ? List.of() : new ArrayList<>(bucket);
  }

  private static final class CollectFn extends DoFn<JobResult, Void> {
    private final String name;

    CollectFn(String name) {
      this.name = name;
    }

    @ProcessElement
    public void process(@Element JobResult result) {
      BUCKETS.get(name).add(result);
    }
  }
}
