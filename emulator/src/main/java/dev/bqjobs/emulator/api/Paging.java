package dev.bqjobs.emulator.api;

import dev.bqjobs.emulator.http.HttpCall;
import dev.bqjobs.emulator.wire.PageTokens;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * Page tokens and windows of list methods. Tokens are opaque to clients (as in BigQuery); a page
 * token always wins over {@code startIndex}: the Java client sends {@code startIndex=0} beside the
 * token of every later page, and BigQuery ignores it then.
 */
final class Paging {
  private Paging() {}

  /** One page of a resource list and the token of the next page (null after the last). */
  static final class Page<T> {
    final List<T> items;
    final String nextToken;

    Page(List<T> items, String nextToken) {
      this.items = items;
      this.nextToken = nextToken;
    }
  }

  /**
   * The page of {@code all} after the page token's last key, at most {@code maxResults} items
   * (default {@code defaultPage}), in key order. Keys must be unique.
   */
  static <T> Page<T> byKey(HttpCall call, List<T> all, Function<T, String> key, int defaultPage) {
    long max = call.queryLong("maxResults", defaultPage);
    int pageSize = (int) Math.max(1, Math.min(max == 0 ? defaultPage : max, 100_000));
    String after = PageTokens.lastKey(call.query("pageToken"));
    List<T> sorted = new ArrayList<>(all);
    sorted.sort(Comparator.comparing(key));
    List<T> items = new ArrayList<>();
    boolean more = false;
    for (T item : sorted) {
      if (after != null && key.apply(item).compareTo(after) <= 0) {
        continue;
      }
      if (items.size() == pageSize) {
        more = true;
        break;
      }
      items.add(item);
    }
    String next = more ? PageTokens.after(key.apply(items.get(items.size() - 1))) : null;
    return new Page<>(items, next);
  }

  /** The first row to read: the page token's index if given, else {@code startIndex}, else 0. */
  static long startIndex(HttpCall call) {
    String token = call.query("pageToken");
    if (token != null && !token.isEmpty()) {
      return PageTokens.decode(token);
    }
    return call.queryLong("startIndex", 0);
  }

  static String token(long index) {
    return PageTokens.encode(index);
  }
}
