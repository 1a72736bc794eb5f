package dev.bqjobs.transforms;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.CoderProvider;
import org.apache.beam.sdk.coders.CoderProviders;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * Deterministic coder for {@link JobRequest}: canonical JSON (sorted keys, int64 as strings), so
 * equal requests encode to equal bytes. Registered with {@code @DefaultCoder}; the BigQuery model
 * classes are {@code GenericJson}, not {@code Serializable}.
 */
public final class JobRequestCoder extends AtomicCoder<JobRequest> {
  private static final JobRequestCoder INSTANCE = new JobRequestCoder();
  private static final StringUtf8Coder STRING = StringUtf8Coder.of();

  private JobRequestCoder() {}

  public static JobRequestCoder of() {
    return INSTANCE;
  }

  /** Looked up by {@code @DefaultCoder}. */
  public static CoderProvider getCoderProvider() {
    return CoderProviders.forCoder(TypeDescriptor.of(JobRequest.class), INSTANCE);
  }

  @Override
  public void encode(JobRequest value, OutputStream out) throws IOException {
    STRING.encode(value.toCanonicalJson(), out);
  }

  @Override
  public JobRequest decode(InputStream in) throws IOException {
    return JobRequest.fromCanonicalJson(STRING.decode(in));
  }

  @Override
  public void verifyDeterministic() {}

  @Override
  public boolean consistentWithEquals() {
    return true;
  }
}
