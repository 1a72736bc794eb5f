package dev.bqjobs.emulator.sql;

import dev.bqjobs.emulator.sql.FunctionRewrites.Call;
import dev.bqjobs.emulator.sql.FunctionRewrites.Rewrite;
import java.util.Map;

/**
 * Rewrites found by the function sweep: functions DuckDB has under BigQuery's name (or a near one)
 * but answers differently for NULLs, empty arrays, out-of-domain arguments or time zones, and ones
 * it spells otherwise. Each makes the documented BigQuery value (or error) and is proven by a
 * {@code function-sweep.txt} case; {@link FunctionRewrites} registers them with its own. A rewrite
 * that returns null leaves the call as {@link FunctionRewrites#rewrite} says.
 */
final class ValueRewrites {
  private ValueRewrites() {}

  static void register(Map<String, Rewrite> t) {
    MathRewrites.register(t);
    StringRewrites.register(t);
    DateRewrites.register(t);
    ArrayRewrites.register(t);
    JsonRewrites.register(t);
    AggregateRewrites.register(t);
  }

  /** The failure with {@code message} (a SQL expression), or NULL in a SAFE. call. */
  static String errorOrNull(Call c, String message) {
    return c.safe() ? "NULL" : RaisedErrors.raise(message);
  }
}
