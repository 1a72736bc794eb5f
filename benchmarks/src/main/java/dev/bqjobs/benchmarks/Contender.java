package dev.bqjobs.benchmarks;

import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobConfigurationQuery;
import dev.bqjobs.transforms.BigQueryJobs;
import dev.bqjobs.transforms.JobRequest;
import dev.bqjobs.transforms.JobResult;
import java.util.List;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.joda.time.Duration;

/** One way of running the workload, applied to the request keys of a fresh pipeline. */
abstract class Contender {
  static final List<String> NAMES = List.of("bqjobs", "beam", "naive", "client");

  /** Everything a contender needs to build its part of the pipeline. */
  static final class Setting {
    final String rootUrl;
    final String project;
    final int serverCap;
    final int shards;
    final BenchConfig config;

    Setting(String rootUrl, String project, int serverCap, int shards, BenchConfig config) {
      this.rootUrl = rootUrl;
      this.project = project;
      this.serverCap = serverCap;
      this.shards = shards;
      this.config = config;
    }
  }

  abstract String name();

  /** Runs every key's job; each ending bumps a {@link Completion} counter. */
  abstract void expand(PCollection<String> keys, Setting s);

  static Contender named(String name) {
    switch (name) {
      case "bqjobs":
        return new BqJobs();
      case "beam":
        return new HandWritten("beam");
      case "naive":
        return new HandWritten("naive");
      case "client":
        return new HandWritten("client");
      default:
        throw new IllegalArgumentException("unknown contender " + name);
    }
  }

  /** The transform under test, with {@code withMaxConcurrentJobs} = the server cap. */
  static final class BqJobs extends Contender {
    @Override
    String name() {
      return "bqjobs";
    }

    @Override
    void expand(PCollection<String> keys, Setting s) {
      BigQueryJobs.Run run =
          BigQueryJobs.run()
              .withRootUrl(s.rootUrl)
              .withProject(s.project)
              .withMaxConcurrentJobs(
                  s.config.bqjobsMaxConcurrentJobs != null
                      ? s.config.bqjobsMaxConcurrentJobs
                      : s.serverCap);
      BenchConfig c = s.config;
      // Experiments only: the reported run sets withLeanResults (see BenchConfig) and leaves every
      // other option at its default.
      if (c.bqjobsInsertsPerSecond != null) {
        run = run.withMaxInsertsPerSecond(c.bqjobsInsertsPerSecond);
      }
      if (c.bqjobsGetsPerSecond != null) {
        run = run.withMaxGetsPerSecond(c.bqjobsGetsPerSecond);
      }
      if (c.bqjobsPollInitialMillis != null || c.bqjobsPollMaxMillis != null) {
        long initial = c.bqjobsPollInitialMillis != null ? c.bqjobsPollInitialMillis : 1_000;
        long max = c.bqjobsPollMaxMillis != null ? c.bqjobsPollMaxMillis : 30_000;
        run =
            run.withPollBackoff(Duration.millis(initial), Duration.millis(Math.max(initial, max)));
      }
      if (c.bqjobsMaxQueuedJobs != null) {
        run = run.withMaxQueuedJobs(c.bqjobsMaxQueuedJobs);
      }
      if (c.bqjobsShards != null) {
        run = run.withNumShards(c.bqjobsShards);
      }
      if (c.bqjobsLeanResults) {
        run = run.withLeanResults();
      }
      BigQueryJobs.Result result =
          keys.apply(
                  "ToRequests",
                  MapElements.into(TypeDescriptor.of(JobRequest.class))
                      .via(
                          key ->
                              JobRequest.of(
                                      new JobConfiguration()
                                          .setQuery(
                                              new JobConfigurationQuery()
                                                  .setQuery(Workload.QUERY)
                                                  .setUseLegacySql(false)))
                                  .withKey(key)))
              .apply("BigQueryJobs", run);
      PCollectionList.of(result.succeeded())
          .and(result.succeededWithWarnings())
          .and(result.failed())
          .apply("AllResults", Flatten.pCollections())
          .apply("Count", ParDo.of(new CountOutcomes()));
    }
  }

  /** Counts bqjobs' results by outcome. */
  static final class CountOutcomes extends DoFn<JobResult, Void> {
    private final Completion completion = new Completion();

    @ProcessElement
    public void process(@Element JobResult result) {
      if (result.getOutcome() == JobResult.Outcome.FAILED) {
        completion.failed();
      } else {
        completion.succeeded();
      }
    }
  }

  /** The hand-written contenders: the same sharding and grouping as bqjobs, then their DoFn. */
  static final class HandWritten extends Contender {
    private final String name;

    HandWritten(String name) {
      this.name = name;
    }

    @Override
    String name() {
      return name;
    }

    @Override
    void expand(PCollection<String> keys, Setting s) {
      DoFn<org.apache.beam.sdk.values.KV<Integer, Iterable<String>>, String> fn;
      switch (name) {
        case "beam":
          fn = new BeamRunFn(s.project);
          break;
        case "naive":
          fn = new NaiveRunFn(s.rootUrl, s.project);
          break;
        default:
          fn = new ClientRunFn(s.rootUrl, s.project);
      }
      Workload.shardAndGroup(keys, s.shards).apply("RunJobs", ParDo.of(fn));
    }
  }
}
