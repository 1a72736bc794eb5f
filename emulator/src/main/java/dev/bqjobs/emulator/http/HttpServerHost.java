package dev.bqjobs.emulator.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.io.ConnectionStatistics;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;

/**
 * The HTTP server under the {@link Router}: Jetty 12 (core, no servlets), tuned for many clients on
 * one machine. Chosen over the JDK's {@code com.sun.net.httpserver}, which leaves Nagle's algorithm
 * on (about 44 ms per request against a client's delayed ACK), reads its tuning only from system
 * properties fixed once per JVM, and closes idle keep-alive connections above a small limit under
 * clients about to reuse them.
 *
 * <ul>
 *   <li>TCP_NODELAY on every accepted socket: a response leaves at once.
 *   <li>Keep-alive connections stay open for {@link #IDLE_TIMEOUT_MS} of silence, with no limit on
 *       their number: a client's pool never meets a connection closed under a request it is about
 *       to send (clients drop idle connections much sooner, e.g. Java's after 5 s, Node's after 4
 *       s).
 *   <li>Threads and accept backlog for {@link #MAX_CONNECTIONS} clients at once, each possibly
 *       waiting in a long jobs.getQueryResults; idle connections cost no thread.
 * </ul>
 */
public final class HttpServerHost implements AutoCloseable {
  /** Concurrent connections the server is sized for. */
  public static final int MAX_CONNECTIONS = 1_000;

  /** A kept-alive connection is closed after this long without a byte. */
  public static final long IDLE_TIMEOUT_MS = 10 * 60_000L;

  /** Request threads: one per connection in a request, plus the acceptor and selector. */
  private static final int MAX_THREADS = MAX_CONNECTIONS + 24;

  /** Pending connections the kernel may queue before the acceptor takes them. */
  private static final int ACCEPT_BACKLOG = 2_048;

  private final Server server;
  private final ServerConnector connector;
  private final ConnectionStatistics connections;

  private HttpServerHost(
      Server server, ServerConnector connector, ConnectionStatistics connections) {
    this.server = server;
    this.connector = connector;
    this.connections = connections;
  }

  /**
   * Listens on {@code host:port} (0: a free port) and hands every request to {@code router}.
   *
   * @throws BindException when the port is in use
   */
  public static HttpServerHost start(String host, int port, Router router) throws IOException {
    QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, 8, 60_000);
    threads.setName("bqjobs-emulator-http");
    threads.setDaemon(true);
    // close() must not wait for requests blocked in a long wait (getQueryResults up to 15 s).
    threads.setStopTimeout(200);
    Server server = new Server(threads);
    server.setStopTimeout(0);
    server.addBean(new ScheduledExecutorScheduler("bqjobs-emulator-http-scheduler", true));

    HttpConfiguration config = new HttpConfiguration();
    config.setSendServerVersion(false);
    config.setSendXPoweredBy(false);
    // Large cookies or tokens must not turn into 431s; 64 KB is what Google's front ends allow.
    config.setRequestHeaderSize(64 * 1024);
    // Paths are decoded by the router segment by segment, so an encoded '/' inside a name (e.g.
    // a Cloud Storage object) is data, not an ambiguity to refuse.
    config.setUriCompliance(UriCompliance.LEGACY);

    ServerConnector connector =
        new ServerConnector(server, 1, 1, new HttpConnectionFactory(config));
    connector.setHost(host);
    connector.setPort(port);
    connector.setAcceptedTcpNoDelay(true);
    connector.setAcceptQueueSize(ACCEPT_BACKLOG);
    connector.setIdleTimeout(IDLE_TIMEOUT_MS);
    ConnectionStatistics connections = new ConnectionStatistics();
    connector.addBean(connections);
    server.addConnector(connector);
    server.setHandler(new RouterHandler(router));
    try {
      server.start();
    } catch (Exception e) {
      stopQuietly(server);
      BindException bind = bindException(e);
      if (bind != null) {
        throw bind;
      }
      throw e instanceof IOException ? (IOException) e : new IOException(e.getMessage(), e);
    }
    return new HttpServerHost(server, connector, connections);
  }

  /** The port bound. */
  public int port() {
    return connector.getLocalPort();
  }

  /** Connections accepted so far, open now and open at most at once (for /emulator/v1/stats). */
  public Map<String, Long> connections() {
    Map<String, Long> out = new LinkedHashMap<>();
    out.put("accepted", connections.getConnectionsTotal());
    out.put("open", connections.getConnections());
    out.put("maxOpen", connections.getConnectionsMax());
    return out;
  }

  /** Stops accepting, closes every connection and ends the server's threads. */
  @Override
  public void close() {
    stopQuietly(server);
  }

  private static void stopQuietly(Server server) {
    try {
      server.stop();
    } catch (Exception ignored) {
      // stopping is best effort; the threads are daemons
    }
  }

  private static BindException bindException(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException) {
        return (BindException) t;
      }
    }
    return null;
  }

  /** Runs the router on a request thread; handlers may block (read bodies, wait for jobs). */
  private static final class RouterHandler extends Handler.Abstract {
    private final Router router;

    RouterHandler(Router router) {
      super(InvocationType.BLOCKING);
      this.router = router;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      router.handle(new JettyExchange(request, response, callback));
      return true;
    }
  }

  /** One Jetty request and response as an {@link Exchange}. */
  private static final class JettyExchange implements Exchange {
    /** How much of a request body an answer reads past the handler before closing instead. */
    private static final long UNREAD_BODY_LIMIT = 1 << 20;

    private final Request request;
    private final Response response;
    private final Callback callback;
    private InputStream body;
    private boolean bodyFinished;

    JettyExchange(Request request, Response response, Callback callback) {
      this.request = request;
      this.response = response;
      this.callback = callback;
    }

    @Override
    public String method() {
      return request.getMethod();
    }

    @Override
    public String rawPath() {
      return request.getHttpURI().getPath();
    }

    @Override
    public String rawQuery() {
      return request.getHttpURI().getQuery();
    }

    @Override
    public String header(String name) {
      return request.getHeaders().get(name);
    }

    @Override
    public Map<String, List<String>> headers() {
      Map<String, List<String>> out = new LinkedHashMap<>();
      for (HttpField field : request.getHeaders()) {
        out.computeIfAbsent(field.getName(), k -> new ArrayList<>()).add(field.getValue());
      }
      return out;
    }

    @Override
    public InputStream body() {
      if (body == null) {
        body = Content.Source.asInputStream(request);
      }
      return body;
    }

    @Override
    public void discardBody() {
      // Nothing to do now: every answer first reads what is left (finishReadingBody).
    }

    /**
     * Reads and drops what is left of the request body, up to {@link #UNREAD_BODY_LIMIT} bytes,
     * before the answer is committed. Jetty drops unread content after a response only if it has
     * already arrived; otherwise it closes the connection after an answer that did not say so, and
     * a client that reuses the connection meets "no bytes" on its next request (seen with an upload
     * refused before its body was read). Beyond the limit the answer says {@code Connection:
     * close}.
     */
    private void finishReadingBody() {
      if (bodyFinished) {
        return;
      }
      bodyFinished = true;
      try {
        InputStream in = body();
        byte[] buffer = new byte[8192];
        long left = UNREAD_BODY_LIMIT;
        while (left > 0) {
          int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
          if (n < 0) {
            return;
          }
          left -= n;
        }
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
      } catch (IOException | RuntimeException e) {
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
      }
    }

    @Override
    public void setHeader(String name, String value) {
      response.getHeaders().put(name, value);
    }

    @Override
    public void respond(int status, byte[] bytes) {
      finishReadingBody();
      response.setStatus(status);
      int length = bytes == null ? 0 : bytes.length;
      if (status != 204 && status != 304) {
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, length);
      }
      if (length == 0) {
        callback.succeeded();
      } else {
        response.write(true, ByteBuffer.wrap(bytes), callback);
      }
    }

    @Override
    public void respond(int status, long length, InputStream content) throws IOException {
      finishReadingBody();
      response.setStatus(status);
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, length);
      try (java.io.OutputStream out = Content.Sink.asOutputStream(response)) {
        byte[] buffer = new byte[1 << 16];
        long left = length;
        while (left > 0) {
          int n = content.read(buffer, 0, (int) Math.min(buffer.length, left));
          if (n < 0) {
            throw new IOException("content ended " + left + " bytes early");
          }
          out.write(buffer, 0, n);
          left -= n;
        }
      } catch (IOException | RuntimeException e) {
        callback.failed(e);
        throw e;
      }
      callback.succeeded();
    }

    @Override
    public void abort() {
      request.getConnectionMetaData().getConnection().getEndPoint().close();
      callback.failed(new IOException("response dropped on purpose"));
    }
  }
}
