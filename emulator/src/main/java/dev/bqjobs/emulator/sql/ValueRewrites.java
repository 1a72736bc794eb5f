package dev.bqjobs.emulator.sql;

import dev.bqjobs.emulator.sql.FunctionRewrites.Call;
import dev.bqjobs.emulator.sql.FunctionRewrites.Rewrite;
import dev.bqjobs.emulator.sql.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Rewrites found by the function sweep: functions DuckDB has under BigQuery's name (or a near one)
 * but answers differently for NULLs, empty arrays, out-of-domain arguments or time zones. Each
 * makes the documented BigQuery value (or error) and is proven by a {@code function-sweep.txt}
 * case; {@link FunctionRewrites} registers them with its own.
 */
final class ValueRewrites {
  private ValueRewrites() {}

  /**
   * Registers {@code rewrite}; one that returns null leaves the call as {@link
   * FunctionRewrites#rewrite} says.
   */
  private static void add(Map<String, Rewrite> t, Rewrite rewrite, String... names) {
    FunctionRewrites.add(t, rewrite, names);
  }

  static void register(Map<String, Rewrite> t) {
    registerMath(t);
    registerStrings(t);
    registerDates(t);
    registerArraysAndJson(t);
    registerAggregates(t);
    registerLax(t);
  }

  private static void registerMath(Map<String, Rewrite> t) {
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
  }

  private static void registerStrings(Map<String, Rewrite> t) {
    add(t, c -> c.n() == 2 ? "levenshtein(" + c.joined(", ") + ")" : null, "EDIT_DISTANCE");
    // Without a pattern BigQuery pads with spaces; a negative length or an empty pattern fails.
    add(t, c -> pad(c, "lpad"), "LPAD");
    add(t, c -> pad(c, "rpad"), "RPAD");
    // A negative length fails in BigQuery; DuckDB's left/right/repeat count from the other end
    // or return ''.
    add(t, c -> c.n() == 2 ? nonNegative(c, 1, "left(" + c.joined(", ") + ")") : null, "LEFT");
    add(t, c -> c.n() == 2 ? nonNegative(c, 1, "right(" + c.joined(", ") + ")") : null, "RIGHT");
    add(t, c -> c.n() == 2 ? nonNegative(c, 1, "repeat(" + c.joined(", ") + ")") : null, "REPEAT");
    // SPLIT of '' is [''] in BigQuery, [] in DuckDB; the default delimiter is ','.
    add(
        t,
        c ->
            c.n() == 1 || c.n() == 2
                ? "CASE WHEN ("
                    + c.arg(0)
                    + ") = '' THEN [''] ELSE string_split("
                    + c.arg(0)
                    + ", "
                    + (c.n() == 1 ? "','" : c.arg(1))
                    + ") END"
                : null,
        "SPLIT");

    add(
        t,
        c ->
            c.n() == 1
                ? "CASE WHEN (" + c.arg(0) + ") = '' THEN 0 ELSE unicode(" + c.arg(0) + ") END"
                : null,
        "UNICODE");
    add(t, ValueRewrites::substr, "SUBSTR", "SUBSTRING");
    // STRING arguments only: a BYTES argument fails in DuckDB's string_split.
    add(
        t,
        c ->
            c.n() == 1
                ? "list_transform(list_filter(string_split("
                    + c.arg(0)
                    + ", ''), lambda ch: ch <> ''), lambda ch: unicode(ch))"
                : null,
        "TO_CODE_POINTS");
    add(
        t,
        c ->
            c.n() == 1
                ? "unhex(array_to_string(list_transform("
                    + c.arg(0)
                    + ", lambda b: CASE WHEN b BETWEEN 0 AND 255 THEN lpad(hex(b), 2, '0') ELSE "
                    + errorOrNull(
                        c, "'Invalid input to CODE_POINTS_TO_BYTES: ' || CAST(b AS VARCHAR)")
                    + " END), ''))"
                : null,
        "CODE_POINTS_TO_BYTES");
    add(
        t,
        c -> {
          if (c.n() != 2) {
            throw FunctionRewrites.unsupported(
                c.upperName() + " with position or occurrence arguments", c.name);
          }
          return "instr(" + c.joined(", ") + ")";
        },
        "INSTR");
  }

  private static String pad(Call c, String duckDb) {
    if (c.n() != 2 && c.n() != 3) {
      return null;
    }
    String pattern = c.n() == 3 ? c.arg(2) : "' '";
    String call = duckDb + "(" + c.arg(0) + ", " + c.arg(1) + ", " + pattern + ")";
    return "CASE WHEN ("
        + c.arg(1)
        + ") < 0 THEN "
        + errorOrNull(
            c,
            "'"
                + c.upperName()
                + " requires a non-negative length: ' || CAST("
                + c.arg(1)
                + " AS VARCHAR)")
        + " WHEN ("
        + pattern
        + ") = '' THEN "
        + errorOrNull(c, "'" + c.upperName() + " requires a non-empty pattern'")
        + " ELSE "
        + call
        + " END";
  }

  /** {@code call}, failing when argument {@code i} is negative. */
  private static String nonNegative(Call c, int i, String call) {
    return "CASE WHEN ("
        + c.arg(i)
        + ") < 0 THEN "
        + errorOrNull(
            c,
            "'Argument "
                + (i + 1)
                + " of "
                + c.upperName()
                + " cannot be negative: ' || CAST("
                + c.arg(i)
                + " AS VARCHAR)")
        + " ELSE "
        + call
        + " END";
  }

  /**
   * SUBSTR(s, p[, n]): BigQuery starts at 1 for a position of 0 or left of the string, and fails on
   * a negative length; DuckDB counts position 0 and returns '' instead.
   */
  private static String substr(Call c) {
    if (c.n() != 2 && c.n() != 3) {
      return null;
    }
    String s = c.arg(0);
    String p = c.arg(1);
    String start =
        "CASE WHEN (" + p + ") = 0 OR -(" + p + ") > length(" + s + ") THEN 1 ELSE " + p + " END";
    if (c.n() == 2) {
      return "substr(" + s + ", " + start + ")";
    }
    String n = c.arg(2);
    return "CASE WHEN ("
        + n
        + ") < 0 THEN "
        + errorOrNull(
            c,
            "'Third argument in "
                + c.upperName()
                + "() cannot be negative: ' || CAST("
                + n
                + " AS VARCHAR)")
        + " ELSE substr("
        + s
        + ", "
        + start
        + ", "
        + n
        + ") END";
  }

  private static void registerDates(Map<String, Rewrite> t) {
    add(
        t,
        c -> c.n() == 0 ? "CAST(timezone('UTC', current_timestamp) AS TIME)" : null,
        "CURRENT_TIME");
    add(
        t,
        c ->
            c.n() == 1
                ? "CAST(" + c.arg(0) + " AS DATE)"
                : c.n() == 2
                    ? "CAST(timezone(" + c.arg(1) + ", " + c.arg(0) + ") AS DATE)"
                    : c.n() == 3 ? "make_date(" + c.joined(", ") + ")" : null,
        "DATE");
    add(
        t,
        c ->
            c.n() == 1
                ? "CAST(" + c.arg(0) + " AS TIMESTAMP)"
                : c.n() == 2 && isString(c, 1)
                    ? "timezone(" + c.arg(1) + ", " + c.arg(0) + ")"
                    : c.n() == 2
                        ? "(CAST(" + c.arg(0) + " AS DATE) + CAST(" + c.arg(1) + " AS TIME))"
                        : c.n() == 6 ? "make_timestamp(" + c.joined(", ") + ")" : null,
        "DATETIME");
    add(
        t,
        c ->
            c.n() == 1
                ? "CAST(" + c.arg(0) + " AS TIME)"
                : c.n() == 2
                    ? "CAST(timezone(" + c.arg(1) + ", " + c.arg(0) + ") AS TIME)"
                    : c.n() == 3 ? "make_time(" + c.joined(", ") + ")" : null,
        "TIME");
    add(
        t,
        c ->
            c.n() == 1
                ? "CAST(" + c.arg(0) + " AS TIMESTAMPTZ)"
                : c.n() == 2
                    ? "timezone(" + c.arg(1) + ", CAST(" + c.arg(0) + " AS TIMESTAMP))"
                    : null,
        "TIMESTAMP");
    add(
        t,
        c ->
            c.n() == 2
                ? "CAST(" + FunctionRewrites.parse(c) + " AS TIMESTAMPTZ)"
                : c.n() == 3
                    ? "timezone("
                        + c.arg(2)
                        + ", CAST("
                        + FunctionRewrites.parse(c)
                        + " AS TIMESTAMP))"
                    : null,
        "PARSE_TIMESTAMP");
    add(t, ValueRewrites::lastDay, "LAST_DAY");
    add(
        t,
        c ->
            c.n() == 3
                ? "generate_series(CAST("
                    + c.arg(0)
                    + " AS TIMESTAMPTZ), CAST("
                    + c.arg(1)
                    + " AS TIMESTAMPTZ), "
                    + c.arg(2)
                    + ")"
                : null,
        "GENERATE_TIMESTAMP_ARRAY");
  }

  /** LAST_DAY(d[, part]): the last day of d's month, or of its YEAR, QUARTER, WEEK, ISOWEEK. */
  private static String lastDay(Call c) {
    if (c.n() != 1 && c.n() != 2) {
      return null;
    }
    String part = c.n() == 1 ? "month" : FunctionRewrites.datePart(c.r, c.ranges().get(1), c.name);
    String d = c.arg(0);
    return switch (part) {
      case "year", "quarter", "month" ->
          "CAST(date_trunc('"
              + part
              + "', "
              + d
              + ") + INTERVAL 1 "
              + part.toUpperCase(Locale.ROOT)
              + " - INTERVAL 1 DAY AS DATE)";
      // BigQuery's WEEK runs Sunday to Saturday, ISOWEEK Monday to Sunday (DuckDB's week).
      case "week" ->
          "CAST(date_trunc('week', (" + d + ") + INTERVAL 1 DAY) + INTERVAL 5 DAY AS DATE)";
      case "isoweek" -> "CAST(date_trunc('week', " + d + ") + INTERVAL 6 DAY AS DATE)";
      default ->
          throw FunctionRewrites.unsupported(
              "LAST_DAY with " + part.toUpperCase(Locale.ROOT), c.name);
    };
  }

  private static void registerArraysAndJson(Map<String, Rewrite> t) {
    add(
        t,
        c ->
            c.n() == 1
                ? "CASE WHEN ("
                    + c.arg(0)
                    + ") IS NULL THEN NULL ELSE list_reverse("
                    + c.arg(0)
                    + ") END"
                : null,
        "ARRAY_REVERSE");
    add(t, ValueRewrites::arraySlice, "ARRAY_SLICE");
    add(t, c -> c.n() == 2 ? "list_distance(" + c.joined(", ") + ")" : null, "EUCLIDEAN_DISTANCE");
    add(t, ValueRewrites::jsonObject, "JSON_OBJECT");
    add(t, c -> arrayEnd(c, "first", "1"), "ARRAY_FIRST");
    add(t, c -> arrayEnd(c, "last", "-1"), "ARRAY_LAST");
    // JSON_VALUE returns NULL for an object or array; json_extract_string returns its text.
    add(
        t,
        c ->
            c.n() == 2
                ? "CASE WHEN json_type("
                    + c.joined(", ")
                    + ") IN ('OBJECT', 'ARRAY') THEN NULL ELSE json_extract_string("
                    + c.joined(", ")
                    + ") END"
                : c.n() == 1
                    ? "CASE WHEN json_type("
                        + c.arg(0)
                        + ") IN ('OBJECT', 'ARRAY') THEN NULL ELSE json_extract_string("
                        + c.arg(0)
                        + ", '$') END"
                    : null,
        "JSON_VALUE",
        "JSON_EXTRACT_SCALAR");
    // A JSON number with a fraction fails, as BigQuery's INT64(json) does; DuckDB would round.
    add(
        t,
        c ->
            c.n() == 1
                ? "CASE WHEN CAST("
                    + c.arg(0)
                    + " AS DOUBLE) <> trunc(CAST("
                    + c.arg(0)
                    + " AS DOUBLE)) THEN "
                    + errorOrNull(
                        c,
                        "'The provided JSON number: ' || CAST("
                            + c.arg(0)
                            + " AS VARCHAR) || ' cannot be converted to an integer'")
                    + " ELSE CAST("
                    + c.arg(0)
                    + " AS BIGINT) END"
                : null,
        "INT64");
  }

  /**
   * ARRAY_SLICE(a, start, end): BigQuery's offsets are 0-based and inclusive, negative ones count
   * from the end (-1 is the last); DuckDB's list_slice is 1-based with the same negative rule.
   */
  private static String arraySlice(Call c) {
    if (c.n() != 3) {
      return null;
    }
    String start = c.arg(1);
    String end = c.arg(2);
    return "CASE WHEN ("
        + start
        + ") IS NULL OR ("
        + end
        + ") IS NULL THEN NULL ELSE list_slice("
        + c.arg(0)
        + ", "
        + oneBased(start)
        + ", "
        + oneBased(end)
        + ") END";
  }

  private static String oneBased(String offset) {
    return "CASE WHEN (" + offset + ") >= 0 THEN (" + offset + ") + 1 ELSE " + offset + " END";
  }

  /**
   * JSON_OBJECT(key, value, ...) with literal keys: BigQuery sorts the keys and keeps the first of
   * a repeated one; DuckDB keeps the written order, so the pairs are sorted here.
   */
  private static String jsonObject(Call c) {
    if (c.n() % 2 != 0) {
      return null;
    }
    java.util.TreeMap<String, String> pairs = new java.util.TreeMap<>();
    for (int i = 0; i < c.n(); i += 2) {
      Token key = FunctionRewrites.singleToken(c.r, c.ranges().get(i));
      if (key == null || key.kind() != Kind.STRING) {
        throw FunctionRewrites.unsupported("JSON_OBJECT with keys that are not literals", c.name);
      }
      pairs.putIfAbsent(key.value(), c.arg(i + 1));
    }
    List<String> args = new ArrayList<>();
    pairs.forEach((key, value) -> args.add(Rewriter.stringLiteral(key) + ", " + value));
    return "json_object(" + String.join(", ", args) + ")";
  }

  /**
   * LAX_BOOL, LAX_INT64, LAX_FLOAT64, LAX_STRING: BigQuery's lax JSON conversions, by the JSON
   * value's type: a boolean, a number or a string that spells one converts, anything else is NULL.
   */
  private static void registerLax(Map<String, Rewrite> t) {
    add(
        t,
        c ->
            c.n() == 1
                ? lax(
                    c,
                    "CAST(" + c.arg(0) + " AS BOOLEAN)",
                    "CAST(" + c.arg(0) + " AS DOUBLE) <> 0",
                    "CASE lower(" + text(c) + ") WHEN 'true' THEN true WHEN 'false' THEN false END")
                : null,
        "LAX_BOOL");
    add(
        t,
        c ->
            c.n() == 1
                ? lax(
                    c,
                    "CAST(CAST(" + c.arg(0) + " AS BOOLEAN) AS BIGINT)",
                    "CASE WHEN json_type("
                        + c.arg(0)
                        + ") = 'DOUBLE' THEN TRY_CAST(round(CAST("
                        + c.arg(0)
                        + " AS DOUBLE)) AS BIGINT) ELSE TRY_CAST("
                        + c.arg(0)
                        + " AS BIGINT) END",
                    "coalesce(TRY_CAST("
                        + text(c)
                        + " AS BIGINT), TRY_CAST(round(TRY_CAST("
                        + text(c)
                        + " AS DOUBLE)) AS BIGINT))")
                : null,
        "LAX_INT64");
    add(
        t,
        c ->
            c.n() == 1
                ? lax(
                    c,
                    "NULL",
                    "CAST(" + c.arg(0) + " AS DOUBLE)",
                    "TRY_CAST(" + text(c) + " AS DOUBLE)")
                : null,
        "LAX_FLOAT64");
    add(
        t,
        c ->
            c.n() == 1
                ? lax(
                    c,
                    "CAST(" + c.arg(0) + " AS VARCHAR)",
                    "CAST(" + c.arg(0) + " AS VARCHAR)",
                    text(c))
                : null,
        "LAX_STRING");
  }

  /** The string a JSON string value holds. */
  private static String text(Call c) {
    return "json_extract_string(" + c.arg(0) + ", '$')";
  }

  private static String lax(Call c, String fromBoolean, String fromNumber, String fromString) {
    return "CASE json_type("
        + c.arg(0)
        + ") WHEN 'BOOLEAN' THEN "
        + fromBoolean
        + " WHEN 'VARCHAR' THEN "
        + fromString
        + " WHEN 'BIGINT' THEN "
        + fromNumber
        + " WHEN 'UBIGINT' THEN "
        + fromNumber
        + " WHEN 'DOUBLE' THEN "
        + fromNumber
        + " WHEN 'HUGEINT' THEN "
        + fromNumber
        + " END";
  }

  private static String arrayEnd(Call c, String which, String index) {
    if (c.n() != 1) {
      return null;
    }
    String a = c.arg(0);
    return "CASE WHEN len("
        + a
        + ") = 0 THEN "
        + errorOrNull(
            c,
            "'ARRAY_"
                + which.toUpperCase(Locale.ROOT)
                + " cannot get the "
                + which
                + " element of an empty array'")
        + " ELSE ("
        + a
        + ")["
        + index
        + "] END";
  }

  private static void registerAggregates(Map<String, Rewrite> t) {
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
    add(t, ValueRewrites::approxQuantiles, "APPROX_QUANTILES");
    add(t, ValueRewrites::approxTopCount, "APPROX_TOP_COUNT");
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

  /** The failure with {@code message} (a SQL expression), or NULL in a SAFE. call. */
  private static String errorOrNull(Call c, String message) {
    return c.safe() ? "NULL" : RaisedErrors.raise(message);
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

  private static boolean isString(Call c, int i) {
    Token t = FunctionRewrites.singleToken(c.r, c.ranges().get(i));
    return t != null && t.kind() == Kind.STRING;
  }
}
