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
}
