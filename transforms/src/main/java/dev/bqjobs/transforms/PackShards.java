package dev.bqjobs.transforms;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.joda.time.Instant;

/**
 * Packing shards into blocks of encodings ({@link PackedShard}) on the DirectRunner, so that no
 * step there ever holds a shard as a group of request objects (the runner clones and encodes
 * whatever a step reads or writes).
 */
final class PackShards {
  private PackShards() {}

  /**
   * Before the GroupByKey: packs each bundle's requests per shard and emits one block per shard at
   * the end of the bundle, at the earliest timestamp of its requests (the GroupByKey keeps the
   * earliest, so each result can still go out at its own request's timestamp). Global window only,
   * as the transform requires.
   */
  static final class InBundles extends DoFn<KV<Integer, PreparedJob>, KV<Integer, PackedShard>> {
    private transient Map<Integer, PackedShard.Builder> blocks;
    private transient Map<Integer, Long> earliest;

    @StartBundle
    public void startBundle() {
      blocks = new HashMap<>();
      earliest = new HashMap<>();
    }

    @ProcessElement
    public void process(@Element KV<Integer, PreparedJob> request) throws IOException {
      blocks
          .computeIfAbsent(request.getKey(), k -> new PackedShard.Builder())
          .add(request.getValue());
      earliest.merge(request.getKey(), request.getValue().timestampMillis, Math::min);
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      for (Map.Entry<Integer, PackedShard.Builder> block : blocks.entrySet()) {
        context.output(
            KV.of(block.getKey(), block.getValue().build()),
            new Instant(earliest.get(block.getKey())),
            GlobalWindow.INSTANCE);
      }
      blocks = null;
      earliest = null;
    }
  }

  /** After the GroupByKey: one shard's blocks, joined into one. */
  static final class Join
      extends DoFn<KV<Integer, Iterable<PackedShard>>, KV<Integer, PackedShard>> {
    @ProcessElement
    public void process(
        @Element KV<Integer, Iterable<PackedShard>> shard,
        OutputReceiver<KV<Integer, PackedShard>> out) {
      out.output(KV.of(shard.getKey(), PackedShard.join(shard.getValue())));
    }
  }
}
