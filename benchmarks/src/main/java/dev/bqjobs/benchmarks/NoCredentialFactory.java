package dev.bqjobs.benchmarks;

import com.google.auth.Credentials;
import org.apache.beam.sdk.extensions.gcp.auth.CredentialFactory;
import org.apache.beam.sdk.options.PipelineOptions;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A {@link CredentialFactory} for {@code --credentialFactoryClass} that gives no credential: Beam's
 * BigQuery client then sends no Authorization header, as the local server expects. Named by class
 * so it survives the options' serialisation to workers.
 */
public final class NoCredentialFactory implements CredentialFactory {
  /** Called by Beam through reflection. */
  public static NoCredentialFactory fromOptions(PipelineOptions options) {
    return new NoCredentialFactory();
  }

  @Override
  public @Nullable Credentials getCredential() {
    return null;
  }
}
