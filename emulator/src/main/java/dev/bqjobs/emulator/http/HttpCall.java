package dev.bqjobs.emulator.http;

import dev.bqjobs.emulator.wire.JsonCodec;
import java.util.List;
import java.util.Map;

/** One HTTP request as a handler sees it: path parameters, query parameters, body, headers. */
public final class HttpCall {
  private final String method;
  private final String path;
  private final Map<String, String> pathParams;
  private final Map<String, List<String>> query;
  private final Map<String, List<String>> headers;
  private final byte[] body;
  private volatile String principal;

  HttpCall(
      String method,
      String path,
      Map<String, String> pathParams,
      Map<String, List<String>> query,
      Map<String, List<String>> headers,
      byte[] body) {
    this.method = method;
    this.path = path;
    this.pathParams = pathParams;
    this.query = query;
    this.headers = headers;
    this.body = body;
  }

  public String method() {
    return method;
  }

  public String path() {
    return path;
  }

  /** A path parameter of the route, e.g. {@code projectId}. */
  public String param(String name) {
    return pathParams.get(name);
  }

  /** The first value of a query parameter, or null. */
  public String query(String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** A query parameter as a non-negative integer, or {@code defaultValue} when absent. */
  public long queryLong(String name, long defaultValue) {
    String value = query(name);
    if (value == null || value.isEmpty()) {
      return defaultValue;
    }
    try {
      long parsed = Long.parseLong(value.trim());
      if (parsed < 0) {
        throw new NumberFormatException();
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw ApiException.invalid("Invalid value for parameter " + name + ": \"" + value + "\"");
    }
  }

  /** A boolean query parameter ({@code true}/{@code false}), or {@code defaultValue}. */
  public boolean queryBoolean(String name, boolean defaultValue) {
    String value = query(name);
    if (value == null || value.isEmpty()) {
      return defaultValue;
    }
    if (value.equalsIgnoreCase("true")) {
      return true;
    }
    if (value.equalsIgnoreCase("false")) {
      return false;
    }
    throw ApiException.invalid("Invalid value for parameter " + name + ": \"" + value + "\"");
  }

  /** All values of a repeated query parameter (e.g. {@code stateFilter}). */
  public List<String> queryAll(String name) {
    List<String> values = query.get(name);
    return values == null ? List.of() : values;
  }

  /** The first value of a header (case-insensitive name), or null. */
  public String header(String name) {
    for (Map.Entry<String, List<String>> e : headers.entrySet()) {
      if (e.getKey() != null && e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
        return e.getValue().get(0);
      }
    }
    return null;
  }

  /** Who made the call (an email), when access control is on; null otherwise. */
  public String principal() {
    return principal;
  }

  /** Set by access control once the caller's token is known. */
  public void setPrincipal(String principal) {
    this.principal = principal;
  }

  public byte[] body() {
    return body;
  }

  public String bodyText() {
    return new String(body, java.nio.charset.StandardCharsets.UTF_8);
  }

  /** The body parsed into a BigQuery model class; {@code what} names it in error messages. */
  public <T> T json(Class<T> type, String what) {
    return JsonCodec.parse(bodyText(), type, what);
  }
}
