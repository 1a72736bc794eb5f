package dev.bqjobs.emulator.sql;

import dev.bqjobs.emulator.sql.Rewriter.Range;
import dev.bqjobs.emulator.sql.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * BigQuery functions whose DuckDB spelling differs. Each rewrite receives the arguments as token
 * ranges, already split at top-level commas, and emits them through the {@link Rewriter} so nested
 * calls are rewritten too. Functions not listed here keep their name: DuckDB has most of them
 * (IFNULL, COUNTIF, ARRAY_LENGTH, STARTS_WITH, IF, ...).
 */
final class FunctionRewrites {
  /** Same arguments, other name. */
  private static final Map<String, String> RENAMES =
      Map.of(
          "REGEXP_CONTAINS", "regexp_matches",
          "LOGICAL_AND", "bool_and",
          "LOGICAL_OR", "bool_or",
          "GENERATE_ARRAY", "generate_series",
          "ARRAY_REVERSE", "list_reverse",
          "JSON_EXTRACT_SCALAR", "json_extract_string",
          "JSON_VALUE", "json_extract_string",
          "JSON_EXTRACT", "json_extract",
          "JSON_QUERY", "json_extract");

  /** Functions with a case in {@link #rewrite}'s switch. */
  private static final Set<String> REWRITTEN =
      Set.of(
          "OFFSET",
          "SAFE_OFFSET",
          "ORDINAL",
          "SAFE_ORDINAL",
          "CURRENT_TIMESTAMP",
          "CURRENT_DATE",
          "CURRENT_DATETIME",
          "CURRENT_TIME",
          "REGEXP_EXTRACT",
          "REGEXP_REPLACE",
          "SPLIT",
          "CONCAT",
          "ARRAY_CONCAT",
          "DIV",
          "SAFE_DIVIDE",
          "LOG",
          "TO_JSON_STRING",
          "GENERATE_UUID",
          "DATE_DIFF",
          "DATETIME_DIFF",
          "TIMESTAMP_DIFF",
          "DATE_ADD",
          "DATE_SUB",
          "DATETIME_ADD",
          "DATETIME_SUB",
          "TIMESTAMP_ADD",
          "TIMESTAMP_SUB",
          "DATE_TRUNC",
          "DATETIME_TRUNC",
          "TIMESTAMP_TRUNC",
          "FORMAT_DATE",
          "FORMAT_DATETIME",
          "FORMAT_TIMESTAMP",
          "PARSE_DATE",
          "PARSE_DATETIME",
          "PARSE_TIMESTAMP",
          "DATE",
          "DATETIME",
          "TIMESTAMP",
          "UNIX_SECONDS",
          "UNIX_MILLIS",
          "UNIX_MICROS",
          "TIMESTAMP_SECONDS",
          "TIMESTAMP_MILLIS");

  private static final Set<String> DATE_PARTS =
      Set.of(
          "MICROSECOND",
          "MILLISECOND",
          "SECOND",
          "MINUTE",
          "HOUR",
          "DAY",
          "WEEK",
          "ISOWEEK",
          "MONTH",
          "QUARTER",
          "YEAR",
          "ISOYEAR");

  /** A capturing group: "(" not followed by "?", and not escaped. */
  private static final Pattern CAPTURING_GROUP = Pattern.compile("(?<!\\\\)\\((?!\\?)");

  private FunctionRewrites() {}

  /**
   * Rewrites the call of the function named by token {@code nameIndex} whose arguments are {@code
   * inside} (between the parentheses), or returns {@code null} to keep it as written.
   */
  static String rewrite(Rewriter r, int nameIndex, Range inside) {
    List<Token> tokens = r.tokens();
    Token nameToken = tokens.get(nameIndex);
    String name = nameToken.upper();
    boolean inBrackets = nameIndex > 0 && tokens.get(nameIndex - 1).isSymbol("[");
    if (name.equals("CAST") || name.equals("SAFE_CAST")) {
      return cast(r, name.equals("CAST") ? "CAST" : "TRY_CAST", inside, nameToken);
    }
    if (name.equals("EXTRACT")) {
      return extract(r, inside);
    }
    if (name.equals("UNNEST") && nameIndex > 0 && tokens.get(nameIndex - 1).isWord("IN")) {
      // DuckDB has no "x IN UNNEST(array)"; a subquery over the unnested list means the same.
      return "(SELECT unnest(" + r.emit(inside) + "))";
    }
    if (!RENAMES.containsKey(name) && !REWRITTEN.contains(name) && !name.equals("STRUCT")) {
      return null;
    }
    List<Range> ranges = r.splitArguments(inside);
    List<String> args = new ArrayList<>();
    if (name.equals("STRUCT")) {
      return struct(r, ranges);
    }
    for (Range range : ranges) {
      args.add(r.emit(range));
    }
    String renamed = RENAMES.get(name);
    if (renamed != null) {
      return renamed + "(" + String.join(", ", args) + ")";
    }
    int n = args.size();
    switch (name) {
      case "OFFSET", "SAFE_OFFSET":
        return inBrackets && n == 1 ? "(" + args.get(0) + ") + 1" : null;
      case "ORDINAL", "SAFE_ORDINAL":
        return inBrackets && n == 1 ? args.get(0) : null;
      case "CURRENT_TIMESTAMP":
        return n == 0 ? "current_timestamp" : null;
      case "CURRENT_DATE":
        return n == 0
            ? "current_date"
            : "CAST(timezone(" + args.get(0) + ", current_timestamp) AS DATE)";
      case "CURRENT_DATETIME":
        return n == 0
            ? "CAST(current_timestamp AS TIMESTAMP)"
            : "timezone(" + args.get(0) + ", current_timestamp)";
      case "CURRENT_TIME":
        return n == 0 ? "CAST(current_timestamp AS TIME)" : null;
      case "REGEXP_EXTRACT":
        return regexpExtract(r, ranges, args, nameToken);
      case "REGEXP_REPLACE":
        return n == 3 ? "regexp_replace(" + String.join(", ", args) + ", 'g')" : null;
      case "SPLIT":
        return n == 1
            ? "string_split(" + args.get(0) + ", ',')"
            : "string_split(" + String.join(", ", args) + ")";
      case "CONCAT":
        // DuckDB's concat skips NULLs; BigQuery's returns NULL, like the || operator.
        return "(" + String.join(" || ", args) + ")";
      case "ARRAY_CONCAT":
        return "(" + String.join(" || ", args) + ")";
      case "DIV":
        return n == 2 ? "(" + args.get(0) + " // " + args.get(1) + ")" : null;
      case "SAFE_DIVIDE":
        return n == 2
            ? "CASE WHEN ("
                + args.get(1)
                + ") = 0 THEN NULL ELSE ("
                + args.get(0)
                + ") / ("
                + args.get(1)
                + ") END"
            : null;
      case "LOG":
        // BigQuery's LOG(x) is the natural logarithm and LOG(x, base) puts the base last.
        return n == 1 ? "ln(" + args.get(0) + ")" : "log(" + args.get(1) + ", " + args.get(0) + ")";
      case "TO_JSON_STRING":
        return n == 1 ? "CAST(to_json(" + args.get(0) + ") AS VARCHAR)" : null;
      case "GENERATE_UUID":
        return "CAST(uuid() AS VARCHAR)";
      case "DATE_DIFF", "DATETIME_DIFF":
        return diff(r, "date_diff", ranges, args, nameToken);
      case "TIMESTAMP_DIFF":
        // TIMESTAMP_DIFF counts whole intervals (DuckDB date_sub), DATE_DIFF part boundaries.
        return diff(r, "date_sub", ranges, args, nameToken);
      case "DATE_ADD", "DATE_SUB", "DATETIME_ADD", "DATETIME_SUB", "TIMESTAMP_ADD", "TIMESTAMP_SUB":
        return addInterval(r, name, ranges, args, nameToken);
      case "DATE_TRUNC", "DATETIME_TRUNC", "TIMESTAMP_TRUNC":
        return trunc(r, name, ranges, args, nameToken);
      case "FORMAT_DATE", "FORMAT_DATETIME", "FORMAT_TIMESTAMP":
        return n == 2 ? "strftime(" + args.get(1) + ", " + args.get(0) + ")" : null;
      case "PARSE_DATE":
        return n == 2 ? "CAST(strptime(" + args.get(1) + ", " + args.get(0) + ") AS DATE)" : null;
      case "PARSE_DATETIME":
        return n == 2 ? "strptime(" + args.get(1) + ", " + args.get(0) + ")" : null;
      case "PARSE_TIMESTAMP":
        return n == 2
            ? "CAST(strptime(" + args.get(1) + ", " + args.get(0) + ") AS TIMESTAMPTZ)"
            : null;
      case "DATE":
        return n == 1
            ? "CAST(" + args.get(0) + " AS DATE)"
            : n == 3 ? "make_date(" + String.join(", ", args) + ")" : null;
      case "DATETIME":
        return n == 1 ? "CAST(" + args.get(0) + " AS TIMESTAMP)" : null;
      case "TIMESTAMP":
        return n == 1 ? "CAST(" + args.get(0) + " AS TIMESTAMPTZ)" : null;
      case "UNIX_SECONDS":
        return n == 1 ? "CAST(floor(epoch(" + args.get(0) + ")) AS BIGINT)" : null;
      case "UNIX_MILLIS":
        return n == 1 ? "epoch_ms(" + args.get(0) + ")" : null;
      case "UNIX_MICROS":
        return n == 1 ? "epoch_us(" + args.get(0) + ")" : null;
      case "TIMESTAMP_SECONDS":
        return n == 1 ? "to_timestamp(" + args.get(0) + ")" : null;
      case "TIMESTAMP_MILLIS":
        return n == 1 ? "to_timestamp((" + args.get(0) + ") / 1000.0)" : null;
      default:
        return null;
    }
  }

  private static String cast(Rewriter r, String function, Range inside, Token at) {
    int as = r.findTopLevel(inside, "AS");
    if (as < 0) {
      throw Rewriter.syntax("Expected keyword AS in " + at.text(), at);
    }
    TypeTranslator.Parsed type = TypeTranslator.parse(r.tokens(), as + 1);
    if (type.end() != inside.end()) {
      Token extra = r.tokens().get(type.end());
      throw new SqlTranslationException(
          "Unsupported by the local server: "
              + extra.text()
              + " in "
              + at.text()
              + " at "
              + extra.position());
    }
    return function + "(" + r.emit(new Range(inside.start(), as)) + " AS " + type.duckDb() + ")";
  }

  private static String extract(Rewriter r, Range inside) {
    List<Token> tokens = r.tokens();
    int from = r.findTopLevel(inside, "FROM");
    if (from != inside.start() + 1) {
      return null;
    }
    String part = tokens.get(inside.start()).upper();
    String value = r.emit(new Range(from + 1, inside.end()));
    return switch (part) {
      // BigQuery numbers the days of the week 1 (Sunday) to 7, DuckDB 0 to 6.
      case "DAYOFWEEK" -> "(extract('dow' FROM " + value + ") + 1)";
      case "DAYOFYEAR" -> "extract('doy' FROM " + value + ")";
      case "DATE" -> "CAST(" + value + " AS DATE)";
      case "TIME" -> "CAST(" + value + " AS TIME)";
      case "DATETIME" -> "CAST(" + value + " AS TIMESTAMP)";
      default -> "extract(" + tokens.get(inside.start()).text() + " FROM " + value + ")";
    };
  }

  /**
   * {@code STRUCT(1 AS a, x)} becomes struct_pack; fields without a name get BigQuery's internal
   * {@code _field_N} names, since DuckDB's unnamed row() type does not survive in tables.
   */
  private static String struct(Rewriter r, List<Range> ranges) {
    List<Token> tokens = r.tokens();
    List<String> names = new ArrayList<>();
    List<String> values = new ArrayList<>();
    for (Range range : ranges) {
      if (range.isEmpty()) {
        continue;
      }
      int as = r.findTopLevel(range, "AS");
      String name = null;
      Range value = range;
      if (as >= 0 && as == range.end() - 2) {
        name = tokens.get(range.end() - 1).value();
        value = new Range(range.start(), as);
      } else if (range.end() - range.start() == 1 && tokens.get(range.start()).isIdentifier()) {
        // BigQuery names a field after a plain column reference.
        name = tokens.get(range.start()).value();
      } else if (range.end() - range.start() == 3
          && tokens.get(range.start() + 1).isSymbol(".")
          && tokens.get(range.end() - 1).isIdentifier()) {
        name = tokens.get(range.end() - 1).value();
      }
      names.add(name);
      values.add(r.emit(value));
    }
    List<String> fields = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      String name = names.get(i) == null ? "_field_" + (i + 1) : names.get(i);
      fields.add(Rewriter.quoteIdentifier(name) + " := " + values.get(i));
    }
    return "struct_pack(" + String.join(", ", fields) + ")";
  }

  private static String regexpExtract(Rewriter r, List<Range> ranges, List<String> args, Token at) {
    if (args.size() != 2) {
      throw unsupported("REGEXP_EXTRACT with position or occurrence arguments", at);
    }
    Token pattern = singleToken(r, ranges.get(1));
    // BigQuery returns the first capturing group when the pattern has one, else the whole match,
    // and NULL (not '') when nothing matches.
    int group =
        pattern != null
                && pattern.kind() == Kind.STRING
                && CAPTURING_GROUP.matcher(pattern.value()).find()
            ? 1
            : 0;
    String s = args.get(0);
    String p = args.get(1);
    return "CASE WHEN regexp_matches("
        + s
        + ", "
        + p
        + ") THEN regexp_extract("
        + s
        + ", "
        + p
        + ", "
        + group
        + ") END";
  }

  private static String diff(
      Rewriter r, String function, List<Range> ranges, List<String> args, Token at) {
    if (args.size() != 3) {
      return null;
    }
    String part = datePart(r, ranges.get(2), at);
    String end = args.get(0);
    String start = args.get(1);
    if (part.equals("week")) {
      // BigQuery counts Sunday-based week boundaries; DuckDB's date_diff('week') counts whole
      // 7-day spans. Truncating to (Monday) weeks after shifting by a day counts the boundaries.
      return function
          + "('week', date_trunc('week', ("
          + start
          + ") + INTERVAL 1 DAY), date_trunc('week', ("
          + end
          + ") + INTERVAL 1 DAY))";
    }
    return function + "('" + part + "', " + start + ", " + end + ")";
  }

  private static String addInterval(
      Rewriter r, String name, List<Range> ranges, List<String> args, Token at) {
    List<Token> tokens = r.tokens();
    if (args.size() != 2 || !tokens.get(ranges.get(1).start()).isWord("INTERVAL")) {
      throw Rewriter.syntax(name + " expects (value, INTERVAL n part)", at);
    }
    Range interval = ranges.get(1);
    Range amount = new Range(interval.start() + 1, interval.end() - 1);
    String part = datePart(r, new Range(interval.end() - 1, interval.end()), at);
    if (part.startsWith("iso")) {
      throw unsupported(name + " with " + part.toUpperCase(Locale.ROOT), at);
    }
    String op = name.endsWith("_ADD") ? " + " : " - ";
    String sum =
        "("
            + args.get(0)
            + ")"
            + op
            + "INTERVAL ("
            + r.emit(amount)
            + ") "
            + part.toUpperCase(Locale.ROOT);
    // DuckDB's DATE + INTERVAL is a TIMESTAMP; BigQuery keeps the DATE.
    return name.startsWith("DATE_") ? "CAST(" + sum + " AS DATE)" : "(" + sum + ")";
  }

  private static String trunc(
      Rewriter r, String name, List<Range> ranges, List<String> args, Token at) {
    if (args.size() != 2) {
      throw unsupported(name + " with a time zone argument", at);
    }
    String part = datePart(r, ranges.get(1), at);
    String value = args.get(0);
    String truncated =
        part.equals("week")
            ? "(date_trunc('week', (" + value + ") + INTERVAL 1 DAY) - INTERVAL 1 DAY)"
            : "date_trunc('" + part + "', " + value + ")";
    return name.equals("DATE_TRUNC") ? "CAST(" + truncated + " AS DATE)" : truncated;
  }

  private static String datePart(Rewriter r, Range range, Token at) {
    Token part = singleToken(r, range);
    if (part == null || part.kind() != Kind.WORD || !DATE_PARTS.contains(part.upper())) {
      Token where = range.isEmpty() ? at : r.tokens().get(range.start());
      throw new SqlTranslationException(
          "Unsupported date part in "
              + at.text()
              + ": "
              + r.emit(range)
              + " at "
              + where.position());
    }
    return part.upper().toLowerCase(Locale.ROOT);
  }

  private static Token singleToken(Rewriter r, Range range) {
    return range.end() - range.start() == 1 ? r.tokens().get(range.start()) : null;
  }

  private static SqlTranslationException unsupported(String what, Token at) {
    return new SqlTranslationException(
        "Unsupported by the local server: " + what + " at " + at.position());
  }
}
