package dev.bqjobs.emulator.engine;

import java.util.Arrays;
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
    add("ASCII", "%s(STRING)", "%s(BYTES)");
    add("BYTE_LENGTH", "%s(STRING)", "%s(BYTES)");
    add("CHAR_LENGTH", "%s(STRING)");
    add("CHARACTER_LENGTH", "%s(STRING)");
    add("CHR", "%s(INT64)");
    add("CODE_POINTS_TO_STRING", "%s(ARRAY<INT64>)");
    add("CONCAT", "%s(STRING, [STRING, ...])", "%s(BYTES, [BYTES, ...])");
    add("ENDS_WITH", "%s(STRING, STRING)", "%s(BYTES, BYTES)");
    add("STARTS_WITH", "%s(STRING, STRING)", "%s(BYTES, BYTES)");
    add("FORMAT", "%s(STRING, [ANY, ...])");
    add("INITCAP", "%s(STRING, [STRING])");
    add("INSTR", "%s(STRING, STRING, [INT64], [INT64])", "%s(BYTES, BYTES, [INT64], [INT64])");
    add("LEFT", "%s(STRING, INT64)", "%s(BYTES, INT64)");
    add("RIGHT", "%s(STRING, INT64)", "%s(BYTES, INT64)");
    add("LENGTH", "%s(STRING)", "%s(BYTES)");
    add("LOWER", "%s(STRING)", "%s(BYTES)");
    add("UPPER", "%s(STRING)", "%s(BYTES)");
    add("LPAD", "%s(STRING, INT64, [STRING])", "%s(BYTES, INT64, [BYTES])");
    add("RPAD", "%s(STRING, INT64, [STRING])", "%s(BYTES, INT64, [BYTES])");
    add("LTRIM", "%s(STRING, [STRING])", "%s(BYTES, BYTES)");
    add("RTRIM", "%s(STRING, [STRING])", "%s(BYTES, BYTES)");
    add("TRIM", "%s(STRING, [STRING])", "%s(BYTES, BYTES)");
    add("REGEXP_CONTAINS", "%s(STRING, STRING)", "%s(BYTES, BYTES)");
    add(
        "REGEXP_EXTRACT",
        "%s(STRING, STRING, [INT64], [INT64])",
        "%s(BYTES, BYTES, [INT64], [INT64])");
    add("REGEXP_EXTRACT_ALL", "%s(STRING, STRING)", "%s(BYTES, BYTES)");
    add("REGEXP_REPLACE", "%s(STRING, STRING, STRING)", "%s(BYTES, BYTES, BYTES)");
    add("REPEAT", "%s(STRING, INT64)", "%s(BYTES, INT64)");
    add("REPLACE", "%s(STRING, STRING, STRING)", "%s(BYTES, BYTES, BYTES)");
    add("REVERSE", "%s(STRING)", "%s(BYTES)");
    add("SPLIT", "%s(STRING, [STRING])", "%s(BYTES, BYTES)");
    add("STRPOS", "%s(STRING, STRING)", "%s(BYTES, BYTES)");
    add("SUBSTR", "%s(STRING, INT64, [INT64])", "%s(BYTES, INT64, [INT64])");
    add("SUBSTRING", "%s(STRING, INT64, [INT64])", "%s(BYTES, INT64, [INT64])");
    add("TRANSLATE", "%s(STRING, STRING, STRING)", "%s(BYTES, BYTES, BYTES)");
    add("UNICODE", "%s(STRING)");
    add("TO_BASE64", "%s(BYTES)");
    add("FROM_BASE64", "%s(STRING)");
    add("TO_HEX", "%s(BYTES)");
    add("FROM_HEX", "%s(STRING)");
    // Math.
    for (String f : List.of("ABS", "SIGN")) {
      add(f, "%s(INT64)", "%s(NUMERIC)", "%s(BIGNUMERIC)", "%s(FLOAT64)");
    }
    for (String f : List.of("IS_INF", "IS_NAN", "COS", "SIN", "ACOS", "COSH", "TANH", "CBRT")) {
      add(f, "%s(FLOAT64)");
    }
    add("IEEE_DIVIDE", "%s(FLOAT64, FLOAT64)");
    add("ATAN2", "%s(FLOAT64, FLOAT64)");
    for (String f : List.of("SQRT", "EXP", "LN", "LOG10", "CEIL", "CEILING", "FLOOR")) {
      add(f, "%s(FLOAT64)", "%s(NUMERIC)", "%s(BIGNUMERIC)");
    }
    for (String f : List.of("POW", "POWER", "SAFE_DIVIDE")) {
      add(f, "%s(FLOAT64, FLOAT64)", "%s(NUMERIC, NUMERIC)", "%s(BIGNUMERIC, BIGNUMERIC)");
    }
    add("LOG", "%s(FLOAT64, [FLOAT64])", "%s(NUMERIC, [NUMERIC])", "%s(BIGNUMERIC, [BIGNUMERIC])");
    for (String f : List.of("DIV", "MOD")) {
      add(f, "%s(INT64, INT64)", "%s(NUMERIC, NUMERIC)", "%s(BIGNUMERIC, BIGNUMERIC)");
    }
    for (String f : List.of("ROUND", "TRUNC")) {
      add(f, "%s(FLOAT64, [INT64])", "%s(NUMERIC, [INT64])", "%s(BIGNUMERIC, [INT64])");
    }
    // Dates and times.
    add("DATE", "%s(TIMESTAMP, [STRING])", "%s(DATETIME)", "%s(INT64, INT64, INT64)");
    add("DATE_ADD", "%s(DATE, INTERVAL INT64 DATE_TIME_PART)");
    add("DATE_SUB", "%s(DATE, INTERVAL INT64 DATE_TIME_PART)");
    add("DATE_DIFF", "%s(DATE, DATE, DATE_TIME_PART)");
    add("DATE_TRUNC", "%s(DATE, DATE_TIME_PART)");
    add("DATE_FROM_UNIX_DATE", "%s(INT64)");
    add("UNIX_DATE", "%s(DATE)");
    add("FORMAT_DATE", "%s(STRING, DATE)");
    add("PARSE_DATE", "%s(STRING, STRING)");
    add("LAST_DAY", "%s(DATE, [DATE_TIME_PART])");
    add("DATETIME_DIFF", "%s(DATETIME, DATETIME, DATE_TIME_PART)");
    add("TIMESTAMP_DIFF", "%s(TIMESTAMP, TIMESTAMP, DATE_TIME_PART)");
    add("FORMAT_TIMESTAMP", "%s(STRING, TIMESTAMP, [STRING])");
    add("PARSE_TIMESTAMP", "%s(STRING, STRING, [STRING])");
    add("FORMAT_DATETIME", "%s(STRING, DATETIME)");
    add("PARSE_DATETIME", "%s(STRING, STRING)");
    for (String f : List.of("TIMESTAMP_SECONDS", "TIMESTAMP_MILLIS", "TIMESTAMP_MICROS")) {
      add(f, "%s(INT64)");
    }
    for (String f : List.of("UNIX_SECONDS", "UNIX_MILLIS", "UNIX_MICROS")) {
      add(f, "%s(TIMESTAMP)");
    }
  }

  private BigQuerySignatures() {}

  /** A function's signatures, in BigQuery's order ({@code %s} stands for its name). */
  private static void add(String name, String... signatures) {
    SIGNATURES.put(name, Arrays.stream(signatures).map(s -> String.format(s, name)).toList());
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
