package dev.bqjobs.emulator.sql;

import com.google.api.client.util.Data;
import com.google.api.services.bigquery.model.TableFieldSchema;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Blob;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Maps between BigQuery's schema types and values and DuckDB's.
 *
 * <ul>
 *   <li>{@link #fieldSchemaOf}: a DuckDB column type (as JDBC metadata prints it) to a BigQuery
 *       field schema, for query results and table metadata.
 *   <li>{@link #duckDbTypeOf}: a BigQuery field schema (legacy or standard type names) to the
 *       DuckDB column type that stores it.
 *   <li>{@link #toCellValue}: a value read with {@code ResultSet.getObject} to what BigQuery puts
 *       in a row's {@code {"v": ...}}: strings, lists of {@code {"v"}} maps, {@code {"f": [...]}}
 *       maps.
 * </ul>
 */
public final class DuckDbTypes {
  private static final DateTimeFormatter DATE_TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss", Locale.ROOT);
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);
  private static final BigDecimal MICROS_PER_SECOND = BigDecimal.valueOf(1_000_000);

  private DuckDbTypes() {}

  /**
   * Statements to run once on each new DuckDB connection before user SQL: BigQuery evaluates
   * timestamps without a zone in UTC, and DuckDB (with its built-in ICU extension) in the session
   * time zone; BigQuery sorts NULLs first in ascending order and last in descending order (ORDER
   * BY, and inside STRING_AGG, ARRAY_AGG and OVER), DuckDB last in both.
   */
  public static List<String> sessionSetup() {
    return List.of(
        "SET TimeZone = 'UTC'", "SET default_null_order = 'nulls_first_on_asc_last_on_desc'");
  }

  /**
   * Where the translator's helper macros live: the main schema of the in-memory database every
   * connection is duplicated from, named in full in the translated SQL so no per-connection set-up
   * is needed (creating them per connection cost about 1.5 ms each).
   */
  static final String MACROS = "memory.main.";

  /**
   * Statements run once on a new in-memory database (before any connection is duplicated from it)
   * that define the helper macros the translated SQL calls.
   */
  public static List<String> databaseSetup() {
    return List.of(
        // a / b fails on a zero divisor with BigQuery's message (DuckDB gives Infinity or NULL).
        "CREATE OR REPLACE MACRO "
            + MACROS
            + Divisions.FUNCTION
            + "(a, b) AS CASE WHEN b = 0 THEN error('division by zero: ' || CAST(a AS VARCHAR)"
            + " || ' / ' || CAST(b AS VARCHAR)) ELSE a / b END",
        // arr[OFFSET(i)] / [ORDINAL(i)] (base 0 or 1) fail out of range with BigQuery's message,
        // the SAFE_ forms give NULL; DuckDB gives NULL, and counts negative indexes from the end.
        "CREATE OR REPLACE MACRO "
            + MACROS
            + Subscripts.FUNCTION
            + "(a, i, base, safe) AS CASE WHEN a IS NULL OR i IS NULL THEN NULL"
            + " WHEN i < base THEN CASE WHEN safe THEN NULL ELSE error('Array index '"
            + " || CAST(i AS VARCHAR) || ' is out of bounds (underflow)') END"
            + " WHEN i - base >= len(a) THEN CASE WHEN safe THEN NULL ELSE error('Array index '"
            + " || CAST(i AS VARCHAR) || ' is out of bounds (overflow)') END"
            + " ELSE a[i - base + 1] END",
        // INITCAP(s[, delimiters]): upper-cases the first character and each one after a
        // delimiter, lower-cases the rest; DuckDB has no such function.
        "CREATE OR REPLACE MACRO "
            + MACROS
            + "bq_initcap(s, d) AS array_to_string(list_transform("
            + "range(1, length(s) + 1), lambda i: CASE WHEN i = 1 OR contains(d, substr(s, i - 1, 1))"
            + " THEN upper(substr(s, i, 1)) ELSE lower(substr(s, i, 1)) END), '')");
  }

  /** INITCAP's default delimiters, as a DuckDB string literal: whitespace and punctuation. */
  static final String INITCAP_DELIMITERS =
      "' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13) || '[](){}/|\\<>!?@\"^#$&~_,.:;*%+-'";

  /** The BigQuery type name (INTEGER, FLOAT, NUMERIC, ..., RECORD) for a DuckDB type name. */
  public static String bigQueryTypeOf(String duckDbTypeName) {
    return fieldSchemaOf("f", duckDbTypeName).getType();
  }

  /**
   * The BigQuery field schema of a DuckDB column: name, type, mode (NULLABLE, or REPEATED for a
   * list) and, for a STRUCT, the sub-fields.
   *
   * @throws IllegalArgumentException for types BigQuery cannot represent (MAP, UNION, nested lists)
   */
  public static TableFieldSchema fieldSchemaOf(String name, String duckDbTypeName) {
    return DuckDbTypeParser.parse(name, duckDbTypeName);
  }

  /**
   * The DuckDB column type for a BigQuery field schema.
   *
   * @throws IllegalArgumentException for an unknown type, naming the field and the type
   */
  public static String duckDbTypeOf(TableFieldSchema field) {
    String type = field.getType() == null ? "" : field.getType().toUpperCase(Locale.ROOT);
    String duck;
    if (type.equals("RECORD") || type.equals("STRUCT")) {
      List<TableFieldSchema> fields = field.getFields();
      if (fields == null || fields.isEmpty()) {
        throw new IllegalArgumentException(
            "Field " + field.getName() + " is type " + type + " but has no schema");
      }
      List<String> parts = new ArrayList<>();
      for (TableFieldSchema sub : fields) {
        parts.add(Rewriter.quoteIdentifier(sub.getName()) + " " + duckDbTypeOf(sub));
      }
      duck = "STRUCT(" + String.join(", ", parts) + ")";
    } else {
      duck =
          switch (type) {
            case "INTEGER", "INT64" -> "BIGINT";
            case "FLOAT", "FLOAT64" -> "DOUBLE";
            case "NUMERIC" -> "DECIMAL(38,9)";
            case "BIGNUMERIC" -> "DECIMAL(38,18)";
            case "BOOLEAN", "BOOL" -> "BOOLEAN";
            case "STRING", "GEOGRAPHY" -> "VARCHAR";
            case "BYTES" -> "BLOB";
            case "DATE" -> "DATE";
            case "DATETIME" -> "TIMESTAMP";
            case "TIMESTAMP" -> "TIMESTAMPTZ";
            case "TIME" -> "TIME";
            case "JSON" -> "JSON";
            default ->
                throw new IllegalArgumentException(
                    "Invalid field type: " + field.getType() + " (field " + field.getName() + ")");
          };
    }
    return "REPEATED".equalsIgnoreCase(field.getMode()) ? duck + "[]" : duck;
  }

  /**
   * The value BigQuery's tabledata.list and getQueryResults put in a cell's {@code "v"}: {@code
   * null}, a String, a List of {@code {"v": ...}} maps (REPEATED), or a {@code {"f": [...]}} map
   * (RECORD).
   *
   * @param jdbcValue what {@code ResultSet.getObject} returned for the column
   * @param field the column's BigQuery schema
   */
  public static Object toCellValue(Object jdbcValue, TableFieldSchema field) {
    if ("REPEATED".equalsIgnoreCase(field.getMode())) {
      TableFieldSchema element = field.clone().setMode("NULLABLE");
      List<Object> cells = new ArrayList<>();
      // BigQuery has no NULL arrays: it returns an empty one.
      for (Object value : elements(jdbcValue, field)) {
        cells.add(Map.of("v", nullable(toCellValue(value, element))));
      }
      return cells;
    }
    if (jdbcValue == null) {
      return null;
    }
    String type = field.getType() == null ? "" : field.getType().toUpperCase(Locale.ROOT);
    return switch (type) {
      case "RECORD", "STRUCT" -> record(jdbcValue, field);
      case "INTEGER", "INT64" -> integer(jdbcValue);
      case "FLOAT", "FLOAT64" -> Double.toString(((Number) jdbcValue).doubleValue());
      case "NUMERIC", "BIGNUMERIC" -> numeric(jdbcValue);
      case "BOOLEAN", "BOOL" -> jdbcValue.toString();
      case "BYTES" -> Base64.getEncoder().encodeToString(bytes(jdbcValue));
      case "DATE" -> date(jdbcValue);
      case "DATETIME" -> dateTime(jdbcValue);
      case "TIME" -> time(jdbcValue);
      case "TIMESTAMP" -> timestamp(jdbcValue);
      default -> jdbcValue.toString();
    };
  }

  /**
   * A null inside a list or record: google-http-client's JSON writer leaves out map entries whose
   * value is a plain {@code null}; its {@link Data#NULL_STRING} marker is written as JSON null.
   */
  private static Object nullable(Object value) {
    return value == null ? Data.NULL_STRING : value;
  }

  private static Map<String, Object> record(Object value, TableFieldSchema field) {
    Object[] attributes;
    try {
      if (value instanceof java.sql.Struct struct) {
        attributes = struct.getAttributes();
      } else if (value instanceof Map<?, ?> map) {
        attributes = map.values().toArray();
      } else {
        throw new IllegalArgumentException(
            "Cannot read a " + value.getClass().getName() + " as RECORD field " + field.getName());
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot read RECORD field " + field.getName(), e);
    }
    List<TableFieldSchema> fields = field.getFields() == null ? List.of() : field.getFields();
    List<Object> cells = new ArrayList<>();
    for (int i = 0; i < fields.size(); i++) {
      Object sub = i < attributes.length ? attributes[i] : null;
      Map<String, Object> cell = new LinkedHashMap<>();
      cell.put("v", nullable(toCellValue(sub, fields.get(i))));
      cells.add(cell);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("f", cells);
    return out;
  }

  private static List<Object> elements(Object value, TableFieldSchema field) {
    if (value == null) {
      return List.of();
    }
    try {
      if (value instanceof java.sql.Array array) {
        value = array.getArray();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot read REPEATED field " + field.getName(), e);
    }
    if (value instanceof Object[] objects) {
      return java.util.Arrays.asList(objects);
    }
    if (value instanceof List<?> list) {
      return new ArrayList<>(list);
    }
    throw new IllegalArgumentException(
        "Cannot read a " + value.getClass().getName() + " as REPEATED field " + field.getName());
  }

  private static String integer(Object value) {
    if (value instanceof Number n
        && !(value instanceof BigDecimal)
        && !(value instanceof Double)
        && !(value instanceof Float)) {
      return value instanceof BigInteger ? value.toString() : Long.toString(n.longValue());
    }
    return new BigDecimal(value.toString()).toBigIntegerExact().toString();
  }

  private static String numeric(Object value) {
    BigDecimal d = value instanceof BigDecimal b ? b : new BigDecimal(value.toString());
    if (d.signum() == 0) {
      return "0";
    }
    return d.stripTrailingZeros().toPlainString();
  }

  private static byte[] bytes(Object value) {
    if (value instanceof byte[] b) {
      return b;
    }
    try {
      if (value instanceof Blob blob) {
        return blob.getBytes(1, (int) blob.length());
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot read BYTES value", e);
    }
    if (value instanceof java.nio.ByteBuffer buffer) {
      byte[] out = new byte[buffer.remaining()];
      buffer.duplicate().get(out);
      return out;
    }
    throw new IllegalArgumentException("Cannot read a " + value.getClass().getName() + " as BYTES");
  }

  private static String date(Object value) {
    if (value instanceof java.sql.Date d) {
      return d.toLocalDate().toString();
    }
    if (value instanceof LocalDate d) {
      return d.toString();
    }
    return value.toString();
  }

  private static String dateTime(Object value) {
    LocalDateTime t;
    if (value instanceof Timestamp ts) {
      t = ts.toLocalDateTime();
    } else if (value instanceof LocalDateTime l) {
      t = l;
    } else if (value instanceof OffsetDateTime o) {
      t = o.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
    } else {
      return value.toString();
    }
    return DATE_TIME.format(t) + fraction(t.getNano());
  }

  private static String time(Object value) {
    LocalTime t;
    if (value instanceof LocalTime l) {
      t = l;
    } else if (value instanceof OffsetTime o) {
      t = o.toLocalTime();
    } else if (value instanceof java.sql.Time s) {
      t = s.toLocalTime();
    } else {
      return value.toString();
    }
    return TIME.format(t) + fraction(t.getNano());
  }

  /** BigQuery prints six fractional digits when the value has a fraction, none otherwise. */
  private static String fraction(int nanos) {
    int micros = nanos / 1000;
    return micros == 0 ? "" : String.format(Locale.ROOT, ".%06d", micros);
  }

  /**
   * TIMESTAMP cells are seconds since the epoch printed like a Java double ({@code 1.7E9}, {@code
   * 1.706704496123456E9}); built from exact microseconds so no digit is lost to rounding.
   */
  private static String timestamp(Object value) {
    Instant instant;
    if (value instanceof OffsetDateTime o) {
      instant = o.toInstant();
    } else if (value instanceof ZonedDateTime z) {
      instant = z.toInstant();
    } else if (value instanceof Instant i) {
      instant = i;
    } else if (value instanceof Timestamp ts) {
      // A TIMESTAMP without a zone is read as UTC, the session time zone.
      instant = ts.toLocalDateTime().toInstant(ZoneOffset.UTC);
    } else if (value instanceof LocalDateTime l) {
      instant = l.toInstant(ZoneOffset.UTC);
    } else {
      return value.toString();
    }
    long micros =
        Math.addExact(
            Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1000);
    return epochSeconds(BigDecimal.valueOf(micros).divide(MICROS_PER_SECOND));
  }

  /** Formats like {@link Double#toString(double)}, but exactly. */
  static String epochSeconds(BigDecimal seconds) {
    if (seconds.signum() == 0) {
      return "0.0";
    }
    BigDecimal abs = seconds.abs();
    if (abs.compareTo(BigDecimal.valueOf(1, 3)) >= 0
        && abs.compareTo(BigDecimal.valueOf(10_000_000)) < 0) {
      String plain = seconds.stripTrailingZeros().toPlainString();
      return plain.contains(".") ? plain : plain + ".0";
    }
    BigDecimal stripped = seconds.stripTrailingZeros();
    int exponent = stripped.precision() - stripped.scale() - 1;
    BigDecimal mantissa = stripped.movePointLeft(exponent);
    String m = mantissa.toPlainString();
    if (!m.contains(".")) {
      m = m + ".0";
    }
    return m + "E" + exponent;
  }
}
