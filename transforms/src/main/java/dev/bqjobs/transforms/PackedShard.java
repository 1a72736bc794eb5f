package dev.bqjobs.transforms;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.util.ExposedByteArrayOutputStream;
import org.apache.beam.sdk.util.VarInt;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * One shard's requests as compressed chunks of their encodings, decoded one at a time when read.
 *
 * <p>The DirectRunner clones and encodes every element a step reads or writes for its immutability
 * check, and the splittable job step's expansion passes the shard through several steps: as a group
 * of request objects a 100,000-request shard cost about 6 KB per request at the peak. Packed, a
 * request costs a few dozen bytes (its encoding, deflated with its neighbours: requests of one run
 * share most of their text), the runner's copies are byte array copies, and only the requests in
 * flight exist as objects. Chunks of {@value #CHUNK} requests keep reads cheap: the runner reads in
 * order, so each chunk is inflated once.
 */
final class PackedShard extends AbstractList<PreparedJob> implements RandomAccess {
  static final int CHUNK = 256;

  /** Each chunk: its requests' encodings, length-prefixed (varint), back to back, deflated. */
  private final List<byte[]> chunks;

  /** The requests before each chunk, and in all (last entry). */
  private final int[] before;

  /** The last chunk read, inflated, and where its requests start. */
  private transient int cachedChunk = -1;

  private transient byte @Nullable [] cachedBytes;
  private transient int @Nullable [] cachedStarts;

  private PackedShard(List<byte[]> chunks, int[] counts) {
    this.chunks = chunks;
    this.before = new int[counts.length + 1];
    for (int i = 0; i < counts.length; i++) {
      before[i + 1] = before[i] + counts[i];
    }
  }

  /** Packs the requests in their iteration order. */
  static PackedShard of(Iterable<PreparedJob> requests) throws IOException {
    Builder builder = new Builder();
    for (PreparedJob request : requests) {
      builder.add(request);
    }
    return builder.build();
  }

  /** The blocks one after the other: their requests in order, block by block. */
  static PackedShard join(Iterable<PackedShard> blocks) {
    List<byte[]> chunks = new ArrayList<>();
    List<Integer> counts = new ArrayList<>();
    for (PackedShard block : blocks) {
      for (int c = 0; c < block.chunks.size(); c++) {
        chunks.add(block.chunks.get(c));
        counts.add(block.before[c + 1] - block.before[c]);
      }
    }
    return new PackedShard(chunks, counts.stream().mapToInt(Integer::intValue).toArray());
  }

  /** Builds a packed shard request by request. */
  static final class Builder {
    private final List<byte[]> chunks = new ArrayList<>();
    private final List<Integer> counts = new ArrayList<>();
    private final ExposedByteArrayOutputStream raw = new ExposedByteArrayOutputStream();
    private int inChunk;

    void add(PreparedJob request) throws IOException {
      byte[] encoded = CoderUtils.encodeToByteArray(PreparedJob.Coder.of(), request);
      VarInt.encode(encoded.length, raw);
      raw.write(encoded);
      if (++inChunk == CHUNK) {
        flush();
      }
    }

    PackedShard build() {
      flush();
      return new PackedShard(chunks, counts.stream().mapToInt(Integer::intValue).toArray());
    }

    private void flush() {
      if (inChunk == 0) {
        return;
      }
      Deflater deflater = new Deflater(Deflater.BEST_SPEED);
      try {
        deflater.setInput(raw.toByteArray());
        deflater.finish();
        ExposedByteArrayOutputStream out = new ExposedByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        while (!deflater.finished()) {
          out.write(buffer, 0, deflater.deflate(buffer));
        }
        chunks.add(out.toByteArray());
      } finally {
        deflater.end();
      }
      counts.add(inChunk);
      raw.reset();
      inChunk = 0;
    }
  }

  @Override
  public synchronized PreparedJob get(int index) {
    if (index < 0 || index >= size()) {
      throw new IndexOutOfBoundsException("request " + index + " of " + size());
    }
    int chunk = Arrays.binarySearch(before, index);
    chunk = chunk >= 0 ? chunk : -chunk - 2;
    while (before[chunk + 1] <= index) {
      chunk++; // empty chunks cannot occur, but skip them if a join ever made one
    }
    if (chunk != cachedChunk) {
      inflate(chunk);
    }
    int start = cachedStarts[index - before[chunk]];
    try {
      return PreparedJob.Coder.of()
          .decode(new ByteArrayInputStream(cachedBytes, start, cachedBytes.length - start));
    } catch (IOException e) {
      throw new IllegalStateException("Corrupt packed shard: request " + index, e);
    }
  }

  private void inflate(int chunk) {
    int count = before[chunk + 1] - before[chunk];
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(chunks.get(chunk));
      ExposedByteArrayOutputStream out = new ExposedByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      while (!inflater.finished()) {
        int n = inflater.inflate(buffer);
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          throw new IllegalStateException("Corrupt packed shard: chunk " + chunk + " is cut short");
        }
        out.write(buffer, 0, n);
      }
      byte[] bytes = out.toByteArray();
      int[] starts = new int[count];
      ByteArrayInputStream in = new ByteArrayInputStream(bytes);
      for (int i = 0; i < count; i++) {
        int length = VarInt.decodeInt(in);
        starts[i] = bytes.length - in.available();
        in.skip(length);
      }
      cachedBytes = bytes;
      cachedStarts = starts;
      cachedChunk = chunk;
    } catch (DataFormatException | IOException e) {
      throw new IllegalStateException("Corrupt packed shard: chunk " + chunk, e);
    } finally {
      inflater.end();
    }
  }

  @Override
  public int size() {
    return before[before.length - 1];
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof PackedShard)) {
      return false;
    }
    PackedShard other = (PackedShard) o;
    if (!Arrays.equals(before, other.before) || chunks.size() != other.chunks.size()) {
      return false;
    }
    for (int i = 0; i < chunks.size(); i++) {
      if (!Arrays.equals(chunks.get(i), other.chunks.get(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(before);
  }

  /** The chunks with their request counts. */
  static final class Coder extends AtomicCoder<PackedShard> {
    private static final Coder INSTANCE = new Coder();

    static Coder of() {
      return INSTANCE;
    }

    @Override
    public void encode(PackedShard value, OutputStream out) throws IOException {
      VarIntCoder.of().encode(value.chunks.size(), out);
      for (int i = 0; i < value.chunks.size(); i++) {
        VarIntCoder.of().encode(value.before[i + 1] - value.before[i], out);
        ByteArrayCoder.of().encode(value.chunks.get(i), out);
      }
    }

    @Override
    public PackedShard decode(InputStream in) throws IOException {
      int n = VarIntCoder.of().decode(in);
      if (n < 0) {
        throw new CoderException("Corrupt packed shard: " + n + " chunks");
      }
      List<byte[]> chunks = new ArrayList<>(n);
      int[] counts = new int[n];
      for (int i = 0; i < n; i++) {
        counts[i] = VarIntCoder.of().decode(in);
        chunks.add(ByteArrayCoder.of().decode(in));
      }
      return new PackedShard(chunks, counts);
    }

    @Override
    public void verifyDeterministic() {}

    @Override
    public boolean consistentWithEquals() {
      return true;
    }
  }
}
