package dev.bqjobs.transforms;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.CoderException;
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

  /**
   * Equal when every field is: this is what makes {@link Coder#consistentWithEquals()} true, so
   * runners can use the value itself as its structural value instead of a copy of its encoding.
   */
  @Override
  public boolean equals(@Nullable Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof PreparedJob)) {
      return false;
    }
    PreparedJob other = (PreparedJob) o;
    return timestampMillis == other.timestampMillis
        && key.equals(other.key)
        && baseJobId.equals(other.baseJobId)
        && fingerprint.equals(other.fingerprint)
        && project.equals(other.project)
        && Objects.equals(location, other.location)
        && request.getConfigurationJson().equals(other.request.getConfigurationJson())
        && Objects.equals(request.getKey(), other.request.getKey())
        && Objects.equals(request.getJobId(), other.request.getJobId())
        && Objects.equals(request.getProject(), other.request.getProject())
        && Objects.equals(request.getLocation(), other.request.getLocation());
  }

  @Override
  public int hashCode() {
    return baseJobId.hashCode();
  }

  /**
   * Deterministic coder; the shuffle carries these. Compact on purpose, because a shard's requests
   * are held in memory while it runs (the DirectRunner keeps three copies of a group: the group, a
   * clone and an encoding for its immutability check). The request travels as its parts, not as its
   * canonical JSON, so decoding parses nothing; a request field equal to the job's own key, project
   * or location is sent once and decoded as the same string; projects and locations, few per run,
   * are interned.
   */
  static final class Coder extends AtomicCoder<PreparedJob> {
    private static final Coder INSTANCE = new Coder();
    private static final StringUtf8Coder STRING = StringUtf8Coder.of();
    private static final NullableCoder<String> NULLABLE_STRING = NullableCoder.of(STRING);

    // How a request's optional field relates to the job's own field of the same name.
    private static final int ABSENT = 0;
    private static final int SAME_AS_JOB = 1;
    private static final int OWN_VALUE = 2;

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
      JobRequest request = value.request;
      STRING.encode(request.getConfigurationJson(), out);
      encodeRelative(request.getKey(), value.key, out);
      NULLABLE_STRING.encode(request.getJobId(), out);
      encodeRelative(request.getProject(), value.project, out);
      encodeRelative(request.getLocation(), value.location, out);
      VarLongCoder.of().encode(value.timestampMillis, out);
    }

    @Override
    public PreparedJob decode(InputStream in) throws IOException {
      String key = STRING.decode(in);
      String baseJobId = STRING.decode(in);
      String fingerprint = STRING.decode(in);
      String project = STRING.decode(in).intern();
      String location = NULLABLE_STRING.decode(in);
      if (location != null) {
        location = location.intern();
      }
      String configurationJson = STRING.decode(in);
      String requestKey = decodeRelative(key, in);
      String requestJobId = NULLABLE_STRING.decode(in);
      String requestProject = decodeRelative(project, in);
      String requestLocation = decodeRelative(location, in);
      JobRequest request =
          JobRequest.fromParts(
              configurationJson, requestKey, requestJobId, requestProject, requestLocation);
      return new PreparedJob(
          key, baseJobId, fingerprint, project, location, request, VarLongCoder.of().decode(in));
    }

    private static void encodeRelative(
        @Nullable String field, @Nullable String jobField, OutputStream out) throws IOException {
      if (field == null) {
        out.write(ABSENT);
      } else if (field.equals(jobField)) {
        out.write(SAME_AS_JOB);
      } else {
        out.write(OWN_VALUE);
        STRING.encode(field, out);
      }
    }

    private static @Nullable String decodeRelative(@Nullable String jobField, InputStream in)
        throws IOException {
      int kind = in.read();
      switch (kind) {
        case ABSENT:
          return null;
        case SAME_AS_JOB:
          return jobField;
        case OWN_VALUE:
          return STRING.decode(in);
        default:
          throw new CoderException("Corrupt PreparedJob encoding: field marker " + kind);
      }
    }

    @Override
    public void verifyDeterministic() {}

    @Override
    public boolean consistentWithEquals() {
      return true;
    }
  }
}
