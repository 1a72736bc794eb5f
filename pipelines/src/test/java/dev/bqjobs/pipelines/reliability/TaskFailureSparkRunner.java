package dev.bqjobs.pipelines.reliability;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.beam.runners.spark.SparkRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.PipelineRunner;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.runners.PTransformOverride;
import org.apache.beam.sdk.runners.PTransformOverrideFactory;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.util.construction.PTransformReplacements;
import org.apache.beam.sdk.util.construction.ReplacementOutputs;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;

/**
 * The Spark runner with an injected task failure, for the re-executed work test: {@code
 * --runner=dev.bqjobs.pipelines.reliability.TaskFailureSparkRunner --sparkMaster=local[2,4]}.
 *
 * <p>Before running, it puts one step in front of the transform's job step ({@code
 * RunJobs/RunJobs}, the DoFn after the GroupByKey): the step hands each shard's requests to the job
 * step through an iterable that throws when the job step asks for the next request after the last
 * one, the first time for each of the first {@value #FAILURES} shards. By then the job step has
 * inserted every job of the shard (and the runner has polled most of them to DONE; with two or more
 * jobs in flight per shard, at least one is still running). The exception fails the Spark task;
 * Spark ({@code local[2,4]}: 4 attempts) runs the task again from the shuffle output, which
 * re-executes the job step over the same input. Nothing else is changed; the executor is not
 * killed. In local mode the executor is this JVM, so the counters below are visible to the test.
 */
public final class TaskFailureSparkRunner extends PipelineRunner<PipelineResult> {
  /** How many shards fail once. */
  static final int FAILURES = 2;

  static final AtomicInteger INJECTED = new AtomicInteger();
  static final Set<Object> FAILED_SHARDS = ConcurrentHashMap.newKeySet();

  private final SparkRunner spark;

  private TaskFailureSparkRunner(SparkRunner spark) {
    this.spark = spark;
  }

  public static TaskFailureSparkRunner fromOptions(PipelineOptions options) {
    return new TaskFailureSparkRunner(SparkRunner.fromOptions(options));
  }

  static void reset() {
    INJECTED.set(0);
    FAILED_SHARDS.clear();
  }

  @Override
  @SuppressWarnings({"rawtypes", "unchecked"})
  public PipelineResult run(Pipeline pipeline) {
    pipeline.replaceAll(
        List.of(
            PTransformOverride.of(
                application ->
                    application.getFullName().endsWith("RunJobs/RunJobs")
                        && application.getTransform() instanceof ParDo.MultiOutput,
                (PTransformOverrideFactory) new FailOnceFactory())));
    return spark.run(pipeline);
  }

  /** Replaces the job step by (fail-once step, the same job step). */
  @SuppressWarnings({"rawtypes", "unchecked"})
  private static final class FailOnceFactory
      implements PTransformOverrideFactory<
          PCollection, PCollectionTuple, PTransform<PCollection, PCollectionTuple>> {
    @Override
    public PTransformReplacement<PCollection, PCollectionTuple> getReplacementTransform(
        AppliedPTransform<PCollection, PCollectionTuple, PTransform<PCollection, PCollectionTuple>>
            transform) {
      PCollection input =
          PTransformReplacements.getSingletonMainInput((AppliedPTransform) transform);
      PTransform<PCollection, PCollectionTuple> runJobs = transform.getTransform();
      PTransform<PCollection, PCollectionTuple> replacement =
          new PTransform<PCollection, PCollectionTuple>() {
            @Override
            public PCollectionTuple expand(PCollection in) {
              PCollection wrapped =
                  (PCollection) in.apply("FailOnceAfterInserts", ParDo.of(new FailOnceFn()));
              wrapped.setCoder(in.getCoder());
              return (PCollectionTuple) wrapped.apply("RunJobs", runJobs);
            }
          };
      return PTransformReplacement.of(input, replacement);
    }

    @Override
    public Map<PCollection<?>, ReplacementOutput> mapOutputs(
        Map<TupleTag<?>, PCollection<?>> outputs, PCollectionTuple newOutput) {
      return ReplacementOutputs.tagged(outputs, newOutput);
    }
  }

  /** Passes each shard on with an iterable that throws once at its end (see the class doc). */
  private static final class FailOnceFn
      extends DoFn<KV<Object, Iterable<Object>>, KV<Object, Iterable<Object>>> {
    @ProcessElement
    public void process(
        @Element KV<Object, Iterable<Object>> shard,
        OutputReceiver<KV<Object, Iterable<Object>>> out) {
      out.output(KV.of(shard.getKey(), new FailAtEnd(shard.getKey(), shard.getValue())));
    }
  }

  private static final class FailAtEnd implements Iterable<Object> {
    private final Object shard;
    private final Iterable<Object> requests;

    FailAtEnd(Object shard, Iterable<Object> requests) {
      this.shard = shard;
      this.requests = requests;
    }

    @Override
    public Iterator<Object> iterator() {
      Iterator<Object> it = requests.iterator();
      return new Iterator<Object>() {
        @Override
        public boolean hasNext() {
          boolean more = it.hasNext();
          if (!more && INJECTED.get() < FAILURES && FAILED_SHARDS.add(shard)) {
            INJECTED.incrementAndGet();
            throw new IllegalStateException(
                "injected task failure: shard " + shard + " after all its jobs were inserted");
          }
          return more;
        }

        @Override
        public Object next() {
          if (!it.hasNext()) {
            throw new NoSuchElementException();
          }
          return it.next();
        }
      };
    }
  }
}
