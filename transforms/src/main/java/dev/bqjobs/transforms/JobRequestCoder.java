package dev.bqjobs.transforms;

import org.apache.beam.sdk.coders.CoderProvider;
import org.apache.beam.sdk.coders.CoderProviders;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * Deterministic coder for {@link JobRequest}: canonical JSON (sorted keys, int64 as strings), so
 * equal requests encode to equal bytes. Registered with {@code @DefaultCoder}; the BigQuery model
 * classes are {@code GenericJson}, not {@code Serializable}.
 */
public final class JobRequestCoder extends CanonicalJsonCoder<JobRequest> {
  private static final JobRequestCoder INSTANCE = new JobRequestCoder();

  private JobRequestCoder() {}

  public static JobRequestCoder of() {
    return INSTANCE;
  }

  /** Looked up by {@code @DefaultCoder}. */
  public static CoderProvider getCoderProvider() {
    return CoderProviders.forCoder(TypeDescriptor.of(JobRequest.class), INSTANCE);
  }

  @Override
  String toCanonicalJson(JobRequest value) {
    return value.toCanonicalJson();
  }

  @Override
  JobRequest fromCanonicalJson(String json) {
    return JobRequest.fromCanonicalJson(json);
  }
}
