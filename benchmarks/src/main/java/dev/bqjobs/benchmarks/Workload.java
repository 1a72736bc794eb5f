package dev.bqjobs.benchmarks;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

/**
 * The workload every contender runs: {@code n} query jobs {@code SELECT 1}, one per request key,
 * and the sharding the hand-written contenders share with bqjobs (a stable hash into the same
 * number of shards, one GroupByKey), so bundle sizes do not decide the comparison.
 */
final class Workload {
  static final String QUERY = "SELECT 1";

  private Workload() {}

  /** Request keys {@code job-000000} ... in order. */
  static List<String> keys(int n) {
    List<String> keys = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      keys.add(String.format("job-%06d", i));
    }
    return keys;
  }

  /** The job ID a hand-written contender gives a request: deterministic, one per request. */
  static String jobId(String contender, String key) {
    return "bench_" + contender + "_" + key.replace('-', '_');
  }

  /** A stable shard in {@code [0, shards)} (FNV-1a: the same on every JVM and run). */
  static int shardOf(String key, int shards) {
    int h = 0x811c9dc5;
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x01000193;
    }
    return Math.floorMod(h, shards);
  }

  /** Keys each request by shard and groups once, as bqjobs does before its RunJobs step. */
  static PCollection<KV<Integer, Iterable<String>>> shardAndGroup(
      PCollection<String> keys, int shards) {
    return keys.apply(
            "KeyByShard",
            ParDo.of(
                new DoFn<String, KV<Integer, String>>() {
                  @ProcessElement
                  public void process(
                      @Element String key, OutputReceiver<KV<Integer, String>> out) {
                    out.output(KV.of(shardOf(key, shards), key));
                  }
                }))
        .setCoder(KvCoder.of(VarIntCoder.of(), StringUtf8Coder.of()))
        .apply("GroupByShard", GroupByKey.create());
  }
}
