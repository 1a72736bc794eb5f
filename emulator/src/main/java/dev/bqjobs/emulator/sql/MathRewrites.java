package dev.bqjobs.emulator.sql;

import static dev.bqjobs.emulator.sql.FunctionRewrites.add;
import static dev.bqjobs.emulator.sql.ValueRewrites.errorOrNull;

import dev.bqjobs.emulator.sql.FunctionRewrites.Call;
import dev.bqjobs.emulator.sql.FunctionRewrites.Rewrite;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Mathematical functions: out-of-domain arguments fail (NULL under SAFE.) where DuckDB returns NaN
 * or an infinity, GREATEST/LEAST with a NULL argument are NULL, and the functions DuckDB lacks or
 * spells otherwise (COTH, CSC, RAND, BIT_COUNT of INT64, ZEROIFNULL, ERROR...).
 */
final class MathRewrites {
  private MathRewrites() {}

  static void register(Map<String, Rewrite> t) {
    // BigQuery fails where DuckDB returns NaN or an infinity; SAFE. turns the failure into NULL.
    add(t, c -> domain(c, "sqrt", "< 0"), "SQRT");
    add(t, c -> domain(c, "ln", "<= 0"), "LN");
    add(t, c -> domain(c, "log10", "<= 0"), "LOG10");
    add(t, c -> domain(c, "acos", "NOT BETWEEN -1 AND 1"), "ACOS");
    add(t, c -> domain(c, "asin", "NOT BETWEEN -1 AND 1"), "ASIN");
    add(t, c -> domain(c, "acosh", "< 1"), "ACOSH");
    add(
        t,
        c -> domain(c, "atanh", "NOT BETWEEN -0.9999999999999999 AND 0.9999999999999999"),
        "ATANH");
    add(t, c -> domain(c, "cot", "= 0"), "COT");
    add(t, c -> reciprocal(c, "tanh", "= 0"), "COTH");
    add(t, c -> reciprocal(c, "sin", "= 0"), "CSC");
    add(t, c -> reciprocal(c, "sinh", "= 0"), "CSCH");
    add(t, c -> reciprocal(c, "cos", null), "SEC");
    add(t, c -> reciprocal(c, "cosh", null), "SECH");
    // BigQuery's LOG(x) is the natural logarithm and LOG(x, base) puts the base last.
    add(
        t,
        c ->
            c.n() == 1
                ? domain(c, "ln", "<= 0")
                : c.n() == 2
                    ? "CASE WHEN ("
                        + c.arg(0)
                        + ") <= 0 OR ("
                        + c.arg(1)
                        + ") <= 0 OR ("
                        + c.arg(1)
                        + ") = 1 THEN "
                        + floatError(c)
                        + " ELSE log("
                        + c.arg(1)
                        + ", "
                        + c.arg(0)
                        + ") END"
                    : null,
        "LOG");
    add(
        t,
        c ->
            c.n() == 2
                ? "CASE WHEN ("
                    + c.arg(0)
                    + ") = 0 AND ("
                    + c.arg(1)
                    + ") < 0 OR ("
                    + c.arg(0)
                    + ") < 0 AND ("
                    + c.arg(1)
                    + ") <> floor("
                    + c.arg(1)
                    + ") THEN "
                    + floatError(c)
                    + " ELSE pow("
                    + c.joined(", ")
                    + ") END"
                : null,
        "POW",
        "POWER");
    // DuckDB's greatest/least skip NULL arguments; BigQuery's return NULL.
    add(t, c -> nullIfAnyNull(c, "greatest"), "GREATEST");
    add(t, c -> nullIfAnyNull(c, "least"), "LEAST");
    add(t, c -> c.n() == 0 ? "random()" : null, "RAND");
    // An INT64 argument: DuckDB would count the bits of a 32-bit INTEGER literal.
    add(t, c -> c.n() == 1 ? "bit_count(CAST(" + c.arg(0) + " AS BIGINT))" : null, "BIT_COUNT");
    // ERROR(message) fails the query with the message as its whole text.
    add(
        t,
        c ->
            c.n() == 1
                ? errorOrNull(c, "coalesce(CAST(" + c.arg(0) + " AS VARCHAR), 'NULL')")
                : null,
        "ERROR");
    add(t, c -> c.n() == 1 ? "coalesce(" + c.arg(0) + ", 0)" : null, "ZEROIFNULL");
    add(t, c -> c.n() == 1 ? "nullif(" + c.arg(0) + ", 0)" : null, "NULLIFZERO");
    add(t, c -> c.n() == 2 ? "list_distance(" + c.joined(", ") + ")" : null, "EUCLIDEAN_DISTANCE");
  }

  /** A one-argument function that fails outside its domain ({@code x <condition>}). */
  private static String domain(Call c, String duckDb, String outside) {
    if (c.n() != 1) {
      return null;
    }
    return "CASE WHEN ("
        + c.arg(0)
        + ") "
        + outside
        + " THEN "
        + floatError(c)
        + " ELSE "
        + duckDb
        + "("
        + c.arg(0)
        + ") END";
  }

  /** 1 / f(x), failing where f(x) is zero. */
  private static String reciprocal(Call c, String duckDb, String zeroAt) {
    if (c.n() != 1) {
      return null;
    }
    String value = "(1 / " + duckDb + "(" + c.arg(0) + "))";
    return zeroAt == null
        ? value
        : "CASE WHEN ("
            + c.arg(0)
            + ") "
            + zeroAt
            + " THEN "
            + floatError(c)
            + " ELSE "
            + value
            + " END";
  }

  /** The error of an argument outside a math function's domain, naming the call's values. */
  private static String floatError(Call c) {
    List<String> shown = new ArrayList<>();
    for (String arg : c.args()) {
      shown.add("CAST(" + arg + " AS VARCHAR)");
    }
    return errorOrNull(
        c,
        "'Floating point error in function: "
            + c.upperName()
            + "(' || "
            + String.join(" || ', ' || ", shown)
            + " || ')'");
  }

  private static String nullIfAnyNull(Call c, String duckDb) {
    List<String> tests = new ArrayList<>();
    for (String arg : c.args()) {
      tests.add("(" + arg + ") IS NULL");
    }
    return "CASE WHEN "
        + String.join(" OR ", tests)
        + " THEN NULL ELSE "
        + duckDb
        + "("
        + c.joined(", ")
        + ") END";
  }
}
