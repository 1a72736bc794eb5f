package dev.bqjobs.transforms;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * What is left of one shard: the requests not yet admitted ({@code [next, end)} in the shard's
 * order) and the ones admitted whose results are still owed ({@code owed}, ascending indices).
 *
 * <p>This is the restriction of {@link RunJobs}: when the runner checkpoints a shard (the
 * DirectRunner asks after a second and from the 100th result on; {@link ShardTracker} accepts after
 * every 1,000 results), the residual is the shard's progress, so the results emitted so far are
 * committed and a resumed piece re-polls the owed jobs by their deterministic IDs instead of
 * running them again.
 */
final class ShardProgress {
  static final long[] NONE = new long[0];

  final long next;
  final long end;
  final long[] owed;

  ShardProgress(long next, long end, long[] owed) {
    if (next < 0 || end < next) {
      throw new IllegalArgumentException("invalid shard range [" + next + ", " + end + ")");
    }
    this.next = next;
    this.end = end;
    this.owed = owed;
  }

  static ShardProgress all(long size) {
    return new ShardProgress(0, size, NONE);
  }

  /** Requests not started plus results owed: the work this restriction still stands for. */
  long remaining() {
    return end - next + owed.length;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof ShardProgress)) {
      return false;
    }
    ShardProgress other = (ShardProgress) o;
    return next == other.next && end == other.end && Arrays.equals(owed, other.owed);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(next) * 31 + Long.hashCode(end) * 17 + Arrays.hashCode(owed);
  }

  @Override
  public String toString() {
    return "ShardProgress{next=" + next + ", end=" + end + ", owed=" + owed.length + "}";
  }

  /** Varints, the owed indices as gaps from the previous one (they are ascending). */
  static final class Coder extends AtomicCoder<ShardProgress> {
    private static final Coder INSTANCE = new Coder();

    static Coder of() {
      return INSTANCE;
    }

    @Override
    public void encode(ShardProgress value, OutputStream out) throws IOException {
      VarLongCoder.of().encode(value.next, out);
      VarLongCoder.of().encode(value.end - value.next, out);
      VarIntCoder.of().encode(value.owed.length, out);
      long previous = 0;
      for (long index : value.owed) {
        VarLongCoder.of().encode(index - previous, out);
        previous = index;
      }
    }

    @Override
    public ShardProgress decode(InputStream in) throws IOException {
      long next = VarLongCoder.of().decode(in);
      long end = next + VarLongCoder.of().decode(in);
      int count = VarIntCoder.of().decode(in);
      if (count < 0) {
        throw new CoderException("negative owed count " + count);
      }
      long[] owed = new long[count];
      long previous = 0;
      for (int i = 0; i < count; i++) {
        previous += VarLongCoder.of().decode(in);
        owed[i] = previous;
      }
      return new ShardProgress(next, end, owed);
    }

    @Override
    public void verifyDeterministic() {}

    @Override
    public boolean consistentWithEquals() {
      return true;
    }
  }
}
