package dev.bqjobs.emulator.files;

import com.google.api.services.bigquery.model.TableFieldSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;

/**
 * BigQuery's mapping between table schemas and Avro schemas, as its Avro extracts write them and
 * its Avro loads read them: INTEGER {@code long}, FLOAT {@code double}, BOOLEAN {@code boolean},
 * STRING {@code string}, BYTES {@code bytes}, NUMERIC {@code bytes} with logical type {@code
 * decimal(38, 9)} (BIGNUMERIC {@code decimal(77, 38)}), TIMESTAMP {@code long} {@code
 * timestamp-micros}, DATETIME {@code string} with logical type {@code datetime}; DATE {@code int}
 * {@code date} and TIME {@code long} {@code time-micros} with {@code useAvroLogicalTypes}, else
 * {@code string}; GEOGRAPHY and JSON {@code string} with {@code sqlType}; RECORD a record, REPEATED
 * an array, NULLABLE a union with {@code null} first.
 */
public final class AvroSchemas {
  private AvroSchemas() {}

  /** The Avro schema of an extract of a table with these fields; the record is named "Root". */
  public static Schema of(List<TableFieldSchema> fields, boolean useAvroLogicalTypes) {
    return record("Root", fields, useAvroLogicalTypes);
  }

  private static Schema record(
      String name, List<TableFieldSchema> fields, boolean useAvroLogicalTypes) {
    List<Schema.Field> out = new ArrayList<>();
    for (TableFieldSchema f : fields) {
      Schema type = field(f, useAvroLogicalTypes);
      if (f.getDescription() != null) {
        out.add(new Schema.Field(f.getName(), type, f.getDescription(), defaultOf(f)));
      } else {
        out.add(new Schema.Field(f.getName(), type, null, defaultOf(f)));
      }
    }
    return Schema.createRecord(name, null, null, false, out);
  }

  private static Object defaultOf(TableFieldSchema f) {
    return mode(f).equals("NULLABLE") ? Schema.Field.NULL_DEFAULT_VALUE : null;
  }

  private static String mode(TableFieldSchema f) {
    return f.getMode() == null ? "NULLABLE" : f.getMode().toUpperCase(Locale.ROOT);
  }

  /** The type of one field, mode included. */
  static Schema field(TableFieldSchema f, boolean useAvroLogicalTypes) {
    Schema base = scalar(f, useAvroLogicalTypes);
    switch (mode(f)) {
      case "REPEATED":
        return Schema.createArray(base);
      case "REQUIRED":
        return base;
      default:
        return Schema.createUnion(Schema.create(Schema.Type.NULL), base);
    }
  }

  /** The element type of a field, without its mode. */
  public static Schema scalar(TableFieldSchema f, boolean useAvroLogicalTypes) {
    String type = f.getType() == null ? "STRING" : f.getType().toUpperCase(Locale.ROOT);
    switch (type) {
      case "INTEGER":
      case "INT64":
        return Schema.create(Schema.Type.LONG);
      case "FLOAT":
      case "FLOAT64":
        return Schema.create(Schema.Type.DOUBLE);
      case "BOOLEAN":
      case "BOOL":
        return Schema.create(Schema.Type.BOOLEAN);
      case "BYTES":
        return Schema.create(Schema.Type.BYTES);
      case "NUMERIC":
        return LogicalTypes.decimal(38, 9).addToSchema(Schema.create(Schema.Type.BYTES));
      case "BIGNUMERIC":
        return LogicalTypes.decimal(77, 38).addToSchema(Schema.create(Schema.Type.BYTES));
      case "TIMESTAMP":
        return LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG));
      case "DATE":
        return useAvroLogicalTypes
            ? LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT))
            : Schema.create(Schema.Type.STRING);
      case "TIME":
        return useAvroLogicalTypes
            ? LogicalTypes.timeMicros().addToSchema(Schema.create(Schema.Type.LONG))
            : Schema.create(Schema.Type.STRING);
      case "DATETIME":
        {
          Schema s = Schema.create(Schema.Type.STRING);
          s.addProp("logicalType", "datetime");
          return s;
        }
      case "GEOGRAPHY":
      case "JSON":
        {
          Schema s = Schema.create(Schema.Type.STRING);
          s.addProp("sqlType", type);
          return s;
        }
      case "RECORD":
      case "STRUCT":
        return record(
            f.getName(), f.getFields() == null ? List.of() : f.getFields(), useAvroLogicalTypes);
      default:
        return Schema.create(Schema.Type.STRING);
    }
  }

  /**
   * The table fields an Avro load without a schema creates, from the files' own schema: the mapping
   * above read backwards. Logical types count only with {@code useAvroLogicalTypes}, as in BigQuery
   * (without it a {@code timestamp-micros} long loads as INTEGER).
   *
   * @throws IllegalArgumentException naming a field no BigQuery type holds (e.g. a map)
   */
  public static List<TableFieldSchema> fieldsOf(Schema record, boolean useAvroLogicalTypes) {
    List<TableFieldSchema> out = new ArrayList<>();
    for (Schema.Field f : record.getFields()) {
      out.add(fieldOf(f.name(), f.schema(), useAvroLogicalTypes));
    }
    return out;
  }

  private static TableFieldSchema fieldOf(String name, Schema schema, boolean logical) {
    String mode = "REQUIRED";
    Schema type = schema;
    if (type.getType() == Schema.Type.UNION) {
      List<Schema> branches = new ArrayList<>();
      for (Schema branch : type.getTypes()) {
        if (branch.getType() != Schema.Type.NULL) {
          branches.add(branch);
        }
      }
      if (branches.size() != 1) {
        throw new IllegalArgumentException(
            "Avro field " + name + " is a union of several types; BigQuery loads [null, T] only.");
      }
      type = branches.get(0);
      mode = "NULLABLE";
    }
    if (type.getType() == Schema.Type.ARRAY) {
      TableFieldSchema element = fieldOf(name, type.getElementType(), logical);
      return element.setMode("REPEATED");
    }
    TableFieldSchema field = new TableFieldSchema().setName(name).setMode(mode);
    String logicalType = logical ? type.getProp("logicalType") : null;
    switch (type.getType()) {
      case RECORD:
        return field.setType("RECORD").setFields(fieldsOf(type, logical));
      case LONG:
        if ("timestamp-micros".equals(logicalType) || "timestamp-millis".equals(logicalType)) {
          return field.setType("TIMESTAMP");
        }
        return field.setType("time-micros".equals(logicalType) ? "TIME" : "INTEGER");
      case INT:
        if ("date".equals(logicalType)) {
          return field.setType("DATE");
        }
        return field.setType("time-millis".equals(logicalType) ? "TIME" : "INTEGER");
      case FLOAT:
      case DOUBLE:
        return field.setType("FLOAT");
      case BOOLEAN:
        return field.setType("BOOLEAN");
      case BYTES:
      case FIXED:
        if (type.getLogicalType() instanceof LogicalTypes.Decimal d) {
          boolean numeric = d.getScale() <= 9 && d.getPrecision() - d.getScale() <= 29;
          return field.setType(numeric ? "NUMERIC" : "BIGNUMERIC");
        }
        return field.setType("BYTES");
      case STRING:
      case ENUM:
        if ("datetime".equals(type.getProp("logicalType"))) {
          return field.setType("DATETIME");
        }
        String sqlType = type.getProp("sqlType");
        return field.setType(
            "JSON".equals(sqlType) || "GEOGRAPHY".equals(sqlType) ? sqlType : "STRING");
      default:
        throw new IllegalArgumentException(
            "Avro field " + name + " has type " + type.getType() + ", which BigQuery cannot load.");
    }
  }
}
