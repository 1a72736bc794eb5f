package dev.bqjobs.emulator.sql;

import com.google.api.services.bigquery.model.QueryParameter;
import com.google.api.services.bigquery.model.QueryParameterType;
import com.google.api.services.bigquery.model.QueryParameterValue;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code queryParameters} of a query request, checked and converted to Java values that DuckDB
 * binds to the statement's placeholders: never pasted into SQL text.
 *
 * <p>Every value is checked when the request arrives, as BigQuery does: a value that does not parse
 * as its type, or that DuckDB could not hold exactly (NUMERIC beyond 38 digits with 9 after the
 * point, BIGNUMERIC beyond the local server's DECIMAL(38,18)), is refused rather than rounded.
 * GEOGRAPHY, INTERVAL and RANGE parameters are refused as not served.
 */
public final class QueryParameters implements ParameterTypes {
  /** A request without parameters. */
  public static final QueryParameters NONE = new QueryParameters(false, Map.of(), List.of());

  private static final Set<String> NOT_SERVED = Set.of("GEOGRAPHY", "INTERVAL", "RANGE");

  /** BigQuery's literal forms of a DATETIME / TIMESTAMP: date, space or T, time, fraction. */
  private static final DateTimeFormatter DATE_TIME =
      new DateTimeFormatterBuilder()
          .append(DateTimeFormatter.ISO_LOCAL_DATE)
          .optionalStart()
          .appendLiteral(' ')
          .optionalEnd()
          .optionalStart()
          .appendLiteral('T')
          .optionalEnd()
          .appendValue(ChronoField.HOUR_OF_DAY, 1, 2, java.time.format.SignStyle.NOT_NEGATIVE)
          .appendLiteral(':')
          .appendValue(ChronoField.MINUTE_OF_HOUR, 2)
          .appendLiteral(':')
          .appendValue(ChronoField.SECOND_OF_MINUTE, 2)
          .optionalStart()
          .appendFraction(ChronoField.NANO_OF_SECOND, 0, 6, true)
          .optionalEnd()
          .toFormatter(Locale.ROOT);

  private final boolean positional;
  private final Map<String, Bound> named;
  private final List<Bound> byPosition;

  /** A parameter's type as DuckDB binds it and its value (null for SQL NULL). */
  private record Bound(Type type, Object value) {}

  /** A parameter type: a scalar, an array of one, or a struct of named fields. */
  private record Type(
      String bigQuery, String duckDb, Type element, List<String> names, List<Type> fields) {}

  /** A struct value: field values in the type's field order. */
  private record StructValue(List<Object> values) {}

  private QueryParameters(boolean positional, Map<String, Bound> named, List<Bound> byPosition) {
    this.positional = positional;
    this.named = named;
    this.byPosition = byPosition;
  }

  /**
   * Checks and converts a request's parameters.
   *
   * @param mode {@code parameterMode}: NAMED, POSITIONAL, or null (then named when the first
   *     parameter has a name)
   * @throws IllegalArgumentException with the message for an HTTP 400 {@code invalid} answer
   */
  public static QueryParameters of(String mode, List<QueryParameter> parameters) {
    if (parameters == null || parameters.isEmpty()) {
      return NONE;
    }
    String m = mode == null ? null : mode.toUpperCase(Locale.ROOT);
    if (m != null && !m.equals("NAMED") && !m.equals("POSITIONAL")) {
      throw new IllegalArgumentException(
          "Invalid value for parameterMode: \"" + mode + "\"; expected NAMED or POSITIONAL");
    }
    boolean positional = m != null ? m.equals("POSITIONAL") : parameters.get(0).getName() == null;
    Map<String, Bound> named = new HashMap<>();
    List<Bound> byPosition = new ArrayList<>();
    for (int i = 0; i < parameters.size(); i++) {
      QueryParameter p = parameters.get(i);
      String label = positional ? "parameter " + (i + 1) : "parameter " + p.getName();
      if (!positional && (p.getName() == null || p.getName().isEmpty())) {
        throw new IllegalArgumentException(
            "Query parameter " + (i + 1) + " has no name; named parameters need one");
      }
      if (p.getParameterType() == null) {
        throw new IllegalArgumentException("Missing parameterType for query " + label);
      }
      Type type = type(p.getParameterType(), label);
      Bound bound = new Bound(type, value(type, p.getParameterValue(), label));
      if (positional) {
        byPosition.add(bound);
      } else if (named.put(p.getName().toLowerCase(Locale.ROOT), bound) != null) {
        throw new IllegalArgumentException("Duplicate query parameter name: " + p.getName());
      }
    }
    return new QueryParameters(positional, Map.copyOf(named), List.copyOf(byPosition));
  }

  @Override
  public String duckDbType(ParameterRef ref) {
    return bound(ref).type.duckDb;
  }

  /** The BigQuery type name of a parameter (INT64, ARRAY&lt;STRING&gt;, ...). */
  public String bigQueryType(ParameterRef ref) {
    return bound(ref).type.bigQuery;
  }

  /** The value to bind for {@code ref}: a Java value, or a DuckDB array or struct of them. */
  public Object jdbcValue(ParameterRef ref, Connection connection) throws SQLException {
    Bound b = bound(ref);
    return jdbc(b.type, b.value, connection);
  }

  private Bound bound(ParameterRef ref) {
    if (ref.variable()) {
      throw new IllegalArgumentException("Unrecognized name: " + ref.name());
    }
    if (ref.isPositional()) {
      if (!positional) {
        throw new IllegalArgumentException("Positional parameters are not supported");
      }
      if (ref.position() > byPosition.size()) {
        throw new IllegalArgumentException("Positional parameter " + ref.position() + " not found");
      }
      return byPosition.get(ref.position() - 1);
    }
    if (positional) {
      throw new IllegalArgumentException("Named parameters are not supported");
    }
    Bound b = named.get(ref.name());
    if (b == null) {
      throw new IllegalArgumentException("Query parameter '" + ref.name() + "' not found");
    }
    return b;
  }

  private static Object jdbc(Type type, Object value, Connection c) throws SQLException {
    if (value == null) {
      return null;
    }
    if (type.element != null) {
      List<?> list = (List<?>) value;
      Object[] elements = new Object[list.size()];
      for (int i = 0; i < elements.length; i++) {
        elements[i] = jdbc(type.element, list.get(i), c);
      }
      return c.createArrayOf(type.element.duckDb, elements);
    }
    if (type.fields != null) {
      List<Object> values = ((StructValue) value).values;
      Object[] attributes = new Object[values.size()];
      for (int i = 0; i < attributes.length; i++) {
        attributes[i] = jdbc(type.fields.get(i), values.get(i), c);
      }
      return c.createStruct(type.duckDb, attributes);
    }
    return value;
  }

  private static Type type(QueryParameterType t, String label) {
    String name = t.getType() == null ? "" : t.getType().toUpperCase(Locale.ROOT);
    if (NOT_SERVED.contains(name)) {
      throw new IllegalArgumentException(
          "Query parameters of type "
              + name
              + " are not supported by the local server ("
              + label
              + ")");
    }
    if (name.equals("ARRAY")) {
      if (t.getArrayType() == null) {
        throw new IllegalArgumentException("Missing arrayType for ARRAY query " + label);
      }
      Type element = type(t.getArrayType(), label);
      if (element.element != null) {
        throw new IllegalArgumentException(
            "Invalid query " + label + ": arrays of arrays are not allowed");
      }
      return new Type(
          "ARRAY<" + element.bigQuery + ">", element.duckDb + "[]", element, null, null);
    }
    if (name.equals("STRUCT") || name.equals("RECORD")) {
      List<String> names = new ArrayList<>();
      List<Type> fields = new ArrayList<>();
      StringBuilder duck = new StringBuilder("STRUCT(");
      StringBuilder big = new StringBuilder("STRUCT<");
      List<QueryParameterType.StructTypes> structTypes =
          t.getStructTypes() == null ? List.of() : t.getStructTypes();
      for (int i = 0; i < structTypes.size(); i++) {
        QueryParameterType.StructTypes f = structTypes.get(i);
        String field =
            f.getName() == null || f.getName().isEmpty() ? "_field_" + (i + 1) : f.getName();
        Type ft = type(f.getType(), label);
        names.add(field);
        fields.add(ft);
        duck.append(i == 0 ? "" : ", ").append(Rewriter.quoteIdentifier(field)).append(' ');
        duck.append(ft.duckDb);
        big.append(i == 0 ? "" : ", ").append(field).append(' ').append(ft.bigQuery);
      }
      return new Type(big.append('>').toString(), duck.append(')').toString(), null, names, fields);
    }
    String duckDb = TypeTranslator.SCALARS.get(name);
    if (duckDb == null || name.equals("INTERVAL") || name.equals("GEOGRAPHY")) {
      throw new IllegalArgumentException(
          "Invalid query " + label + " type: \"" + t.getType() + "\"");
    }
    return new Type(canonical(name), duckDb, null, null, null);
  }

  /** The GoogleSQL name of a type alias (the REST API also accepts INTEGER, FLOAT, BOOLEAN). */
  private static String canonical(String name) {
    return switch (name) {
      case "INT", "INTEGER", "SMALLINT", "BIGINT", "TINYINT", "BYTEINT" -> "INT64";
      case "FLOAT" -> "FLOAT64";
      case "BOOLEAN" -> "BOOL";
      case "DECIMAL" -> "NUMERIC";
      case "BIGDECIMAL" -> "BIGNUMERIC";
      default -> name;
    };
  }

  private static Object value(Type type, QueryParameterValue v, String label) {
    if (type.element != null) {
      if (v == null || v.getArrayValues() == null) {
        // BigQuery has no NULL arrays: an absent array value is the empty array.
        return List.of();
      }
      List<Object> out = new ArrayList<>();
      for (QueryParameterValue element : v.getArrayValues()) {
        out.add(value(type.element, element, label));
      }
      return out;
    }
    if (type.fields != null) {
      if (v == null || v.getStructValues() == null) {
        return null;
      }
      Map<String, QueryParameterValue> given = new LinkedHashMap<>();
      v.getStructValues().forEach((k, x) -> given.put(k.toLowerCase(Locale.ROOT), x));
      List<Object> values = new ArrayList<>();
      for (int i = 0; i < type.fields.size(); i++) {
        QueryParameterValue field = given.get(type.names.get(i).toLowerCase(Locale.ROOT));
        values.add(value(type.fields.get(i), field, label + "." + type.names.get(i)));
      }
      return new StructValue(values);
    }
    return scalar(type.bigQuery, v == null ? null : v.getValue(), label);
  }

  /** Parses a scalar value written as BigQuery's REST API writes it; null stays NULL. */
  static Object scalar(String type, String text, String label) {
    if (text == null) {
      return null;
    }
    try {
      return switch (type) {
        case "INT64" -> Long.parseLong(text.trim());
        case "FLOAT64" -> floatValue(text.trim());
        case "NUMERIC" -> decimal(text, 29, 9, "NUMERIC", label);
        case "BIGNUMERIC" -> decimal(text, 20, 18, "BIGNUMERIC", label);
        case "BOOL" -> boolValue(text.trim());
        case "STRING" -> text;
        case "JSON" -> normalizedJson(text);
        case "BYTES" -> Base64.getDecoder().decode(text.trim());
        case "DATE" -> LocalDate.parse(text.trim());
        case "DATETIME" -> LocalDateTime.parse(text.trim(), DATE_TIME);
        case "TIME" -> LocalTime.parse(text.trim());
        case "TIMESTAMP" -> timestamp(text.trim());
        default -> throw new IllegalArgumentException("unknown type " + type);
      };
    } catch (NumberFormatException | java.time.DateTimeException e) {
      throw invalid(type, text, label);
    } catch (IllegalArgumentException e) {
      if (e.getMessage() != null && e.getMessage().startsWith("Invalid")) {
        throw e;
      }
      throw invalid(type, text, label);
    }
  }

  private static IllegalArgumentException invalid(String type, String text, String label) {
    return new IllegalArgumentException(
        "Invalid " + type + " value for query " + label + ": \"" + text + "\"");
  }

  /** JSON text as BigQuery keeps it: parsed, then written without insignificant whitespace. */
  private static String normalizedJson(String text) {
    try {
      return com.google.gson.JsonParser.parseString(text).toString();
    } catch (com.google.gson.JsonParseException e) {
      throw new NumberFormatException(text);
    }
  }

  private static double floatValue(String text) {
    return switch (text) {
      case "NaN" -> Double.NaN;
      case "Infinity", "inf", "+inf" -> Double.POSITIVE_INFINITY;
      case "-Infinity", "-inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(text);
    };
  }

  private static boolean boolValue(String text) {
    if (text.equalsIgnoreCase("true")) {
      return true;
    }
    if (text.equalsIgnoreCase("false")) {
      return false;
    }
    throw new NumberFormatException(text);
  }

  /** A decimal the engine holds exactly, or a refusal naming the limit (never rounded). */
  private static BigDecimal decimal(
      String text, int integerDigits, int scale, String type, String label) {
    BigDecimal d = new BigDecimal(text.trim());
    BigDecimal stripped = d.signum() == 0 ? BigDecimal.ZERO : d.stripTrailingZeros();
    int fraction = Math.max(stripped.scale(), 0);
    int whole = Math.max(stripped.precision() - stripped.scale(), 0);
    if (fraction > scale || whole > integerDigits) {
      String limit =
          type.equals("NUMERIC")
              ? "NUMERIC holds 29 digits before the point and 9 after"
              : "the local server holds BIGNUMERIC as DECIMAL(38,18): 20 digits before the point"
                  + " and 18 after, narrower than BigQuery's; such values are not supported by the"
                  + " local server";
      throw new IllegalArgumentException(
          "Invalid " + type + " value for query " + label + ": \"" + text + "\" (" + limit + ")");
    }
    return stripped.setScale(scale);
  }

  private static OffsetDateTime timestamp(String text) {
    String t = text;
    ZoneOffset offset = ZoneOffset.UTC;
    if (t.endsWith(" UTC") || t.endsWith("Z") || t.endsWith("z")) {
      t = t.endsWith(" UTC") ? t.substring(0, t.length() - 4) : t.substring(0, t.length() - 1);
    } else {
      int sign = Math.max(t.lastIndexOf('+'), t.lastIndexOf('-'));
      if (sign > 10) {
        String zone = t.substring(sign).trim();
        t = t.substring(0, sign).trim();
        offset = ZoneOffset.of(zone.length() == 3 ? zone + ":00" : zone);
      }
    }
    LocalDateTime local =
        t.length() == 10 ? LocalDate.parse(t).atStartOfDay() : LocalDateTime.parse(t, DATE_TIME);
    return local.atOffset(offset).withOffsetSameInstant(ZoneOffset.UTC);
  }
}
