package dev.bqjobs.emulator.engine;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * BigQuery's supported signatures of the common functions (the string, bytes, math and date
 * families of {@code src/docs/sql-support.md}), as BigQuery lists them after {@code No matching
 * signature for function F for argument types: ...}. Written from BigQuery's function reference;
 * the list is what a user needs to fix a call, so it names BigQuery's types, never DuckDB's.
 */
final class BigQuerySignatures {
  private static final Map<String, List<String>> SIGNATURES = new HashMap<>();

  /** DuckDB's names of functions the translator renames, back to BigQuery's. */
  private static final Map<String, String> BIGQUERY_NAMES =
      Map.of(
          "regexp_matches", "REGEXP_CONTAINS",
          "printf", "FORMAT",
          "string_split", "SPLIT",
          "bool_and", "LOGICAL_AND",
          "bool_or", "LOGICAL_OR",
          "generate_series", "GENERATE_ARRAY",
          "list_reverse", "ARRAY_REVERSE",
          "json_extract_string", "JSON_VALUE",
          "json_extract", "JSON_QUERY");

  static {
    // String and bytes.
    both("ASCII", "%s(STRING)", "%s(BYTES)");
    both("BYTE_LENGTH", "%s(STRING)", "%s(BYTES)");
    one("CHAR_LENGTH", "%s(STRING)");
    one("CHARACTER_LENGTH", "%s(STRING)");
    one("CHR", "%s(INT64)");
    one("CODE_POINTS_TO_STRING", "%s(ARRAY<INT64>)");
    both("CONCAT", "%s(STRING, [STRING, ...])", "%s(BYTES, [BYTES, ...])");
    both("ENDS_WITH", "%s(STRING, STRING)", "%s(BYTES, BYTES)");
    both("STARTS_WITH", "%s(STRING, STRING)", "%s(BYTES, BYTES)");
    one("FORMAT", "%s(STRING, [ANY, ...])");
    one("INITCAP", "%s(STRING, [STRING])");
    both("INSTR", "%s(STRING, STRING, [INT64], [INT64])", "%s(BYTES, BYTES, [INT64], [INT64])");
    both("LEFT", "%s(STRING, INT64)", "%s(BYTES, INT64)");
    both("RIGHT", "%s(STRING, INT64)", "%s(BYTES, INT64)");
    both("LENGTH", "%s(STRING)", "%s(BYTES)");
    both("LOWER", "%s(STRING)", "%s(BYTES)");
    both("UPPER", "%s(STRING)", "%s(BYTES)");
    both("LPAD", "%s(STRING, INT64, [STRING])", "%s(BYTES, INT64, [BYTES])");
    both("RPAD", "%s(STRING, INT64, [STRING])", "%s(BYTES, INT64, [BYTES])");
    both("LTRIM", "%s(STRING, [STRING])", "%s(BYTES, BYTES)");
    both("RTRIM", "%s(STRING, [STRING])", "%s(BYTES, BYTES)");
    both("TRIM", "%s(STRING, [STRING])", "%s(BYTES, BYTES)");
    both("REGEXP_CONTAINS", "%s(STRING, STRING)", "%s(BYTES, BYTES)");
    both(
        "REGEXP_EXTRACT",
        "%s(STRING, STRING, [INT64], [INT64])",
        "%s(BYTES, BYTES, [INT64], [INT64])");
    both("REGEXP_EXTRACT_ALL", "%s(STRING, STRING)", "%s(BYTES, BYTES)");
    both("REGEXP_REPLACE", "%s(STRING, STRING, STRING)", "%s(BYTES, BYTES, BYTES)");
    both("REPEAT", "%s(STRING, INT64)", "%s(BYTES, INT64)");
    both("REPLACE", "%s(STRING, STRING, STRING)", "%s(BYTES, BYTES, BYTES)");
    both("REVERSE", "%s(STRING)", "%s(BYTES)");
    both("SPLIT", "%s(STRING, [STRING])", "%s(BYTES, BYTES)");
    both("STRPOS", "%s(STRING, STRING)", "%s(BYTES, BYTES)");
    both("SUBSTR", "%s(STRING, INT64, [INT64])", "%s(BYTES, INT64, [INT64])");
    both("SUBSTRING", "%s(STRING, INT64, [INT64])", "%s(BYTES, INT64, [INT64])");
    both("TRANSLATE", "%s(STRING, STRING, STRING)", "%s(BYTES, BYTES, BYTES)");
    one("UNICODE", "%s(STRING)");
    one("TO_BASE64", "%s(BYTES)");
    one("FROM_BASE64", "%s(STRING)");
    one("TO_HEX", "%s(BYTES)");
    one("FROM_HEX", "%s(STRING)");
    // Math.
    for (String f : List.of("ABS", "SIGN")) {
      numeric(f, "%s(INT64)", "%s(NUMERIC)", "%s(BIGNUMERIC)", "%s(FLOAT64)");
    }
    for (String f : List.of("IS_INF", "IS_NAN", "COS", "SIN", "ACOS", "COSH", "TANH", "CBRT")) {
      one(f, "%s(FLOAT64)");
    }
    one("IEEE_DIVIDE", "%s(FLOAT64, FLOAT64)");
    one("ATAN2", "%s(FLOAT64, FLOAT64)");
    for (String f : List.of("SQRT", "EXP", "LN", "LOG10", "CEIL", "CEILING", "FLOOR")) {
      numeric(f, "%s(FLOAT64)", "%s(NUMERIC)", "%s(BIGNUMERIC)");
    }
    for (String f : List.of("POW", "POWER", "SAFE_DIVIDE")) {
      numeric(f, "%s(FLOAT64, FLOAT64)", "%s(NUMERIC, NUMERIC)", "%s(BIGNUMERIC, BIGNUMERIC)");
    }
    numeric(
        "LOG", "%s(FLOAT64, [FLOAT64])", "%s(NUMERIC, [NUMERIC])", "%s(BIGNUMERIC, [BIGNUMERIC])");
    for (String f : List.of("DIV", "MOD")) {
      numeric(f, "%s(INT64, INT64)", "%s(NUMERIC, NUMERIC)", "%s(BIGNUMERIC, BIGNUMERIC)");
    }
    for (String f : List.of("ROUND", "TRUNC")) {
      numeric(f, "%s(FLOAT64, [INT64])", "%s(NUMERIC, [INT64])", "%s(BIGNUMERIC, [INT64])");
    }
    // Dates and times.
    numeric("DATE", "%s(TIMESTAMP, [STRING])", "%s(DATETIME)", "%s(INT64, INT64, INT64)");
    one("DATE_ADD", "%s(DATE, INTERVAL INT64 DATE_TIME_PART)");
    one("DATE_SUB", "%s(DATE, INTERVAL INT64 DATE_TIME_PART)");
    one("DATE_DIFF", "%s(DATE, DATE, DATE_TIME_PART)");
    one("DATE_TRUNC", "%s(DATE, DATE_TIME_PART)");
    one("DATE_FROM_UNIX_DATE", "%s(INT64)");
    one("UNIX_DATE", "%s(DATE)");
    one("FORMAT_DATE", "%s(STRING, DATE)");
    one("PARSE_DATE", "%s(STRING, STRING)");
    one("LAST_DAY", "%s(DATE, [DATE_TIME_PART])");
    one("DATETIME_DIFF", "%s(DATETIME, DATETIME, DATE_TIME_PART)");
    one("TIMESTAMP_DIFF", "%s(TIMESTAMP, TIMESTAMP, DATE_TIME_PART)");
    one("FORMAT_TIMESTAMP", "%s(STRING, TIMESTAMP, [STRING])");
    one("PARSE_TIMESTAMP", "%s(STRING, STRING, [STRING])");
    one("FORMAT_DATETIME", "%s(STRING, DATETIME)");
    one("PARSE_DATETIME", "%s(STRING, STRING)");
    for (String f : List.of("TIMESTAMP_SECONDS", "TIMESTAMP_MILLIS", "TIMESTAMP_MICROS")) {
      one(f, "%s(INT64)");
    }
    for (String f : List.of("UNIX_SECONDS", "UNIX_MILLIS", "UNIX_MICROS")) {
      one(f, "%s(TIMESTAMP)");
    }
  }

  private BigQuerySignatures() {}

  /** A function with one signature. */
  private static void one(String name, String signature) {
    numeric(name, signature);
  }

  /** A function of STRING and of BYTES. */
  private static void both(String name, String forString, String forBytes) {
    numeric(name, forString, forBytes);
  }

  /** A function with several signatures ({@code %s} is its name). */
  private static void numeric(String name, String... signatures) {
    SIGNATURES.put(
        name, java.util.Arrays.stream(signatures).map(s -> String.format(s, name)).toList());
  }

  /** BigQuery's name for the function DuckDB named (the translator renames a few). */
  static String bigQueryName(String duckDbName) {
    String renamed = BIGQUERY_NAMES.get(duckDbName.toLowerCase(Locale.ROOT));
    return renamed != null ? renamed : duckDbName.toUpperCase(Locale.ROOT);
  }

  /**
   * {@code . Supported signature: F(...)} or {@code . Supported signatures: F(...); F(...)}, as
   * BigQuery ends the message; empty for a function not listed here.
   */
  static String supported(String bigQueryName) {
    List<String> signatures = SIGNATURES.get(bigQueryName);
    if (signatures == null) {
      return "";
    }
    return ". Supported signature"
        + (signatures.size() > 1 ? "s" : "")
        + ": "
        + String.join("; ", signatures);
  }
}
