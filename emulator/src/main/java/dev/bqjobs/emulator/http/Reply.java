package dev.bqjobs.emulator.http;

/** What a handler answers: a status code and a JSON body (a model object, Map or List), or none. */
public final class Reply {
  private final int status;
  private final Object body;
  private final java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();

  private Reply(int status, Object body) {
    this.status = status;
    this.body = body;
  }

  /** The same reply with one more response header (e.g. an upload session's Location). */
  public Reply withHeader(String name, String value) {
    headers.put(name, value);
    return this;
  }

  public java.util.Map<String, String> headers() {
    return java.util.Collections.unmodifiableMap(headers);
  }

  public static Reply ok(Object body) {
    return new Reply(200, body);
  }

  /** 204 with an empty body, as BigQuery answers deletes. */
  public static Reply noContent() {
    return new Reply(204, null);
  }

  public static Reply of(int status, Object body) {
    return new Reply(status, body);
  }

  public int status() {
    return status;
  }

  public Object body() {
    return body;
  }
}
