package dev.bqjobs.transforms;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.CoderProvider;
import org.apache.beam.sdk.coders.CoderProviders;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.values.TypeDescriptor;

/** Deterministic coder for {@link JobResult}: canonical JSON, like {@link JobRequestCoder}. */
public final class JobResultCoder extends AtomicCoder<JobResult> {
  private static final JobResultCoder INSTANCE = new JobResultCoder();
  private static final StringUtf8Coder STRING = StringUtf8Coder.of();

  private JobResultCoder() {}

  public static JobResultCoder of() {
    return INSTANCE;
  }

  /** Looked up by {@code @DefaultCoder}. */
  public static CoderProvider getCoderProvider() {
    return CoderProviders.forCoder(TypeDescriptor.of(JobResult.class), INSTANCE);
  }

  @Override
  public void encode(JobResult value, OutputStream out) throws IOException {
    STRING.encode(value.toCanonicalJson(), out);
  }

  @Override
  public JobResult decode(InputStream in) throws IOException {
    return JobResult.fromCanonicalJson(STRING.decode(in));
  }

  @Override
  public void verifyDeterministic() {}

  @Override
  public boolean consistentWithEquals() {
    return true;
  }
}
