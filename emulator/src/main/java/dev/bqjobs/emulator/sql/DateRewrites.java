package dev.bqjobs.emulator.sql;

import static dev.bqjobs.emulator.sql.FunctionRewrites.add;
import static dev.bqjobs.emulator.sql.ValueRewrites.errorOrNull;

import dev.bqjobs.emulator.sql.FunctionRewrites.Call;
import dev.bqjobs.emulator.sql.FunctionRewrites.Rewrite;
import dev.bqjobs.emulator.sql.Token.Kind;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Date and time functions: time-zone arguments, LAST_DAY parts, CURRENT_TIME and
 * GENERATE_TIMESTAMP_ARRAY.
 */
final class DateRewrites {
  private DateRewrites() {}

  static void register(Map<String, Rewrite> t) {
    add(t, DateRewrites::string, "STRING");
    add(t, c -> bucket(c, "DATE", "DATE '1950-01-01'"), "DATE_BUCKET");
    add(t, c -> bucket(c, "TIMESTAMP", "TIMESTAMP '1950-01-01 00:00:00'"), "DATETIME_BUCKET");
    add(
        t,
        c -> bucket(c, "TIMESTAMPTZ", "CAST('1950-01-01 00:00:00+00' AS TIMESTAMPTZ)"),
        "TIMESTAMP_BUCKET");
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
    add(t, DateRewrites::lastDay, "LAST_DAY");
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
  /**
   * STRING(timestamp[, zone]) and STRING(json). A JSON argument must hold a string, whose value is
   * returned; a TIMESTAMP is written as BigQuery writes it, "2008-12-25 07:30:00-08", in the zone
   * (UTC by default, as CAST(ts AS STRING) on the session's UTC zone). typeof() is resolved when
   * DuckDB binds the query, so only the branch for the argument's type runs.
   */
  private static String string(Call c) {
    if (c.n() == 2) {
      return zoned(c.arg(0), c.arg(1));
    }
    if (c.n() != 1) {
      return null;
    }
    String text = "CAST(" + c.arg(0) + " AS VARCHAR)";
    // TRY_CAST: DuckDB folds constant branches it will not take, and a timestamp's text is no JSON.
    String json = "TRY_CAST(" + text + " AS JSON)";
    return "CASE WHEN ("
        + c.arg(0)
        + ") IS NULL THEN NULL WHEN typeof("
        + c.arg(0)
        + ") <> 'JSON' THEN "
        + text
        + " WHEN json_type("
        + json
        + ") = 'VARCHAR' THEN json_extract_string("
        + json
        + ", '$') ELSE "
        + errorOrNull(c, "'The provided JSON input is not a string'")
        + " END";
  }

  /** A TIMESTAMP's text in {@code zone}: local time, trimmed fraction, offset as +HH[:MM]. */
  private static String zoned(String ts, String zone) {
    String local = "timezone(" + zone + ", " + ts + ")";
    String offset = "CAST(epoch(" + local + ") - epoch(" + ts + ") AS BIGINT)";
    String fraction = "rtrim(strftime(" + local + ", '%f'), '0')";
    return "CASE WHEN ("
        + ts
        + ") IS NULL OR ("
        + zone
        + ") IS NULL THEN NULL ELSE strftime("
        + local
        + ", '%Y-%m-%d %H:%M:%S') || CASE WHEN "
        + fraction
        + " = '' THEN '' ELSE '.' || "
        + fraction
        + " END || CASE WHEN "
        + offset
        + " < 0 THEN '-' ELSE '+' END || lpad(CAST(abs("
        + offset
        + ") // 3600 AS VARCHAR), 2, '0') || CASE WHEN abs("
        + offset
        + ") % 3600 = 0 THEN '' ELSE ':' || lpad(CAST(abs("
        + offset
        + ") % 3600 // 60 AS VARCHAR), 2, '0') END END";
  }

  /** Parts a bucket can be counted in: fixed lengths, as DuckDB's time_bucket counts them. */
  private static final Set<String> BUCKET_PARTS =
      Set.of("WEEK", "DAY", "HOUR", "MINUTE", "SECOND", "MILLISECOND", "MICROSECOND");

  /**
   * DATE_BUCKET(d, INTERVAL n part[, origin]) and the DATETIME and TIMESTAMP ones: the start of the
   * n-part bucket holding d, buckets counted from origin (BigQuery's default 1950-01-01).
   */
  private static String bucket(Call c, String duckDbType, String defaultOrigin) {
    if (c.n() != 2 && c.n() != 3) {
      return null;
    }
    List<Token> tokens = c.r.tokens();
    Rewriter.Range width = c.ranges().get(1);
    Token part = tokens.get(width.end() - 1);
    if (!tokens.get(width.start()).isWord("INTERVAL")
        || width.end() - width.start() < 3
        || !BUCKET_PARTS.contains(part.upper())
        || (duckDbType.equals("DATE") && !part.isWord("DAY") && !part.isWord("WEEK"))) {
      String allowed =
          duckDbType.equals("DATE")
              ? "INTERVAL n DAY or WEEK"
              : "INTERVAL n WEEK, DAY, HOUR, MINUTE, SECOND, MILLISECOND or MICROSECOND";
      throw FunctionRewrites.unsupported(
          c.upperName() + " with bucket width " + c.r.emit(width) + " (only " + allowed + ")",
          c.name);
    }
    String origin = c.n() == 3 ? "CAST(" + c.arg(2) + " AS " + duckDbType + ")" : defaultOrigin;
    String bucket =
        "time_bucket("
            + c.arg(1)
            + ", CAST("
            + c.arg(0)
            + " AS "
            + duckDbType
            + "), "
            + origin
            + ")";
    return "CAST(" + bucket + " AS " + duckDbType + ")";
  }

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

  private static boolean isString(Call c, int i) {
    Token t = FunctionRewrites.singleToken(c.r, c.ranges().get(i));
    return t != null && t.kind() == Kind.STRING;
  }
}
