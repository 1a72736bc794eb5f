package dev.bqjobs.emulator.gcs;

import java.nio.file.Path;
import java.util.Map;

/**
 * One object as the store knows it: where its bytes are and its metadata. The generation is the
 * file's modification time in microseconds (Cloud Storage's generations are microsecond times too),
 * so files written by load and extract jobs, or put in the folder by hand, have one as well.
 *
 * @param contentType as uploaded, or {@code application/octet-stream} for files the API did not
 *     write
 * @param metadata the user's {@code metadata} map as uploaded; empty for other files
 */
public record StoredObject(
    String bucket,
    String name,
    Path file,
    long size,
    long generation,
    String contentType,
    String contentEncoding,
    Map<String, String> metadata) {

  public StoredObject {
    metadata = Map.copyOf(metadata);
  }

  /** Epoch milliseconds the generation was written at. */
  public long updatedMillis() {
    return generation / 1000;
  }
}
