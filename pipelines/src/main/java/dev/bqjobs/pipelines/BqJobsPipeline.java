package dev.bqjobs.pipelines;

import dev.bqjobs.transforms.BigQueryJobs;
import dev.bqjobs.transforms.JobRequest;
import dev.bqjobs.transforms.JobResult;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.CannotProvideCoderException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Wait;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The command's pipeline: the jobs file's requests, {@link BigQueryJobs#run()}, one JSON line per
 * result, and the four output files.
 *
 * <pre>
 * ReadJobsFile -> RunJobs -> {Succeeded,Warnings,Failed}ToJson -> (+ InvalidEntries) -> WriteOutputs
 * (ReadJobsFileStage2 -> WaitForStage1 -> RunJobsStage2 -> ... when copies or extracts read tables
 *  that other entries write; see Stages)
 * </pre>
 */
final class BqJobsPipeline {
  private static final KvCoder<String, String> LINE_CODER =
      KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of());

  private BqJobsPipeline() {}

  /**
   * Adds the steps to {@code p}: one {@code RunJobs} per stage (see {@link Stages}), each later
   * stage waiting for the previous one with {@link Wait#on}.
   */
  static void build(
      Pipeline p,
      List<List<JobsFileEntry>> stages,
      BigQueryJobs.Run runJobs,
      @Nullable String defaultProject,
      String outputDir) {
    List<KV<String, String>> invalid = new ArrayList<>();
    PCollectionList<KV<String, String>> lines = PCollectionList.empty(p);
    List<PCollection<?>> previous = new ArrayList<>();
    for (int s = 0; s < stages.size(); s++) {
      List<JobRequest> requests = new ArrayList<>();
      for (JobsFileEntry entry : stages.get(s)) {
        if (entry.request() != null) {
          requests.add(entry.request());
        } else {
          invalid.add(
              KV.of(
                  JobResult.Outcome.FAILED.name(),
                  ResultJson.invalidEntry(
                      entry.key(),
                      entry.projectId() != null ? entry.projectId() : defaultProject,
                      entry.location(),
                      entry.where() + ": " + entry.problem())));
        }
      }
      String suffix = s == 0 ? "" : "Stage" + (s + 1);
      PCollection<JobRequest> input =
          p.apply("ReadJobsFile" + suffix, Create.of(requests).withCoder(requestCoder(p)));
      if (!previous.isEmpty()) {
        input = input.apply("WaitForStage" + s, Wait.on(previous));
      }
      BigQueryJobs.Result results = input.apply("RunJobs" + suffix, runJobs);
      previous = List.of(results.succeeded(), results.succeededWithWarnings(), results.failed());
      lines =
          lines
              .and(results.succeeded().apply("SucceededToJson" + suffix, toJson(defaultProject)))
              .and(
                  results
                      .succeededWithWarnings()
                      .apply("WarningsToJson" + suffix, toJson(defaultProject)))
              .and(results.failed().apply("FailedToJson" + suffix, toJson(defaultProject)));
    }
    lines
        .and(p.apply("InvalidEntries", Create.of(invalid).withCoder(LINE_CODER)))
        .apply("AllResults", Flatten.pCollections())
        .apply("WriteOutputs", new WriteOutputs(outputDir));
  }

  private static Coder<JobRequest> requestCoder(Pipeline p) {
    try {
      return p.getCoderRegistry().getCoder(JobRequest.class);
    } catch (CannotProvideCoderException e) {
      throw new IllegalStateException("JobRequest declares its coder", e);
    }
  }

  private static ParDo.SingleOutput<JobResult, KV<String, String>> toJson(
      @Nullable String defaultProject) {
    return ParDo.of(new ToJsonFn(defaultProject));
  }

  /** A result as {@code KV(outcome, JSON line)}. */
  static final class ToJsonFn extends DoFn<JobResult, KV<String, String>> {
    private static final long serialVersionUID = 1L;
    private final @Nullable String defaultProject;

    ToJsonFn(@Nullable String defaultProject) {
      this.defaultProject = defaultProject;
    }

    @ProcessElement
    public void process(@Element JobResult result, OutputReceiver<KV<String, String>> out) {
      out.output(KV.of(result.getOutcome().name(), ResultJson.of(result, defaultProject)));
    }
  }
}
