package dev.bqjobs.pipelines;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bqjobs.transforms.JobResult.Outcome;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

/**
 * Writes {@code succeeded.jsonl}, {@code warnings.jsonl}, {@code failed.jsonl} and {@code
 * summary.json} into one folder, each as exactly one file with its lines sorted by key.
 *
 * <p>Input: {@code KV(outcome name, JSON line)}. Why not {@code TextIO}: its files are sharded
 * unless forced to one shard, its line order depends on the runner, and the summary needs all three
 * counts together. Here one {@link Combine#globally} gathers every line into one list (it yields an
 * empty list for empty input, so all files exist even when empty), and one call writes the four
 * files through Beam's {@link FileSystems} (local, {@code gs://}, ... on any runner): each to a
 * temporary name, then renamed. A retried write rewrites the same content. Holding all lines in one
 * list is fine for a jobs file (thousands of entries); a pipeline with millions of requests should
 * write its outputs with {@code TextIO} instead.
 */
final class WriteOutputs extends PTransform<PCollection<KV<String, String>>, PCollection<String>> {
  private static final long serialVersionUID = 1L;

  private final String outputDir;

  WriteOutputs(String outputDir) {
    this.outputDir = outputDir;
  }

  @Override
  public PCollection<String> expand(PCollection<KV<String, String>> lines) {
    return lines
        .apply("CollectLines", Combine.globally(new CollectLines()))
        .setCoder(ListCoder.of(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of())))
        .apply("WriteFiles", ParDo.of(new WriteFilesFn(outputDir)))
        .setCoder(StringUtf8Coder.of());
  }

  /** Gathers all lines into one list. */
  static final class CollectLines
      extends Combine.CombineFn<
          KV<String, String>, List<KV<String, String>>, List<KV<String, String>>> {
    private static final long serialVersionUID = 1L;

    @Override
    public List<KV<String, String>> createAccumulator() {
      return new ArrayList<>();
    }

    @Override
    public List<KV<String, String>> addInput(
        List<KV<String, String>> accumulator, KV<String, String> input) {
      accumulator.add(input);
      return accumulator;
    }

    @Override
    public List<KV<String, String>> mergeAccumulators(
        Iterable<List<KV<String, String>>> accumulators) {
      List<KV<String, String>> merged = new ArrayList<>();
      accumulators.forEach(merged::addAll);
      return merged;
    }

    @Override
    public List<KV<String, String>> extractOutput(List<KV<String, String>> accumulator) {
      return accumulator;
    }

    @Override
    public org.apache.beam.sdk.coders.Coder<List<KV<String, String>>> getAccumulatorCoder(
        org.apache.beam.sdk.coders.CoderRegistry registry,
        org.apache.beam.sdk.coders.Coder<KV<String, String>> inputCoder) {
      return ListCoder.of(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()));
    }
  }

  /** Writes the four files; outputs the summary JSON. */
  static final class WriteFilesFn extends DoFn<List<KV<String, String>>, String> {
    private static final long serialVersionUID = 1L;
    private final String outputDir;

    WriteFilesFn(String outputDir) {
      this.outputDir = outputDir;
    }

    @ProcessElement
    public void process(@Element List<KV<String, String>> lines, OutputReceiver<String> out)
        throws IOException {
      Map<Outcome, List<String>> byOutcome = new EnumMap<>(Outcome.class);
      for (Outcome o : Outcome.values()) {
        byOutcome.put(o, new ArrayList<>());
      }
      for (KV<String, String> line : lines) {
        byOutcome.get(Outcome.valueOf(line.getKey())).add(line.getValue());
      }
      Comparator<String> byKey =
          Comparator.comparing((String json) -> ResultJson.parse(json).path("key").asText())
              .thenComparing(Comparator.naturalOrder());
      byOutcome.values().forEach(list -> list.sort(byKey));

      ResourceId dir = FileSystems.matchNewResource(outputDir, true);
      write(dir, OutputFiles.SUCCEEDED, jsonLines(byOutcome.get(Outcome.SUCCEEDED)));
      write(dir, OutputFiles.WARNINGS, jsonLines(byOutcome.get(Outcome.SUCCEEDED_WITH_WARNINGS)));
      write(dir, OutputFiles.FAILED, jsonLines(byOutcome.get(Outcome.FAILED)));

      ObjectNode summary = ResultJson.MAPPER.createObjectNode();
      summary.put("total", lines.size());
      summary.put("succeeded", byOutcome.get(Outcome.SUCCEEDED).size());
      summary.put("warnings", byOutcome.get(Outcome.SUCCEEDED_WITH_WARNINGS).size());
      summary.put("failed", byOutcome.get(Outcome.FAILED).size());
      String summaryJson = ResultJson.write(summary);
      write(dir, OutputFiles.SUMMARY, summaryJson + "\n");
      out.output(summaryJson);
    }

    private static String jsonLines(List<String> lines) {
      StringBuilder text = new StringBuilder();
      for (String line : lines) {
        text.append(line).append('\n');
      }
      return text.toString();
    }

    private static void write(ResourceId dir, String name, String content) throws IOException {
      ResourceId target = dir.resolve(name, ResolveOptions.StandardResolveOptions.RESOLVE_FILE);
      ResourceId temp =
          dir.resolve("." + name + ".tmp", ResolveOptions.StandardResolveOptions.RESOLVE_FILE);
      try (OutputStream stream =
          Channels.newOutputStream(FileSystems.create(temp, "application/json"))) {
        stream.write(content.getBytes(StandardCharsets.UTF_8));
      }
      // Not every file system's rename replaces an existing file: remove the old one first.
      FileSystems.delete(List.of(target), MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
      FileSystems.rename(List.of(temp), List.of(target));
    }
  }
}
