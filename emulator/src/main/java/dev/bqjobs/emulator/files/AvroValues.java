package dev.bqjobs.emulator.files;

import com.google.api.client.util.Data;
import com.google.api.services.bigquery.model.TableFieldSchema;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;

/**
 * Converts a table row's cells, in the API's form (strings for scalars, {@code [{"v": ...}]} for
 * arrays, {@code {"f": [...]}} for records), to the Avro values {@link AvroSchemas} declares.
 */
public final class AvroValues {
  private AvroValues() {}

  /** One row as a record of {@code schema}; {@code cells} in the order of {@code fields}. */
  public static GenericData.Record row(
      Schema schema, List<TableFieldSchema> fields, List<Object> cells) {
    GenericData.Record record = new GenericData.Record(schema);
    for (int i = 0; i < fields.size(); i++) {
      Schema.Field f = schema.getFields().get(i);
      record.put(i, value(cells.get(i), fields.get(i), f.schema()));
    }
    return record;
  }

  @SuppressWarnings("unchecked")
  private static Object value(Object cell, TableFieldSchema field, Schema schema) {
    if (cell == null || Data.isNull(cell)) {
      return null;
    }
    Schema type = schema;
    if (type.getType() == Schema.Type.UNION) {
      type = type.getTypes().get(1);
    }
    if (type.getType() == Schema.Type.ARRAY) {
      TableFieldSchema element = field.clone().setMode("REQUIRED");
      List<Object> out = new ArrayList<>();
      for (Object item : (List<Object>) cell) {
        Object v = item instanceof Map ? ((Map<String, Object>) item).get("v") : item;
        out.add(value(v, element, type.getElementType()));
      }
      return out;
    }
    if (type.getType() == Schema.Type.RECORD) {
      List<Object> cells = new ArrayList<>();
      for (Object sub : (List<Object>) ((Map<String, Object>) cell).get("f")) {
        cells.add(((Map<String, Object>) sub).get("v"));
      }
      return row(type, field.getFields(), cells);
    }
    String text = cell.toString();
    String bqType = field.getType() == null ? "STRING" : field.getType().toUpperCase(Locale.ROOT);
    switch (type.getType()) {
      case LONG:
        if (bqType.equals("TIMESTAMP")) {
          return new BigDecimal(text)
              .movePointRight(6)
              .setScale(0, RoundingMode.FLOOR)
              .longValueExact();
        }
        if (bqType.equals("TIME")) {
          return LocalTime.parse(text).toNanoOfDay() / 1_000;
        }
        return Long.parseLong(text);
      case INT:
        return (int) LocalDate.parse(text).toEpochDay();
      case DOUBLE:
        return Double.parseDouble(text);
      case BOOLEAN:
        return Boolean.parseBoolean(text);
      case BYTES:
        if (type.getLogicalType() instanceof LogicalTypes.Decimal d) {
          BigDecimal n = new BigDecimal(text).setScale(d.getScale(), RoundingMode.UNNECESSARY);
          return ByteBuffer.wrap(n.unscaledValue().toByteArray());
        }
        return ByteBuffer.wrap(Base64.getDecoder().decode(text));
      default:
        return text;
    }
  }

  /**
   * An Avro record as a JSON object for the load path ({@link ValueConverter#record}), each value
   * read for its destination field: TIMESTAMP from microseconds (milliseconds for {@code
   * timestamp-millis}) as seconds, DATE from days, TIME from microseconds, NUMERIC from decimal
   * bytes, BYTES as base64.
   */
  public static com.google.gson.JsonObject toJson(
      org.apache.avro.generic.GenericRecord record, List<TableFieldSchema> fields) {
    com.google.gson.JsonObject out = new com.google.gson.JsonObject();
    Schema schema = record.getSchema();
    for (TableFieldSchema f : fields) {
      Schema.Field avro = schema.getField(f.getName());
      if (avro == null) {
        continue;
      }
      out.add(f.getName(), json(record.get(avro.pos()), f, avro.schema()));
    }
    return out;
  }

  private static com.google.gson.JsonElement json(
      Object value, TableFieldSchema field, Schema schema) {
    if (value == null) {
      return com.google.gson.JsonNull.INSTANCE;
    }
    Schema type = branchOf(schema, value);
    if (value instanceof java.util.Collection<?> items) {
      com.google.gson.JsonArray out = new com.google.gson.JsonArray();
      TableFieldSchema element = field.clone().setMode("NULLABLE");
      Schema elementType = type.getType() == Schema.Type.ARRAY ? type.getElementType() : type;
      for (Object item : items) {
        out.add(json(item, element, elementType));
      }
      return out;
    }
    if (value instanceof org.apache.avro.generic.GenericRecord nested) {
      return toJson(nested, field.getFields() == null ? List.of() : field.getFields());
    }
    String bqType = field.getType() == null ? "STRING" : field.getType().toUpperCase(Locale.ROOT);
    String logical = type.getProp("logicalType");
    if (value instanceof Number n && !(value instanceof Double) && !(value instanceof Float)) {
      long v = n.longValue();
      switch (bqType) {
        case "TIMESTAMP":
          long micros = "timestamp-millis".equals(logical) ? v * 1000 : v;
          return new com.google.gson.JsonPrimitive(BigDecimal.valueOf(micros).movePointLeft(6));
        case "DATE":
          return new com.google.gson.JsonPrimitive(LocalDate.ofEpochDay(v).toString());
        case "TIME":
          long timeMicros = "time-millis".equals(logical) ? v * 1000 : v;
          return new com.google.gson.JsonPrimitive(
              LocalTime.ofNanoOfDay(timeMicros * 1000).toString());
        default:
          return new com.google.gson.JsonPrimitive(v);
      }
    }
    if (value instanceof Number n) {
      return new com.google.gson.JsonPrimitive(n.doubleValue());
    }
    if (value instanceof Boolean b) {
      return new com.google.gson.JsonPrimitive(b);
    }
    if (value instanceof ByteBuffer || value instanceof org.apache.avro.generic.GenericFixed) {
      byte[] bytes;
      if (value instanceof ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        bytes = new byte[copy.remaining()];
        copy.get(bytes);
      } else {
        bytes = ((org.apache.avro.generic.GenericFixed) value).bytes();
      }
      if (type.getLogicalType() instanceof LogicalTypes.Decimal d) {
        return new com.google.gson.JsonPrimitive(
            new BigDecimal(new java.math.BigInteger(bytes), d.getScale()).toPlainString());
      }
      return new com.google.gson.JsonPrimitive(Base64.getEncoder().encodeToString(bytes));
    }
    return new com.google.gson.JsonPrimitive(value.toString());
  }

  /** The branch of a union the value belongs to (the non-null one for [null, T]). */
  private static Schema branchOf(Schema schema, Object value) {
    if (schema.getType() != Schema.Type.UNION) {
      return schema;
    }
    int index = GenericData.get().resolveUnion(schema, value);
    return schema.getTypes().get(index);
  }
}
