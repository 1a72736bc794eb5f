package dev.bqjobs.emulator.gcs;

import dev.bqjobs.emulator.http.Exchange;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One call of a batch as an {@link Exchange}: request and response held in memory. */
final class BufferedExchange implements Exchange {
  private final String method;
  private final String rawPath;
  private final String rawQuery;
  private final Map<String, List<String>> headers;
  private final InputStream body;
  private final Map<String, String> responseHeaders = new LinkedHashMap<>();
  private int status = -1;
  private byte[] responseBody = new byte[0];

  BufferedExchange(
      String method,
      String rawPath,
      String rawQuery,
      Map<String, List<String>> headers,
      byte[] body) {
    this.method = method;
    this.rawPath = rawPath;
    this.rawQuery = rawQuery;
    this.headers = headers;
    this.body = new ByteArrayInputStream(body);
  }

  @Override
  public String method() {
    return method;
  }

  @Override
  public String rawPath() {
    return rawPath;
  }

  @Override
  public String rawQuery() {
    return rawQuery;
  }

  @Override
  public String header(String name) {
    for (Map.Entry<String, List<String>> e : headers.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
        return e.getValue().get(0);
      }
    }
    return null;
  }

  @Override
  public Map<String, List<String>> headers() {
    return headers;
  }

  @Override
  public InputStream body() {
    return body;
  }

  @Override
  public void discardBody() {}

  @Override
  public void setHeader(String name, String value) {
    responseHeaders.put(name, value);
  }

  @Override
  public void respond(int status, byte[] body) {
    this.status = status;
    this.responseBody = body == null ? new byte[0] : body;
  }

  @Override
  public void abort() {
    this.status = 500;
  }

  int status() {
    return status;
  }

  Map<String, String> responseHeaders() {
    return responseHeaders;
  }

  byte[] responseBody() {
    return responseBody;
  }
}
