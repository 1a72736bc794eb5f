package dev.bqjobs.emulator.http;

import dev.bqjobs.emulator.errors.BigQueryError;
import dev.bqjobs.emulator.wire.JsonCodec;
import dev.bqjobs.emulator.wire.QueryStrings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Dispatches HTTP requests to handlers by method and path template ({@code
 * /projects/{projectId}/jobs/{jobId}}). Every route answers both under {@code /bigquery/v2/} (the
 * Java and Python clients) and bare (the Node client with an emulator host). Unknown paths get 404,
 * known paths with another method 405, bodies over the limit 413, all in BigQuery's error envelope;
 * a handler's unexpected exception becomes a 500 {@code backendError} and never kills the server.
 */
public final class Router {
  private static final Logger LOG = Logger.getLogger(Router.class.getName());
  private static final String API_PREFIX = "/bigquery/v2";

  /** How much of an oversized body is read and dropped before the 413 (see tooLarge). */
  private static final long DISCARD_LIMIT = 64L * 1024 * 1024;

  /**
   * Media uploads live under {@code /upload/bigquery/v2/...}; routes name them {@code /upload/...}.
   */
  private static final String UPLOAD_PREFIX = "/upload" + API_PREFIX;

  /** A handler of one API method. */
  @FunctionalInterface
  public interface Handler {
    Reply handle(HttpCall call) throws Exception;
  }

  /** How the answer of a call that was let through reaches the client. */
  public enum Delivery {
    /** As the handler made it. */
    NORMAL,
    /** The handler runs (the request takes effect), then the connection closes unanswered. */
    DROP,
    /** The handler runs (the request takes effect), then the client gets 503 backendError. */
    SERVICE_UNAVAILABLE
  }

  /**
   * Sees every routed call before its handler; may throw a {@link BigQueryError} to refuse it, or
   * ask for the answer to be lost (fault injection).
   */
  @FunctionalInterface
  public interface Interceptor {
    Delivery before(String apiMethod, HttpCall call);
  }

  /** Receives one line per answered request: the API method (or null) and the status sent. */
  @FunctionalInterface
  public interface Listener {
    void answered(String apiMethod, int status);
  }

  private static final class Route {
    final String method;
    final String[] segments;
    final String apiMethod;
    final Handler handler;
    final long maxBodyBytes;

    Route(String method, String template, String apiMethod, long maxBodyBytes, Handler handler) {
      this.method = method;
      this.segments = split(template);
      this.apiMethod = apiMethod;
      this.maxBodyBytes = maxBodyBytes;
      this.handler = handler;
    }

    Map<String, String> match(String[] path) {
      if (path.length != segments.length) {
        return null;
      }
      Map<String, String> params = new LinkedHashMap<>();
      for (int i = 0; i < segments.length; i++) {
        String s = segments[i];
        if (s.startsWith("{") && s.endsWith("}")) {
          if (path[i].isEmpty()) {
            return null;
          }
          params.put(s.substring(1, s.length() - 1), path[i]);
        } else if (!s.equals(path[i])) {
          return null;
        }
      }
      return params;
    }
  }

  /**
   * Another API served on the same port under its own path prefixes (Cloud Storage's JSON API),
   * which answers its exchanges itself, errors included.
   */
  @FunctionalInterface
  public interface MountedApi {
    /**
     * Answers the exchange; never throws.
     *
     * @return the API method (or null) and the status sent, for the {@link Listener}
     */
    Answered handle(Exchange exchange);
  }

  /** What a {@link MountedApi} answered, for the request counts. */
  public record Answered(String apiMethod, int status) {}

  private final List<Route> routes = new ArrayList<>();
  private final Map<String, MountedApi> mounts = new LinkedHashMap<>();
  private final long maxBodyBytes;
  private volatile Interceptor interceptor = (m, c) -> Delivery.NORMAL;
  private volatile Listener listener = (m, s) -> {};

  public Router(long maxBodyBytes) {
    this.maxBodyBytes = maxBodyBytes;
  }

  /**
   * Adds a route; {@code template} is relative to the API root, e.g. {@code /projects/{p}/jobs}.
   */
  public Router add(String method, String template, String apiMethod, Handler handler) {
    routes.add(new Route(method, template, apiMethod, maxBodyBytes, handler));
    return this;
  }

  /**
   * Adds a route whose bodies may be larger than the API's limit (media uploads). Templates under
   * {@code /upload/} match {@code /upload/bigquery/v2/...}.
   */
  public Router add(
      String method, String template, String apiMethod, long maxBodyBytes, Handler handler) {
    routes.add(new Route(method, template, apiMethod, maxBodyBytes, handler));
    return this;
  }

  /**
   * Hands every request whose path starts with {@code prefix} (e.g. {@code /storage/v1/}) to {@code
   * api} instead of the routes.
   */
  public Router mount(String prefix, MountedApi api) {
    mounts.put(prefix, api);
    return this;
  }

  public void setInterceptor(Interceptor interceptor) {
    this.interceptor = interceptor;
  }

  public void setListener(Listener listener) {
    this.listener = listener;
  }

  /** Answers one request; never throws: every failure becomes an HTTP error reply. */
  public void handle(Exchange exchange) {
    for (Map.Entry<String, MountedApi> mount : mounts.entrySet()) {
      if (exchange.rawPath().startsWith(mount.getKey())) {
        Answered answered = mount.getValue().handle(exchange);
        listener.answered(answered.apiMethod(), answered.status());
        return;
      }
    }
    String apiMethod = null;
    int status;
    try {
      String method = exchange.method().toUpperCase(java.util.Locale.ROOT);
      String override = exchange.header("X-HTTP-Method-Override");
      if (override != null && method.equals("POST")) {
        method = override.toUpperCase(java.util.Locale.ROOT);
      }
      String rawPath = exchange.rawPath();
      String[] path = split(stripPrefix(rawPath));
      Route route = null;
      Map<String, String> params = null;
      Set<String> allowed = new LinkedHashSet<>();
      for (Route r : routes) {
        Map<String, String> m = r.match(path);
        if (m != null) {
          allowed.add(r.method);
          if (r.method.equals(method) && route == null) {
            route = r;
            params = m;
          }
        }
      }
      if (route == null) {
        exchange.discardBody();
        if (allowed.isEmpty()) {
          throw ApiException.notFound("Not found: URL " + rawPath);
        }
        exchange.setHeader("Allow", String.join(", ", allowed));
        throw new ApiException(
            405, "methodNotAllowed", "Method " + method + " is not allowed on " + rawPath);
      }
      apiMethod = route.apiMethod;
      byte[] body = readBody(exchange, route.maxBodyBytes);
      HttpCall call =
          new HttpCall(
              method, rawPath, params, parseQuery(exchange.rawQuery()), exchange.headers(), body);
      Delivery delivery = interceptor.before(apiMethod, call);
      Reply reply = route.handler.handle(call);
      if (delivery == Delivery.DROP) {
        throw new LostResponse();
      }
      if (delivery == Delivery.SERVICE_UNAVAILABLE) {
        throw new ApiException(
            503, "backendError", "Service unavailable: the response was lost (injected fault).");
      }
      status = reply.status();
      reply.headers().forEach(exchange::setHeader);
      send(exchange, status, reply.json());
    } catch (ApiException e) {
      status = e.code();
      sendError(exchange, e);
    } catch (BigQueryError e) {
      ApiException answer = ApiException.from(e);
      status = answer.code();
      sendError(exchange, answer);
    } catch (LostResponse e) {
      // Closing before any response header was sent closes the connection: the client sees an
      // unexpected end of stream, as when a response is lost on the network.
      status = -1;
      exchange.abort();
    } catch (Exception | StackOverflowError e) {
      LOG.log(Level.WARNING, "request failed: " + exchange.rawPath(), e);
      status = 500;
      sendError(
          exchange, new ApiException(500, "backendError", "Internal error: " + e.getMessage()));
    }
    listener.answered(apiMethod, status);
  }

  /**
   * Thrown by an interceptor or handler to drop the response: the request may have taken effect,
   * the client sees the connection close without an answer.
   */
  public static final class LostResponse extends RuntimeException {
    public LostResponse() {
      super("response dropped on purpose", null, false, false);
    }
  }

  private static String stripPrefix(String path) {
    if (path.startsWith(UPLOAD_PREFIX + "/")) {
      return "/upload" + path.substring(UPLOAD_PREFIX.length());
    }
    if (path.equals(API_PREFIX) || path.startsWith(API_PREFIX + "/")) {
      return path.substring(API_PREFIX.length());
    }
    return path;
  }

  private static String[] split(String path) {
    String trimmed = path;
    while (trimmed.startsWith("/")) {
      trimmed = trimmed.substring(1);
    }
    while (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    if (trimmed.isEmpty()) {
      return new String[0];
    }
    String[] parts = trimmed.split("/", -1);
    for (int i = 0; i < parts.length; i++) {
      parts[i] = decode(parts[i]);
    }
    return parts;
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }

  static Map<String, List<String>> parseQuery(String rawQuery) {
    try {
      return QueryStrings.parse(rawQuery);
    } catch (BigQueryError e) {
      throw ApiException.from(e);
    }
  }

  private byte[] readBody(Exchange exchange, long maxBodyBytes) throws IOException {
    String declared = exchange.header("Content-Length");
    if (declared != null) {
      try {
        long length = Long.parseLong(declared.trim());
        if (length > maxBodyBytes) {
          throw tooLarge(exchange, maxBodyBytes, length);
        }
      } catch (NumberFormatException e) {
        throw ApiException.invalid("Invalid Content-Length: " + declared);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[16384];
    String encoding = exchange.header("Content-Encoding");
    // google-api-client gzips request bodies by default; the limit applies to the inflated size.
    boolean gzip = encoding != null && encoding.trim().equalsIgnoreCase("gzip");
    try (InputStream in =
        gzip ? new java.util.zip.GZIPInputStream(exchange.body()) : exchange.body()) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        out.write(buffer, 0, n);
        if (out.size() > maxBodyBytes) {
          throw tooLarge(exchange, maxBodyBytes, -1);
        }
      }
    } catch (java.util.zip.ZipException e) {
      throw ApiException.invalid("Request body is not valid gzip: " + e.getMessage());
    }
    return out.toByteArray();
  }

  /**
   * The 413 for a body over the limit. The rest of the body (up to {@link #DISCARD_LIMIT}) is read
   * and dropped first: closing a connection with unread request bytes makes TCP reset it, and the
   * client then loses the 413 in flight. A body declared larger than that gets the 413 at once.
   *
   * @param declared the Content-Length, or -1 when the body is chunked
   */
  private static ApiException tooLarge(Exchange exchange, long maxBodyBytes, long declared) {
    if (declared <= DISCARD_LIMIT) {
      byte[] buffer = new byte[65536];
      long dropped = 0;
      try {
        InputStream raw = exchange.body();
        int n;
        while (dropped < DISCARD_LIMIT && (n = raw.read(buffer)) > 0) {
          dropped += n;
        }
      } catch (IOException ignored) {
        // the client stopped sending; answer anyway
      }
    }
    return new ApiException(
        413, "invalid", "Request payload size exceeds the limit: " + maxBodyBytes + " bytes.");
  }

  /**
   * Answers {@code e} in Google's error envelope ({@code {"error": {"code", "message", "errors":
   * [...], "status"}}}), which BigQuery and Cloud Storage share; aborts when a response had already
   * started.
   */
  public static void sendError(Exchange exchange, ApiException e) {
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("domain", "global");
    detail.put("reason", e.reason());
    detail.put("message", e.getMessage());
    if (e.location() != null) {
      detail.put("location", e.location());
    }
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("code", e.code());
    error.put("message", e.getMessage());
    error.put("errors", List.of(detail));
    error.put("status", ApiException.statusName(e.code()));
    try {
      send(exchange, e.code(), JsonCodec.write(Map.of("error", error)));
    } catch (IOException | RuntimeException ignored) {
      exchange.abort(); // the response had started: the client must not take it for whole
    }
  }

  private static void send(Exchange exchange, int status, String json) throws IOException {
    if (json == null) {
      exchange.respond(status, null);
    } else {
      exchange.setHeader("Content-Type", "application/json; charset=UTF-8");
      exchange.respond(status, json.getBytes(StandardCharsets.UTF_8));
    }
  }
}
