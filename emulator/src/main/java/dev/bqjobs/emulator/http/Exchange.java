package dev.bqjobs.emulator.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

/**
 * One HTTP request and its response, as the {@link Router} needs them, independent of the server
 * library that carries them ({@link HttpServerHost}). The request body is a stream, so a handler
 * may read a large body without holding it whole.
 */
public interface Exchange {
  /** The request method as sent, e.g. {@code GET}. */
  String method();

  /** The path, still percent-encoded. */
  String rawPath();

  /** The query string, still percent-encoded, or null. */
  String rawQuery();

  /** The first value of a request header (case-insensitive name), or null. */
  String header(String name);

  /** Every request header, names as sent. */
  Map<String, List<String>> headers();

  /** The request body; ends where the body ends (Content-Length or chunked). */
  InputStream body();

  /**
   * Gives up on the rest of the request body unread; the server reads and drops a bounded amount
   * before it answers, or answers with {@code Connection: close}.
   */
  void discardBody();

  /** Sets a response header; call before {@link #respond}. */
  void setHeader(String name, String value);

  /** Sends the status and the body ({@code null}: none), completing the exchange. */
  void respond(int status, byte[] body) throws IOException;

  /**
   * Sends the status and {@code length} bytes read from {@code content}, completing the exchange; a
   * server streams them (a large Cloud Storage download is never held whole in memory).
   */
  default void respond(int status, long length, InputStream content) throws IOException {
    respond(status, content.readNBytes((int) Math.min(length, Integer.MAX_VALUE - 8)));
  }

  /**
   * Closes the connection without an answer, as when a response is lost on the network; the client
   * sees an unexpected end of stream.
   */
  void abort();
}
