package dev.bqjobs.emulator.files;

import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Converts the values of load files to a field's BigQuery type in Java, so that each bad value is
 * found (and counted against {@code maxBadRecords}) before anything reaches the table. The result
 * is a canonical text that DuckDB casts to the column type without failing; nested values become
 * JSON text with canonical leaves.
 */
public final class ValueConverter {
  private static final Pattern DATE = Pattern.compile("(\\d{4})-(\\d{1,2})-(\\d{1,2})");
  private static final Pattern TIME =
      Pattern.compile("(\\d{1,2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d{1,9}))?)?");
  private static final Pattern DATE_TIME =
      Pattern.compile(
          "(\\d{4}-\\d{1,2}-\\d{1,2})(?:[T ]("
              + TIME.pattern()
              + "))?\\s*(Z|UTC|[+-]\\d{1,2}(?::?\\d{2})?)?",
          Pattern.CASE_INSENSITIVE);
  private static final BigDecimal MAX_NUMERIC = new BigDecimal("1e29");
  private static final BigDecimal MAX_BIGNUMERIC = new BigDecimal("1e20");
  private static final DateTimeFormatter CANONICAL_DATE_TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS", Locale.ROOT);
  private static final DateTimeFormatter CANONICAL_TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS", Locale.ROOT);

  private ValueConverter() {}

  /** A value that does not fit its field; the message reads like BigQuery's. */
  public static final class BadValueException extends Exception {
    public BadValueException(String message) {
      super(message, null, false, false);
    }
  }

  /** The standard SQL name of a field's type, as BigQuery's load errors print it. */
  public static String typeName(TableFieldSchema field) {
    String t = field.getType() == null ? "" : field.getType().toUpperCase(Locale.ROOT);
    return switch (t) {
      case "INTEGER" -> "INT64";
      case "FLOAT" -> "FLOAT64";
      case "BOOLEAN" -> "BOOL";
      case "RECORD" -> "STRUCT";
      default -> t;
    };
  }

  /** Converts one CSV field (never null; the caller handles null markers) to canonical text. */
  public static String fromText(String text, TableFieldSchema field) throws BadValueException {
    String type = typeName(field);
    String v = type.equals("STRING") || type.equals("BYTES") ? text : text.trim();
    try {
      return switch (type) {
        case "STRING", "GEOGRAPHY" -> text;
        case "INT64" -> Long.toString(Long.parseLong(v.startsWith("+") ? v.substring(1) : v));
        case "FLOAT64" -> Double.toString(parseDouble(v));
        case "NUMERIC" -> decimal(v, 9, MAX_NUMERIC);
        case "BIGNUMERIC" -> decimal(v, 18, MAX_BIGNUMERIC);
        case "BOOL" -> bool(v);
        case "DATE" -> date(v).toString();
        case "DATETIME" -> CANONICAL_DATE_TIME.format(dateTime(v, false).toLocalDateTime());
        case "TIMESTAMP" -> CANONICAL_DATE_TIME.format(timestamp(v)) + "+00";
        case "TIME" -> CANONICAL_TIME.format(time(v));
        case "BYTES" -> bytes(v);
        case "JSON" -> JsonParser.parseString(v).toString();
        default -> throw new BadValueException("Unsupported type " + type + " in a CSV load");
      };
    } catch (ArithmeticException
        | com.google.gson.JsonParseException
        | java.time.DateTimeException
        | IllegalArgumentException e) {
      throw new BadValueException("Could not parse '" + abbreviate(text) + "' as " + type);
    }
  }

  /**
   * Converts one JSON value (not null) to canonical text: scalars as {@link #fromText} does, a
   * RECORD or REPEATED value to JSON text whose leaves are canonical.
   */
  public static String fromJson(JsonElement value, TableFieldSchema field, boolean ignoreUnknown)
      throws BadValueException {
    JsonElement converted = convertJson(value, field, ignoreUnknown, field.getName());
    return converted.isJsonPrimitive() ? converted.getAsString() : converted.toString();
  }

  private static JsonElement convertJson(
      JsonElement value, TableFieldSchema field, boolean ignoreUnknown, String path)
      throws BadValueException {
    if ("REPEATED".equalsIgnoreCase(field.getMode())) {
      JsonArray out = new JsonArray();
      if (value == null || value.isJsonNull()) {
        return out; // BigQuery has no NULL arrays
      }
      if (!value.isJsonArray()) {
        throw new BadValueException("Array specified for non-repeated field: " + path + ".");
      }
      TableFieldSchema element = field.clone().setMode("NULLABLE");
      for (JsonElement e : value.getAsJsonArray()) {
        if (e.isJsonNull()) {
          throw new BadValueException("Only optional fields can be set to NULL. Field: " + path);
        }
        out.add(convertJson(e, element, ignoreUnknown, path));
      }
      return out;
    }
    if (value == null || value.isJsonNull()) {
      if ("REQUIRED".equalsIgnoreCase(field.getMode())) {
        throw new BadValueException("Missing required field: " + path + ".");
      }
      return JsonNull.INSTANCE;
    }
    String type = typeName(field);
    if (type.equals("STRUCT")) {
      if (!value.isJsonObject()) {
        throw new BadValueException(
            "Could not convert value to STRUCT: '"
                + abbreviate(value.toString())
                + "'. Field: "
                + path);
      }
      return record(value.getAsJsonObject(), field.getFields(), ignoreUnknown, path);
    }
    if (value.isJsonArray()) {
      throw new BadValueException("Array specified for non-repeated field: " + path + ".");
    }
    if (type.equals("JSON")) {
      return new JsonPrimitive(value.toString());
    }
    if (value.isJsonObject()) {
      throw new BadValueException(
          "Could not convert an object to "
              + type
              + ". Field: "
              + path
              + "; Value: "
              + abbreviate(value.toString()));
    }
    JsonPrimitive p = value.getAsJsonPrimitive();
    if (type.equals("BOOL") && !p.isBoolean() && !p.isString()) {
      throw new BadValueException(
          "Could not convert value to boolean. Field: " + path + "; Value: " + p);
    }
    if (type.equals("TIMESTAMP") && p.isNumber()) {
      // BigQuery takes JSON numbers for TIMESTAMP as seconds since the epoch.
      BigDecimal seconds = p.getAsBigDecimal();
      long micros = seconds.movePointRight(6).setScale(0, RoundingMode.HALF_UP).longValueExact();
      LocalDateTime t =
          LocalDateTime.ofEpochSecond(
              Math.floorDiv(micros, 1_000_000L),
              (int) Math.floorMod(micros, 1_000_000L) * 1000,
              ZoneOffset.UTC);
      return new JsonPrimitive(CANONICAL_DATE_TIME.format(t) + "+00");
    }
    try {
      return new JsonPrimitive(fromText(p.getAsString(), field));
    } catch (BadValueException e) {
      throw new BadValueException(
          "Could not convert value to "
              + type
              + ". Field: "
              + path
              + "; Value: "
              + abbreviate(p.getAsString()));
    }
  }

  /** A JSON object converted against the record's sub-fields (keys matched case-insensitively). */
  public static JsonObject record(
      JsonObject object, List<TableFieldSchema> fields, boolean ignoreUnknown, String path)
      throws BadValueException {
    Map<String, JsonElement> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (Map.Entry<String, JsonElement> e : object.entrySet()) {
      byName.put(e.getKey(), e.getValue());
    }
    if (!ignoreUnknown) {
      for (String key : object.keySet()) {
        if (fields.stream().noneMatch(f -> f.getName().equalsIgnoreCase(key))) {
          throw new BadValueException(
              "No such field: " + (path == null ? key : path + "." + key) + ".");
        }
      }
    }
    JsonObject out = new JsonObject();
    for (TableFieldSchema f : fields) {
      String sub = path == null ? f.getName() : path + "." + f.getName();
      out.add(f.getName(), convertJson(byName.get(f.getName()), f, ignoreUnknown, sub));
    }
    return out;
  }

  // ---------------------------------------------------------------- scalar parsers

  private static double parseDouble(String v) {
    String lower = v.toLowerCase(Locale.ROOT);
    switch (lower) {
      case "inf":
      case "+inf":
      case "infinity":
      case "+infinity":
        return Double.POSITIVE_INFINITY;
      case "-inf":
      case "-infinity":
        return Double.NEGATIVE_INFINITY;
      case "nan":
        return Double.NaN;
      default:
        if (lower.endsWith("d") || lower.endsWith("f")) {
          throw new NumberFormatException(v); // Java's parser takes these, BigQuery does not
        }
        return Double.parseDouble(v);
    }
  }

  private static String decimal(String v, int scale, BigDecimal limit) {
    BigDecimal d = new BigDecimal(v).setScale(scale, RoundingMode.HALF_EVEN);
    if (d.abs().compareTo(limit) >= 0) {
      throw new ArithmeticException("out of range: " + v);
    }
    return d.toPlainString();
  }

  private static String bool(String v) {
    switch (v.toLowerCase(Locale.ROOT)) {
      case "true":
      case "t":
      case "yes":
      case "y":
      case "1":
        return "true";
      case "false":
      case "f":
      case "no":
      case "n":
      case "0":
        return "false";
      default:
        throw new IllegalArgumentException(v);
    }
  }

  static LocalDate date(String v) {
    Matcher m = DATE.matcher(v);
    if (!m.matches()) {
      throw new IllegalArgumentException(v);
    }
    return LocalDate.of(
        Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
  }

  static LocalTime time(String v) {
    Matcher m = TIME.matcher(v);
    if (!m.matches()) {
      throw new IllegalArgumentException(v);
    }
    return timeOf(m.group(1), m.group(2), m.group(3), m.group(4));
  }

  private static LocalTime timeOf(String h, String m, String s, String fraction) {
    int nanos = 0;
    if (fraction != null) {
      nanos = Integer.parseInt((fraction + "000000000").substring(0, 9));
      nanos = nanos / 1000 * 1000; // BigQuery keeps microseconds
    }
    return LocalTime.of(
        Integer.parseInt(h), Integer.parseInt(m), s == null ? 0 : Integer.parseInt(s), nanos);
  }

  /** A date-time with an optional zone; {@code zoneAllowed} false refuses one (DATETIME). */
  static OffsetDateTime dateTime(String v, boolean zoneAllowed) {
    Matcher m = DATE_TIME.matcher(v);
    if (!m.matches()) {
      throw new IllegalArgumentException(v);
    }
    LocalDate d = date(m.group(1));
    LocalTime t =
        m.group(2) == null
            ? LocalTime.MIDNIGHT
            : timeOf(m.group(3), m.group(4), m.group(5), m.group(6));
    String zone = m.group(7);
    ZoneOffset offset = ZoneOffset.UTC;
    if (zone != null) {
      if (!zoneAllowed) {
        throw new IllegalArgumentException(v);
      }
      if (!zone.equalsIgnoreCase("Z") && !zone.equalsIgnoreCase("UTC")) {
        String digits = zone.substring(1).replace(":", "");
        int hours =
            Integer.parseInt(
                digits.length() <= 2 ? digits : digits.substring(0, digits.length() - 2));
        int minutes =
            digits.length() <= 2 ? 0 : Integer.parseInt(digits.substring(digits.length() - 2));
        int sign = zone.charAt(0) == '-' ? -1 : 1;
        offset = ZoneOffset.ofHoursMinutes(sign * hours, sign * minutes);
      }
    }
    return OffsetDateTime.of(d, t, offset);
  }

  /** A TIMESTAMP in UTC: a date-time with optional zone, or seconds since the epoch. */
  static LocalDateTime timestamp(String v) {
    if (!v.isEmpty()
        && (Character.isDigit(v.charAt(0)) || v.charAt(0) == '-')
        && v.indexOf('-', 1) < 0
        && v.indexOf(':') < 0) {
      BigDecimal seconds = new BigDecimal(v);
      long micros = seconds.movePointRight(6).setScale(0, RoundingMode.HALF_UP).longValueExact();
      return LocalDateTime.ofEpochSecond(
          Math.floorDiv(micros, 1_000_000L),
          (int) Math.floorMod(micros, 1_000_000L) * 1000,
          ZoneOffset.UTC);
    }
    return dateTime(v, true).withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
  }

  private static String bytes(String v) {
    Base64.getDecoder().decode(v.trim());
    return v.trim();
  }

  static String abbreviate(String s) {
    return s.length() <= 100 ? s : s.substring(0, 100) + "...";
  }
}
