package dev.bqjobs.emulator.api;

import dev.bqjobs.emulator.http.HttpCall;
import dev.bqjobs.emulator.http.PageTokens;

/**
 * Page tokens and windows of list methods. Tokens are opaque to clients (as in BigQuery) and carry
 * the index of the next item.
 */
final class Paging {
  private Paging() {}

  static final class Window {
    final int from;
    final int to;
    final String nextToken;

    Window(int from, int to, String nextToken) {
      this.from = from;
      this.to = to;
      this.nextToken = nextToken;
    }
  }

  static Window window(HttpCall call, int size, int defaultPage) {
    long max = call.queryLong("maxResults", defaultPage);
    int pageSize = (int) Math.max(1, Math.min(max == 0 ? defaultPage : max, 100_000));
    int from = (int) Math.min(decode(call.query("pageToken")), size);
    int to = Math.min(size, from + pageSize);
    return new Window(from, to, to < size ? token(to) : null);
  }

  /** The first row to read: {@code startIndex} if given, else the page token's index. */
  static long startIndex(HttpCall call) {
    String startIndex = call.query("startIndex");
    if (startIndex != null && !startIndex.isEmpty()) {
      return call.queryLong("startIndex", 0);
    }
    return decode(call.query("pageToken"));
  }

  static String token(long index) {
    return PageTokens.encode(index);
  }

  static long decode(String token) {
    return PageTokens.decode(token);
  }
}
