package dev.bqjobs.emulator.sql;

import static dev.bqjobs.emulator.sql.FunctionRewrites.add;
import static dev.bqjobs.emulator.sql.ValueRewrites.errorOrNull;

import dev.bqjobs.emulator.sql.FunctionRewrites.Call;
import dev.bqjobs.emulator.sql.FunctionRewrites.Rewrite;
import dev.bqjobs.emulator.sql.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * JSON functions: JSON_VALUE of objects and arrays (NULL), INT64 of a fraction (fails),
 * JSON_OBJECT's sorted keys and the LAX_ conversions.
 */
final class JsonRewrites {
  private JsonRewrites() {}

  static void register(Map<String, Rewrite> t) {
    add(t, JsonRewrites::jsonObject, "JSON_OBJECT");
    add(t, JsonRewrites::valueArray, "JSON_VALUE_ARRAY", "JSON_EXTRACT_STRING_ARRAY");
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

    registerLax(t);
  }

  /**
   * JSON_OBJECT(key, value, ...) with literal keys: BigQuery sorts the keys and keeps the first of
   * a repeated one; DuckDB keeps the written order, so the pairs are sorted here.
   */
  /**
   * JSON_VALUE_ARRAY(json[, path]), JSON_EXTRACT_STRING_ARRAY: the text of each scalar of the array
   * at path; NULL when the path holds no array or the array holds an object or an array.
   */
  private static String valueArray(Call c) {
    if (c.n() != 1 && c.n() != 2) {
      return null;
    }
    String at = c.arg(0) + ", " + (c.n() == 2 ? c.arg(1) : "'$'");
    String elements = "CAST(json_extract(" + at + ") AS JSON[])";
    return "CASE WHEN json_type("
        + at
        + ") = 'ARRAY' AND len(list_filter("
        + elements
        + ", lambda e: json_type(e) IN ('OBJECT', 'ARRAY'))) = 0 THEN list_transform("
        + elements
        + ", lambda e: json_extract_string(e, '$')) END";
  }

  private static String jsonObject(Call c) {
    if (c.n() % 2 != 0) {
      return null;
    }
    TreeMap<String, String> pairs = new TreeMap<>();
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

  /**
   * A CASE on the JSON value's type, each kind converted its own way; any other type (null, array,
   * object) gives NULL, as BigQuery's lax conversions do.
   */
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
}
