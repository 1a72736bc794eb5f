package dev.bqjobs.transforms;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A valid request with everything resolved before the shuffle: its key, job ID, fingerprint,
 * project, location and its element timestamp (restored after the GroupByKey).
 */
final class PreparedJob {
  final String key;
  final String baseJobId;
  final String fingerprint;
  final String project;
  final @Nullable String location;
  final JobRequest request;
  final long timestampMillis;

  PreparedJob(
      String key,
      String baseJobId,
      String fingerprint,
      String project,
      @Nullable String location,
      JobRequest request,
      long timestampMillis) {
    this.key = key;
    this.baseJobId = baseJobId;
    this.fingerprint = fingerprint;
    this.project = project;
    this.location = location;
    this.request = request;
    this.timestampMillis = timestampMillis;
  }

  boolean isDryRun() {
    return Boolean.TRUE.equals(request.getConfiguration().getDryRun());
  }

  @Override
  public String toString() {
    return "PreparedJob{" + baseJobId + ", key=" + key + "}";
  }

  /** Deterministic coder; the shuffle carries these. */
  static final class Coder extends AtomicCoder<PreparedJob> {
    private static final Coder INSTANCE = new Coder();
    private static final StringUtf8Coder STRING = StringUtf8Coder.of();
    private static final NullableCoder<String> NULLABLE_STRING = NullableCoder.of(STRING);

    static Coder of() {
      return INSTANCE;
    }

    @Override
    public void encode(PreparedJob value, OutputStream out) throws IOException {
      STRING.encode(value.key, out);
      STRING.encode(value.baseJobId, out);
      STRING.encode(value.fingerprint, out);
      STRING.encode(value.project, out);
      NULLABLE_STRING.encode(value.location, out);
      JobRequestCoder.of().encode(value.request, out);
      VarLongCoder.of().encode(value.timestampMillis, out);
    }

    @Override
    public PreparedJob decode(InputStream in) throws IOException {
      return new PreparedJob(
          STRING.decode(in),
          STRING.decode(in),
          STRING.decode(in),
          STRING.decode(in),
          NULLABLE_STRING.decode(in),
          JobRequestCoder.of().decode(in),
          VarLongCoder.of().decode(in));
    }

    @Override
    public void verifyDeterministic() {}
  }
}
