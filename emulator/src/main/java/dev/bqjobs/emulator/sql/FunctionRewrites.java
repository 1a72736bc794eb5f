package dev.bqjobs.emulator.sql;

import dev.bqjobs.emulator.sql.Rewriter.Range;
import dev.bqjobs.emulator.sql.Token.Kind;
import java.util.ArrayList;
import java.util.HashMap;
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
  /** Every rewritten function, by upper-case name: the one place to add one. */
  private static final Map<String, Rewrite> REWRITES = table();

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

  /**
   * Rewritten names a call is left as written for when its rewrite has no translation (another
   * number of arguments): syntax (EXTRACT, UNNEST in FROM, OFFSET) and the names DuckDB also has
   * (looked up in DuckDB's duckdb_functions() for every name registered here), whose signature
   * error the engine reports as BigQuery's ({@code No matching signature for function SUBSTR ...}).
   * Any other such call fails with "NAME with N arguments is not supported by the local server".
   */
  private static final Set<String> KEPT_WHEN_UNTRANSLATED =
      Set.of(
          "EXTRACT",
          "UNNEST",
          "OFFSET",
          "ORDINAL",
          "ACOS",
          "ACOSH",
          "ARRAY_CONCAT",
          "ARRAY_REVERSE",
          "ARRAY_SLICE",
          "ARRAY_TO_STRING",
          "ASIN",
          "ATANH",
          "BIT_COUNT",
          "CONCAT",
          "CORR",
          "COT",
          "CURRENT_DATE",
          "DATE_ADD",
          "DATE_DIFF",
          "DATE_SUB",
          "DATE_TRUNC",
          "ERROR",
          "FORMAT",
          "GREATEST",
          "JSON_EXTRACT",
          "JSON_OBJECT",
          "JSON_TYPE",
          "JSON_VALUE",
          "LAST_DAY",
          "LEAST",
          "LEFT",
          "LN",
          "LOG",
          "LOG10",
          "LPAD",
          "MD5",
          "OCTET_LENGTH",
          "POW",
          "POWER",
          "REGEXP_EXTRACT",
          "REGEXP_EXTRACT_ALL",
          "REGEXP_REPLACE",
          "REPEAT",
          "RIGHT",
          "RPAD",
          "SHA1",
          "SHA256",
          "SPLIT",
          "SQRT",
          "SUBSTR",
          "SUBSTRING",
          "TO_HEX",
          "UNICODE");

  /** A capturing group: "(" not followed by "?", and not escaped. */
  private static final Pattern CAPTURING_GROUP = Pattern.compile("(?<!\\\\)\\((?!\\?)");

  private FunctionRewrites() {}

  /**
   * Rewrites the call of the function named by token {@code nameIndex} whose arguments are {@code
   * inside} (between the parentheses), or returns {@code null} to keep it as written.
   */
  static String rewrite(Rewriter r, int nameIndex, Range inside) {
    String name = r.tokens().get(nameIndex).upper();
    Rewrite rewrite = REWRITES.get(name);
    if (rewrite == null) {
      return null;
    }
    Call call = new Call(r, nameIndex, inside);
    String rewritten = rewrite.apply(call);
    if (rewritten == null && !KEPT_WHEN_UNTRANSLATED.contains(name)) {
      // A BigQuery name DuckDB does not know would fail there as "Function not found".
      throw new SqlTranslationException(
          call.name.text()
              + " with "
              + call.n()
              + (call.n() == 1 ? " argument" : " arguments")
              + " is not supported by the local server at "
              + call.name.position());
    }
    return rewritten;
  }

  /** One function's rewrite: the DuckDB text of the call, or null to keep it as written. */
  @FunctionalInterface
  interface Rewrite {
    String apply(Call c);
  }

  /**
   * A call being rewritten. Its arguments are split and emitted on first use, once: most rewrites
   * need them emitted, while CAST, EXTRACT and STRUCT work on the raw tokens.
   */
  static final class Call {
    final Rewriter r;
    final int nameIndex;
    final Token name;
    final Range inside;
    private List<Range> ranges;
    private List<String> args;

    Call(Rewriter r, int nameIndex, Range inside) {
      this.r = r;
      this.nameIndex = nameIndex;
      this.name = r.tokens().get(nameIndex);
      this.inside = inside;
    }

    List<Range> ranges() {
      if (ranges == null) {
        ranges = r.splitArguments(inside);
      }
      return ranges;
    }

    List<String> args() {
      if (args == null) {
        List<String> emitted = new ArrayList<>();
        for (Range range : ranges()) {
          emitted.add(r.emit(range));
        }
        args = emitted;
      }
      return args;
    }

    String arg(int i) {
      return args().get(i);
    }

    int n() {
      return args().size();
    }

    String joined(String separator) {
      return String.join(separator, args());
    }

    String upperName() {
      return name.upper();
    }

    /**
     * Whether the call is {@code SAFE.F(...)}: a rewrite then gives NULL where it would raise,
     * since DuckDB's try() cannot wrap its (volatile) error().
     */
    boolean safe() {
      return nameIndex > 1
          && r.tokens().get(nameIndex - 1).isSymbol(".")
          && r.tokens().get(nameIndex - 2).isWord("SAFE");
    }

    /** Whether the call follows IN ({@code x IN UNNEST(list)}). */
    boolean afterIn() {
      return nameIndex > 0 && r.tokens().get(nameIndex - 1).isWord("IN");
    }
  }

  private static Map<String, Rewrite> table() {
    Map<String, Rewrite> t = new HashMap<>();
    // Same arguments, other name.
    add(t, rename("regexp_matches"), "REGEXP_CONTAINS");
    add(t, rename("bool_and"), "LOGICAL_AND");
    add(t, rename("bool_or"), "LOGICAL_OR");
    add(t, rename("generate_series"), "GENERATE_ARRAY");
    add(t, rename("json_extract"), "JSON_EXTRACT", "JSON_QUERY");
    // BigQuery's FORMAT takes printf-style specifiers; DuckDB's format() takes {} placeholders.
    add(t, rename("printf"), "FORMAT");
    add(
        t,
        c ->
            c.n() == 1
                ? DuckDbTypes.MACROS
                    + "bq_initcap("
                    + c.arg(0)
                    + ", "
                    + DuckDbTypes.INITCAP_DELIMITERS
                    + ")"
                : DuckDbTypes.MACROS + "bq_initcap(" + c.joined(", ") + ")",
        "INITCAP");

    add(t, c -> cast(c.r, "CAST", c.inside, c.name), "CAST");
    add(t, c -> cast(c.r, "TRY_CAST", c.inside, c.name), "SAFE_CAST");
    add(t, c -> extract(c.r, c.inside), "EXTRACT");
    // DuckDB has no "x IN UNNEST(array)"; a subquery over the unnested list means the same.
    add(t, c -> c.afterIn() ? "(SELECT unnest(" + c.r.emit(c.inside) + "))" : null, "UNNEST");
    add(t, c -> struct(c.r, c.ranges()), "STRUCT");

    add(t, c -> c.n() == 0 ? "current_timestamp" : null, "CURRENT_TIMESTAMP");
    add(
        t,
        c ->
            c.n() == 0
                ? "current_date"
                : "CAST(timezone(" + c.arg(0) + ", current_timestamp) AS DATE)",
        "CURRENT_DATE");
    add(
        t,
        c ->
            c.n() == 0
                ? "CAST(current_timestamp AS TIMESTAMP)"
                : "timezone(" + c.arg(0) + ", current_timestamp)",
        "CURRENT_DATETIME");

    add(
        t,
        c -> regexpExtract(c.r, c.ranges(), c.args(), c.name),
        "REGEXP_EXTRACT",
        "REGEXP_SUBSTR");
    add(
        t,
        c ->
            c.n() == 2
                ? "regexp_extract_all("
                    + c.joined(", ")
                    + ", "
                    + captureGroup(c.r, c.ranges().get(1))
                    + ")"
                : null,
        "REGEXP_EXTRACT_ALL");
    add(
        t,
        c -> c.n() == 3 ? "regexp_replace(" + c.joined(", ") + ", 'g')" : null,
        "REGEXP_REPLACE");
    // DuckDB's concat skips NULLs; BigQuery's returns NULL, like the || operator.
    add(t, c -> "(" + c.joined(" || ") + ")", "CONCAT", "ARRAY_CONCAT");
    add(t, c -> c.n() == 2 ? "(" + c.arg(0) + " // " + c.arg(1) + ")" : null, "DIV");
    add(
        t,
        c ->
            c.n() == 2
                ? "CASE WHEN ("
                    + c.arg(1)
                    + ") = 0 THEN NULL ELSE ("
                    + c.arg(0)
                    + ") / ("
                    + c.arg(1)
                    + ") END"
                : null,
        "SAFE_DIVIDE");
    add(t, c -> c.n() == 1 ? "CAST(to_json(" + c.arg(0) + ") AS VARCHAR)" : null, "TO_JSON_STRING");
    add(t, c -> "CAST(uuid() AS VARCHAR)", "GENERATE_UUID");

    add(t, c -> diff(c.r, "date_diff", c.ranges(), c.args(), c.name), "DATE_DIFF", "DATETIME_DIFF");
    // TIMESTAMP_DIFF counts whole intervals (DuckDB date_sub), DATE_DIFF part boundaries.
    add(t, c -> diff(c.r, "date_sub", c.ranges(), c.args(), c.name), "TIMESTAMP_DIFF");
    add(
        t,
        c -> addInterval(c.r, c.upperName(), c.ranges(), c.args(), c.name),
        "DATE_ADD",
        "DATE_SUB",
        "DATETIME_ADD",
        "DATETIME_SUB",
        "TIMESTAMP_ADD",
        "TIMESTAMP_SUB",
        "TIME_ADD",
        "TIME_SUB");
    add(
        t,
        c -> trunc(c.r, c.upperName(), c.ranges(), c.args(), c.name),
        "DATE_TRUNC",
        "DATETIME_TRUNC",
        "TIMESTAMP_TRUNC");
    add(t, c -> c.n() == 2 ? format(c, c.arg(1)) : null, "FORMAT_DATE", "FORMAT_DATETIME");
    add(
        t,
        c ->
            c.n() == 2
                ? format(c, c.arg(1))
                : c.n() == 3 ? format(c, "timezone(" + c.arg(2) + ", " + c.arg(1) + ")") : null,
        "FORMAT_TIMESTAMP");
    add(
        t,
        c -> c.n() == 2 ? format(c, "(DATE '1970-01-01' + " + c.arg(1) + ")") : null,
        "FORMAT_TIME");
    add(t, c -> c.n() == 2 ? "CAST(" + parse(c) + " AS DATE)" : null, "PARSE_DATE");
    add(t, c -> c.n() == 2 ? parse(c) : null, "PARSE_DATETIME");
    add(t, c -> c.n() == 2 ? "CAST(" + parse(c) + " AS TIME)" : null, "PARSE_TIME");
    add(t, c -> diff(c.r, "date_sub", c.ranges(), c.args(), c.name), "TIME_DIFF");
    add(
        t,
        c ->
            c.n() == 2
                ? "CAST(date_trunc('"
                    + datePart(c.r, c.ranges().get(1), c.name)
                    + "', DATE '1970-01-01' + "
                    + c.arg(0)
                    + ") AS TIME)"
                : null,
        "TIME_TRUNC");
    add(
        t,
        c ->
            c.n() == 1
                ? "CAST(DATE '1970-01-01' + CAST(" + c.arg(0) + " AS INTEGER) AS DATE)"
                : null,
        "DATE_FROM_UNIX_DATE");
    add(
        t,
        c -> c.n() == 1 ? "date_diff('day', DATE '1970-01-01', " + c.arg(0) + ")" : null,
        "UNIX_DATE");
    add(
        t,
        c ->
            c.n() == 1
                ? "CAST(make_timestamp(CAST(" + c.arg(0) + " AS BIGINT)) AS TIMESTAMPTZ)"
                : null,
        "TIMESTAMP_MICROS");
    add(
        t,
        c ->
            c.n() >= 2
                ? "list_transform(generate_series(CAST("
                    + c.arg(0)
                    + " AS DATE), CAST("
                    + c.arg(1)
                    + " AS DATE), "
                    + (c.n() == 3 ? c.arg(2) : "INTERVAL 1 DAY")
                    + "), lambda d: CAST(d AS DATE))"
                : null,
        "GENERATE_DATE_ARRAY");
    // Strings, bytes, math and JSON functions that DuckDB names or types differently.
    add(
        t,
        c -> c.n() == 2 ? "contains(lower(" + c.arg(0) + "), lower(" + c.arg(1) + "))" : null,
        "CONTAINS_SUBSTR");
    add(t, c -> c.n() == 1 ? "strlen(" + c.arg(0) + ")" : null, "BYTE_LENGTH", "OCTET_LENGTH");
    add(
        t,
        c ->
            c.n() == 1
                ? "array_to_string(list_transform(" + c.arg(0) + ", lambda p: chr(p)), '')"
                : null,
        "CODE_POINTS_TO_STRING");
    add(t, c -> c.n() == 1 ? "lower(hex(" + c.arg(0) + "))" : null, "TO_HEX");
    add(t, c -> c.n() == 1 ? "unhex(md5(" + c.arg(0) + "))" : null, "MD5");
    add(t, c -> c.n() == 1 ? "unhex(sha1(" + c.arg(0) + "))" : null, "SHA1");
    add(t, c -> c.n() == 1 ? "unhex(sha256(" + c.arg(0) + "))" : null, "SHA256");
    add(t, rename("isinf"), "IS_INF");
    add(t, rename("isnan"), "IS_NAN");
    add(
        t,
        c ->
            c.n() == 2
                ? "(CAST(" + c.arg(0) + " AS DOUBLE) / CAST(" + c.arg(1) + " AS DOUBLE))"
                : null,
        "IEEE_DIVIDE");
    // BigQuery's SAFE_ arithmetic returns NULL on overflow; DuckDB raises, which try() catches.
    add(t, c -> c.n() == 2 ? "try((" + c.arg(0) + ") + (" + c.arg(1) + "))" : null, "SAFE_ADD");
    add(
        t,
        c -> c.n() == 2 ? "try((" + c.arg(0) + ") - (" + c.arg(1) + "))" : null,
        "SAFE_SUBTRACT");
    add(
        t,
        c -> c.n() == 2 ? "try((" + c.arg(0) + ") * (" + c.arg(1) + "))" : null,
        "SAFE_MULTIPLY");
    add(t, c -> c.n() == 1 ? "try(-(" + c.arg(0) + "))" : null, "SAFE_NEGATE");
    add(
        t,
        c ->
            c.n() == 2
                ? "len(list_filter(" + c.arg(1) + ", lambda e: e <= " + c.arg(0) + "))"
                : null,
        "RANGE_BUCKET");
    add(
        t,
        c ->
            c.n() == 3
                ? "array_to_string(list_transform("
                    + c.arg(0)
                    + ", lambda e: coalesce(e, "
                    + c.arg(2)
                    + ")), "
                    + c.arg(1)
                    + ")"
                : c.n() == 2 ? "array_to_string(" + c.joined(", ") + ")" : null,
        "ARRAY_TO_STRING");
    add(t, c -> c.n() == 1 ? "json(" + c.arg(0) + ")" : null, "PARSE_JSON");
    add(
        t,
        c ->
            c.n() == 1
                ? "CASE WHEN ("
                    + c.arg(0)
                    + ") IS NULL THEN NULL ELSE CASE json_type("
                    + c.arg(0)
                    + ") WHEN 'OBJECT' THEN 'object' WHEN 'ARRAY' THEN 'array' WHEN 'VARCHAR' THEN"
                    + " 'string' WHEN 'BOOLEAN' THEN 'boolean' WHEN 'NULL' THEN 'null' ELSE"
                    + " 'number' END END"
                : null,
        "JSON_TYPE");
    add(t, c -> c.n() == 1 ? "CAST(" + c.arg(0) + " AS DOUBLE)" : null, "FLOAT64");
    add(t, c -> c.n() == 1 ? "CAST(" + c.arg(0) + " AS BOOLEAN)" : null, "BOOL");
    add(t, c -> c.n() == 1 ? "CAST(" + c.arg(0) + " AS DECIMAL(38,9))" : null, "PARSE_NUMERIC");
    add(t, c -> c.n() == 1 ? "CAST(" + c.arg(0) + " AS DECIMAL(38,18))" : null, "PARSE_BIGNUMERIC");
    add(
        t,
        c -> c.n() == 1 ? "CAST(floor(epoch(" + c.arg(0) + ")) AS BIGINT)" : null,
        "UNIX_SECONDS");
    add(t, c -> c.n() == 1 ? "epoch_ms(" + c.arg(0) + ")" : null, "UNIX_MILLIS");
    add(t, c -> c.n() == 1 ? "epoch_us(" + c.arg(0) + ")" : null, "UNIX_MICROS");
    add(t, c -> c.n() == 1 ? "to_timestamp(" + c.arg(0) + ")" : null, "TIMESTAMP_SECONDS");
    add(
        t,
        c -> c.n() == 1 ? "to_timestamp((" + c.arg(0) + ") / 1000.0)" : null,
        "TIMESTAMP_MILLIS");
    ValueRewrites.register(t);
    return Map.copyOf(t);
  }

  /** Registers {@code rewrite} for each name; a name registered twice is a bug found at startup. */
  static void add(Map<String, Rewrite> table, Rewrite rewrite, String... names) {
    for (String name : names) {
      if (table.put(name, rewrite) != null) {
        throw new IllegalStateException("two rewrites for " + name);
      }
    }
  }

  private static Rewrite rename(String duckDbName) {
    return c -> duckDbName + "(" + c.joined(", ") + ")";
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
      // BigQuery's WEEK starts on Sunday, days before the first Sunday in week 0 (strftime %U);
      // its ISOWEEK is DuckDB's week.
      case "WEEK" -> "CAST(strftime(" + value + ", '%U') AS BIGINT)";
      case "ISOWEEK" -> "extract('week' FROM " + value + ")";
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

  /** 1 when a literal pattern has a capturing group (BigQuery then returns it), else 0. */
  private static int captureGroup(Rewriter r, Range patternRange) {
    Token pattern = singleToken(r, patternRange);
    return pattern != null
            && pattern.kind() == Kind.STRING
            && CAPTURING_GROUP.matcher(pattern.value()).find()
        ? 1
        : 0;
  }

  /**
   * BigQuery format elements that DuckDB's strftime lacks, spelled with ones it has; {@code %e}
   * (day padded with a space) is assembled by {@link #format}.
   */
  private static String strftimeFormat(String bigQuery) {
    return bigQuery
        .replace("%c", "%a %b %e %H:%M:%S %Y")
        .replace("%x", "%m/%d/%y")
        .replace("%D", "%m/%d/%y")
        .replace("%F", "%Y-%m-%d")
        .replace("%R", "%H:%M")
        .replace("%T", "%H:%M:%S");
  }

  /** FORMAT_DATE and friends: strftime, with a literal format's elements translated. */
  private static String format(Call c, String value) {
    Token literal = singleToken(c.r, c.ranges().get(0));
    if (literal == null || literal.kind() != Kind.STRING) {
      return "strftime(" + value + ", " + c.arg(0) + ")";
    }
    String[] pieces = strftimeFormat(literal.value()).split("%e", -1);
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < pieces.length; i++) {
      if (i > 0) {
        parts.add("lpad(strftime(" + value + ", '%-d'), 2, ' ')");
      }
      if (!pieces[i].isEmpty()) {
        parts.add("strftime(" + value + ", " + Rewriter.stringLiteral(pieces[i]) + ")");
      }
    }
    return parts.isEmpty() ? "''" : "(" + String.join(" || ", parts) + ")";
  }

  /** PARSE_DATE and friends: strptime, with a literal format's elements translated. */
  static String parse(Call c) {
    Token literal = singleToken(c.r, c.ranges().get(0));
    String format =
        literal == null || literal.kind() != Kind.STRING
            ? c.arg(0)
            : Rewriter.stringLiteral(strftimeFormat(literal.value()).replace("%e", "%d"));
    return "strptime(" + c.arg(1) + ", " + format + ")";
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
    if (part.equals("isoweek")) {
      // DuckDB's weeks are ISO weeks (Monday); counting the boundaries between truncated dates.
      return function
          + "('week', date_trunc('week', "
          + start
          + "), date_trunc('week', "
          + end
          + "))";
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
            : part.equals("isoweek")
                ? "date_trunc('week', " + value + ")"
                : "date_trunc('" + part + "', " + value + ")";
    return name.equals("DATE_TRUNC") ? "CAST(" + truncated + " AS DATE)" : truncated;
  }

  static String datePart(Rewriter r, Range range, Token at) {
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

  static Token singleToken(Rewriter r, Range range) {
    return range.end() - range.start() == 1 ? r.tokens().get(range.start()) : null;
  }

  static SqlTranslationException unsupported(String what, Token at) {
    return new SqlTranslationException(
        "Unsupported by the local server: " + what + " at " + at.position());
  }
}
