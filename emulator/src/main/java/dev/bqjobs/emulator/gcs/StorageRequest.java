package dev.bqjobs.emulator.gcs;

import dev.bqjobs.emulator.errors.BigQueryError;
import dev.bqjobs.emulator.http.Exchange;
import dev.bqjobs.emulator.wire.QueryStrings;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * One Cloud Storage call as {@link StorageApi} reads it: the method (with {@code
 * X-HTTP-Method-Override}), which of the API's roots it came under, the decoded path segments after
 * that root, the query parameters, and the body (gunzipped when the client gzipped it, as
 * google-api-client does by default).
 */
final class StorageRequest {
  /** The roots of Cloud Storage's JSON API, as clients build them from their root URL. */
  enum Root {
    API("/storage/v1"),
    UPLOAD("/upload/storage/v1"),
    DOWNLOAD("/download/storage/v1"),
    BATCH("/batch/storage/v1");

    final String path;

    Root(String path) {
      this.path = path;
    }
  }

  final Exchange exchange;
  final String method;
  final Root root;
  final List<String> segments;
  final Map<String, List<String>> query;

  private StorageRequest(
      Exchange exchange,
      String method,
      Root root,
      List<String> segments,
      Map<String, List<String>> query) {
    this.exchange = exchange;
    this.method = method;
    this.root = root;
    this.segments = segments;
    this.query = query;
  }

  /** The request, or null when its path is under none of the roots. */
  static StorageRequest of(Exchange exchange) {
    String path = exchange.rawPath();
    Root root = null;
    for (Root r : Root.values()) {
      if (path.equals(r.path) || path.startsWith(r.path + "/")) {
        root = r;
      }
    }
    if (root == null) {
      return null;
    }
    List<String> segments = new ArrayList<>();
    for (String s : path.substring(root.path.length()).split("/", -1)) {
      segments.add(decode(s));
    }
    // the split leaves an empty first segment (the path after the root starts with '/')
    if (!segments.isEmpty() && segments.get(0).isEmpty()) {
      segments.remove(0);
    }
    String method = exchange.method().toUpperCase(Locale.ROOT);
    String override = exchange.header("X-HTTP-Method-Override");
    if (override != null && method.equals("POST")) {
      method = override.toUpperCase(Locale.ROOT);
    }
    return new StorageRequest(exchange, method, root, segments, parseQuery(exchange.rawQuery()));
  }

  String segment(int i) {
    return i < segments.size() ? segments.get(i) : null;
  }

  /** Whether the segments are exactly {@code pattern}, where {@code null} matches any non-empty. */
  boolean matches(String... pattern) {
    if (segments.size() != pattern.length) {
      return false;
    }
    for (int i = 0; i < pattern.length; i++) {
      String s = segments.get(i);
      if (pattern[i] == null ? s.isEmpty() : !pattern[i].equals(s)) {
        return false;
      }
    }
    return true;
  }

  /** Whether the path is {@code first/NON-EMPTY/third/...} with at least four segments. */
  boolean matches3(String first, String third) {
    return segments.size() >= 4
        && first.equals(segments.get(0))
        && !segments.get(1).isEmpty()
        && third.equals(segments.get(2));
  }

  String query(String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** A query parameter as a long, or null when absent; 400 naming it when it is not a number. */
  Long queryLong(String name) {
    String value = query(name);
    if (value == null || value.isEmpty()) {
      return null;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw BigQueryError.invalid("Invalid value for parameter " + name + ": '" + value + "'.");
    }
  }

  /** The generation preconditions of the object the call writes or deletes. */
  Preconditions preconditions() {
    return new Preconditions(
        queryLong("ifGenerationMatch"),
        queryLong("ifGenerationNotMatch"),
        queryLong("ifMetagenerationMatch"),
        queryLong("ifMetagenerationNotMatch"));
  }

  /** The preconditions on the source of a rewrite or copy. */
  Preconditions sourcePreconditions() {
    return new Preconditions(
        queryLong("ifSourceGenerationMatch"),
        queryLong("ifSourceGenerationNotMatch"),
        queryLong("ifSourceMetagenerationMatch"),
        queryLong("ifSourceMetagenerationNotMatch"));
  }

  String header(String name) {
    return exchange.header(name);
  }

  /** The body as sent, gunzipped when {@code Content-Encoding: gzip}. */
  InputStream body() throws IOException {
    InputStream in = exchange.body();
    String encoding = exchange.header("Content-Encoding");
    if (encoding != null && encoding.trim().equalsIgnoreCase("gzip")) {
      return new GZIPInputStream(in, 1 << 16);
    }
    return in;
  }

  /** The whole body, refused with 413 above {@code limit} bytes. */
  byte[] bodyBytes(long limit) throws IOException {
    try (InputStream in = body()) {
      byte[] bytes = in.readNBytes((int) Math.min(limit + 1, Integer.MAX_VALUE - 8));
      if (bytes.length > limit) {
        throw new BigQueryError(
            dev.bqjobs.emulator.errors.ErrorKind.INVALID_ARGUMENT,
            "invalid",
            "Request payload size exceeds the limit: " + limit + " bytes.");
      }
      return bytes;
    } catch (java.util.zip.ZipException e) {
      throw BigQueryError.invalid("Request body is not valid gzip: " + e.getMessage());
    }
  }

  /**
   * The base URL clients reached this server at ({@code http://HOST:PORT/}), from the {@code Host}
   * header, so links and upload sessions point back at the address the client used.
   */
  String baseUrl(String fallback) {
    String host = exchange.header("Host");
    return host == null || host.isBlank() ? fallback : "http://" + host.trim() + "/";
  }

  static String decode(String s) {
    try {
      return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw BigQueryError.invalid("Malformed percent-encoding in the path: '" + s + "'.");
    }
  }

  static Map<String, List<String>> parseQuery(String rawQuery) {
    return QueryStrings.parse(rawQuery);
  }
}
