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
}
