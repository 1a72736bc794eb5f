package dev.bqjobs.emulator.sql;

import static dev.bqjobs.emulator.sql.FunctionRewrites.add;

import dev.bqjobs.emulator.sql.FunctionRewrites.Call;
import dev.bqjobs.emulator.sql.FunctionRewrites.Rewrite;
import dev.bqjobs.emulator.sql.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Aggregate functions DuckDB spells otherwise or answers differently: ARRAY_CONCAT_AGG,
 * PERCENTILE_CONT/DISC, CORR of fewer than two pairs, APPROX_QUANTILES, APPROX_TOP_COUNT (exact).
 */
final class AggregateRewrites {
  private AggregateRewrites() {}

  static void register(Map<String, Rewrite> t) {
    add(t, c -> c.n() == 1 ? "flatten(list(" + c.arg(0) + "))" : null, "ARRAY_CONCAT_AGG");
    add(t, c -> c.n() == 2 ? "quantile_cont(" + c.joined(", ") + ")" : null, "PERCENTILE_CONT");
    add(t, c -> c.n() == 2 ? "quantile_disc(" + c.joined(", ") + ")" : null, "PERCENTILE_DISC");
    // Fewer than two pairs give NULL in BigQuery, NaN in DuckDB.
    add(
        t,
        c ->
            c.n() == 2
                ? "CASE WHEN regr_count("
                    + c.joined(", ")
                    + ") < 2 THEN NULL ELSE corr("
                    + c.joined(", ")
                    + ") END"
                : null,
        "CORR");
    add(t, AggregateRewrites::approxQuantiles, "APPROX_QUANTILES");
    add(t, AggregateRewrites::approxTopCount, "APPROX_TOP_COUNT");
  }

  /**
   * APPROX_QUANTILES(x, n): the n + 1 boundaries, computed exactly (quantile_disc); BigQuery's
   * documented examples are exact on their small inputs. n must be a literal.
   */
  private static String approxQuantiles(Call c) {
    Token n = c.n() == 2 ? FunctionRewrites.singleToken(c.r, c.ranges().get(1)) : null;
    if (n == null || n.kind() != Kind.NUMBER) {
      throw FunctionRewrites.unsupported("APPROX_QUANTILES without a literal number", c.name);
    }
    int count = Integer.parseInt(n.text());
    List<String> fractions = new ArrayList<>();
    for (int i = 0; i <= count; i++) {
      fractions.add(i + ".0 / " + count);
    }
    return "quantile_disc(" + c.arg(0) + ", [" + String.join(", ", fractions) + "])";
  }

  /** APPROX_TOP_COUNT(x, n): the n most frequent values, exactly, as STRUCT(value, count). */
  private static String approxTopCount(Call c) {
    if (c.n() != 2) {
      return null;
    }
    return "list_transform(list_slice(list_reverse_sort(list_transform(map_entries(histogram("
        + c.arg(0)
        + ")), lambda e: struct_pack(\"count\" := e.value, \"value\" := e.key))), 1, "
        + c.arg(1)
        + "), lambda e: struct_pack(\"value\" := e.\"value\", \"count\" := e.\"count\"))";
  }
}
