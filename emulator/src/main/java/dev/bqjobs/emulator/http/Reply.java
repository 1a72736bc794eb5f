package dev.bqjobs.emulator.http;

import dev.bqjobs.emulator.wire.JsonCodec;

/** What a handler answers: a status code and a JSON body (a model object, Map or List), or none. */
public final class Reply {
  private final int status;
  private final Object body;
  private final boolean json;
  private final java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();

  private Reply(int status, Object body) {
    this(status, body, false);
  }

  private Reply(int status, Object body, boolean json) {
    this.status = status;
    this.body = body;
    this.json = json;
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

  /** 200 with a body that is JSON already (e.g. a DONE job's stored JSON), sent as is. */
  public static Reply okJson(String json) {
    return new Reply(200, json, true);
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

  /** The body as JSON text, or null for none. */
  public String json() {
    if (body == null) {
      return null;
    }
    return json ? (String) body : JsonCodec.write(body);
  }
}
