package dev.bqjobs.transforms;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;

/**
 * A deterministic coder that writes a value as its canonical JSON (sorted keys, int64 as strings)
 * through {@link StringUtf8Coder}, so equal values encode to equal bytes and the encoding can be
 * used as a key. The one implementation behind {@link JobRequestCoder} and {@link JobResultCoder};
 * a subclass says only how its type becomes canonical JSON and back.
 */
abstract class CanonicalJsonCoder<T> extends AtomicCoder<T> {
  private static final StringUtf8Coder STRING = StringUtf8Coder.of();

  /** The value's canonical JSON: equal values give equal text. */
  abstract String toCanonicalJson(T value);

  /** The value {@link #toCanonicalJson} wrote. */
  abstract T fromCanonicalJson(String json);

  @Override
  public final void encode(T value, OutputStream out) throws IOException {
    STRING.encode(toCanonicalJson(value), out);
  }

  @Override
  public final T decode(InputStream in) throws IOException {
    return fromCanonicalJson(STRING.decode(in));
  }

  /** Deterministic by construction: canonical JSON sorts every key. */
  @Override
  public final void verifyDeterministic() {}

  @Override
  public final boolean consistentWithEquals() {
    return true;
  }
}
