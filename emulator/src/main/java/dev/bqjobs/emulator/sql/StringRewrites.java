package dev.bqjobs.emulator.sql;

import static dev.bqjobs.emulator.sql.FunctionRewrites.add;
import static dev.bqjobs.emulator.sql.ValueRewrites.errorOrNull;

import dev.bqjobs.emulator.sql.FunctionRewrites.Call;
import dev.bqjobs.emulator.sql.FunctionRewrites.Rewrite;
import java.util.Map;
import java.util.Set;

/**
 * String functions: BigQuery's positions, default pads and failures on negative lengths, and the
 * ones DuckDB spells otherwise (EDIT_DISTANCE, SPLIT, TO_CODE_POINTS...).
 */
final class StringRewrites {
  /** NORMALIZE's forms, written as words: NORMALIZE(s, NFKC). */
  private static final Set<String> NORMALIZATION_FORMS = Set.of("NFC", "NFKC", "NFD", "NFKD");

  private StringRewrites() {}

  static void register(Map<String, Rewrite> t) {
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
    add(t, StringRewrites::substr, "SUBSTR", "SUBSTRING");
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
    // DuckDB has none of these; sql.JavaFunctions has them, bytes crossing as hex text.
    add(
        t,
        c -> c.n() == 1 ? "bq_farm_fingerprint(hex(" + c.arg(0) + "))" : null,
        "FARM_FINGERPRINT");
    add(t, c -> c.n() == 1 ? "unhex(bq_sha512(hex(" + c.arg(0) + ")))" : null, "SHA512");
    add(t, c -> c.n() == 1 ? "bq_to_base32(hex(" + c.arg(0) + "))" : null, "TO_BASE32");
    add(t, c -> c.n() == 1 ? "unhex(bq_from_base32_hex(" + c.arg(0) + "))" : null, "FROM_BASE32");
    // REGEXP_INSTR(s, p): 1 + the length of what comes before the leftmost match (0 for none);
    // replacing the match and everything after it leaves exactly that prefix.
    add(
        t,
        c -> {
          if (c.n() != 2) {
            throw FunctionRewrites.unsupported(
                "REGEXP_INSTR with position, occurrence or return arguments", c.name);
          }
          String s = c.arg(0);
          String p = c.arg(1);
          return "CASE WHEN regexp_matches("
              + s
              + ", "
              + p
              + ") THEN length(regexp_replace("
              + s
              + ", '(?:' || "
              + p
              + " || ')(?s:.*)', '')) + 1 WHEN ("
              + s
              + ") IS NOT NULL AND ("
              + p
              + ") IS NOT NULL THEN 0 END";
        },
        "REGEXP_INSTR");
    // NORMALIZE(s[, form]): NFC by default; the forms are java.text.Normalizer's.
    add(
        t,
        c -> {
          if (c.n() == 1) {
            return "nfc_normalize(" + c.arg(0) + ")";
          }
          Token form = c.n() == 2 ? FunctionRewrites.singleToken(c.r, c.ranges().get(1)) : null;
          if (form == null || !NORMALIZATION_FORMS.contains(form.upper())) {
            return null;
          }
          return "bq_normalize(" + c.arg(0) + ", '" + form.upper() + "')";
        },
        "NORMALIZE");
    add(
        t,
        c -> c.n() == 1 ? "bq_utf8_with_replacement(hex(" + c.arg(0) + "))" : null,
        "SAFE_CONVERT_BYTES_TO_STRING");
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
}
