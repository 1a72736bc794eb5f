package dev.bqjobs.emulator.gcs;

import dev.bqjobs.emulator.errors.BigQueryError;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code POST /batch/storage/v1}: a {@code multipart/mixed} body of up to 100 HTTP requests (Beam's
 * {@code GcsUtil} batches object gets when it matches files, rewrites and deletes when it renames
 * them). Each part is answered by the same {@link StorageApi} as a call of its own, in order, and
 * the answers go back as one {@code multipart/mixed} body with each part's {@code Content-ID}
 * prefixed {@code response-}, as Cloud Storage does.
 */
final class BatchRequests {
  /** Cloud Storage takes at most 100 calls per batch. */
  static final int MAX_CALLS = 100;

  private final StorageApi api;

  BatchRequests(StorageApi api) {
    this.api = api;
  }

  int answer(StorageRequest r) throws IOException {
    String boundary = Multipart.boundary(r.header("Content-Type"));
    List<Multipart.Part> parts =
        Multipart.parse(r.bodyBytes(StorageApi.MAX_BUFFERED_BODY), boundary);
    if (parts.size() > MAX_CALLS) {
      throw BigQueryError.invalid(
          "A batch holds at most " + MAX_CALLS + " calls, this one " + parts.size() + ".");
    }
    String outBoundary = "batch_" + UUID.randomUUID().toString().replace("-", "");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Multipart.Part part : parts) {
      BufferedExchange call = call(part, r);
      api.handle(call);
      String contentId = part.header("Content-ID");
      StringBuilder head = new StringBuilder();
      head.append("--").append(outBoundary).append("\r\n");
      head.append("Content-Type: application/http\r\n");
      if (contentId != null) {
        String id = contentId.startsWith("<") ? contentId.substring(1) : contentId;
        head.append("Content-ID: <response-").append(id.replaceAll(">$", "")).append(">\r\n");
      }
      head.append("\r\n");
      head.append("HTTP/1.1 ")
          .append(call.status())
          .append(' ')
          .append(reasonPhrase(call.status()));
      head.append("\r\n");
      for (Map.Entry<String, String> h : call.responseHeaders().entrySet()) {
        head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
      }
      head.append("Content-Length: ").append(call.responseBody().length).append("\r\n\r\n");
      out.write(head.toString().getBytes(StandardCharsets.UTF_8));
      out.write(call.responseBody());
      out.write("\r\n".getBytes(StandardCharsets.UTF_8));
    }
    out.write(("--" + outBoundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    r.exchange.setHeader("Content-Type", "multipart/mixed; boundary=" + outBoundary);
    r.exchange.respond(200, out.toByteArray());
    return 200;
  }

  /** The HTTP request inside a part: request line, headers, blank line, body. */
  private static BufferedExchange call(Multipart.Part part, StorageRequest outer) {
    byte[] bytes = part.content();
    int eol = Multipart.indexOf(bytes, new byte[] {'\n'}, 0);
    if (eol < 0) {
      throw BigQueryError.invalid("Malformed batch part: it holds no HTTP request.");
    }
    String requestLine = new String(bytes, 0, eol, StandardCharsets.UTF_8).trim();
    Multipart.Part inner =
        Multipart.part(java.util.Arrays.copyOfRange(bytes, eol + 1, bytes.length));
    String[] words = requestLine.split(" ");
    if (words.length < 2) {
      throw BigQueryError.invalid(
          "Malformed batch part: no request line in '" + requestLine + "'.");
    }
    String target = words[1];
    int scheme = target.indexOf("://");
    if (scheme >= 0) {
      int slash = target.indexOf('/', scheme + 3);
      target = slash < 0 ? "/" : target.substring(slash);
    }
    int q = target.indexOf('?');
    String path = q < 0 ? target : target.substring(0, q);
    String query = q < 0 ? null : target.substring(q + 1);
    if (path.startsWith(StorageRequest.Root.BATCH.path)) {
      throw BigQueryError.invalid("A batch cannot hold another batch.");
    }
    Map<String, List<String>> headers = new LinkedHashMap<>();
    inner.headers().forEach((k, v) -> headers.put(k, new ArrayList<>(List.of(v))));
    if (!headers.containsKey("host") && outer.header("Host") != null) {
      headers.put("host", List.of(outer.header("Host")));
    }
    if (!headers.containsKey("authorization") && outer.header("Authorization") != null) {
      headers.put("authorization", List.of(outer.header("Authorization")));
    }
    return new BufferedExchange(words[0], path, query, headers, inner.content());
  }

  private static String reasonPhrase(int status) {
    switch (status) {
      case 200:
        return "OK";
      case 204:
        return "No Content";
      case 400:
        return "Bad Request";
      case 401:
        return "Unauthorized";
      case 403:
        return "Forbidden";
      case 404:
        return "Not Found";
      case 409:
        return "Conflict";
      case 412:
        return "Precondition Failed";
      default:
        return status >= 500 ? "Internal Server Error" : "Error";
    }
  }
}
