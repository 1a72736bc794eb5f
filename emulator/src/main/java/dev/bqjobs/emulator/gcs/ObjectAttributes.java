package dev.bqjobs.emulator.gcs;

import java.util.Map;

/**
 * What a client may set on an object besides its bytes and keep with it: content type, content
 * encoding and the user's metadata map.
 */
public record ObjectAttributes(
    String contentType, String contentEncoding, Map<String, String> metadata) {
  public static final String DEFAULT_CONTENT_TYPE = "application/octet-stream";

  public static final ObjectAttributes DEFAULT =
      new ObjectAttributes(DEFAULT_CONTENT_TYPE, null, Map.of());

  public ObjectAttributes {
    contentType = contentType == null || contentType.isEmpty() ? DEFAULT_CONTENT_TYPE : contentType;
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
  }
}
