package dev.bqjobs.transforms;

import org.apache.beam.sdk.coders.CoderProvider;
import org.apache.beam.sdk.coders.CoderProviders;
import org.apache.beam.sdk.values.TypeDescriptor;

/** Deterministic coder for {@link JobResult}: canonical JSON, like {@link JobRequestCoder}. */
public final class JobResultCoder extends CanonicalJsonCoder<JobResult> {
  private static final JobResultCoder INSTANCE = new JobResultCoder();

  private JobResultCoder() {}

  public static JobResultCoder of() {
    return INSTANCE;
  }

  /** Looked up by {@code @DefaultCoder}. */
  public static CoderProvider getCoderProvider() {
    return CoderProviders.forCoder(TypeDescriptor.of(JobResult.class), INSTANCE);
  }

  @Override
  String toCanonicalJson(JobResult value) {
    return value.toCanonicalJson();
  }

  @Override
  JobResult fromCanonicalJson(String json) {
    return JobResult.fromCanonicalJson(json);
  }
}
