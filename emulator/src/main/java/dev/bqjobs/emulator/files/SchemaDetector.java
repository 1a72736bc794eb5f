package dev.bqjobs.emulator.files;

import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Schema auto-detection for loads ({@code autodetect: true}) from a sample of rows, with BigQuery's
 * rules: the narrowest type that fits every sampled value of a column, a CSV header recognised when
 * the first row holds strings where the other rows do not, and names like {@code string_field_0}
 * when there is no header.
 */
public final class SchemaDetector {
  /** Rows sampled per file, as BigQuery samples a bounded number of rows. */
  public static final int SAMPLE_ROWS = 500;

  private static final Pattern INTEGER = Pattern.compile("[+-]?\\d{1,18}");
  private static final Pattern FLOAT =
      Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
  private static final Pattern BOOL = Pattern.compile("(?i)true|false");
  private static final Pattern INVALID_NAME_CHARS = Pattern.compile("[^A-Za-z0-9_]");

  private SchemaDetector() {}

  /** The detected CSV schema and whether the first sampled row was a header. */
  public static final class CsvSchema {
    public final List<TableFieldSchema> fields;
    public final boolean header;

    CsvSchema(List<TableFieldSchema> fields, boolean header) {
      this.fields = fields;
      this.header = header;
    }
  }

  /**
   * @param rows sampled rows, the header candidate first
   * @param headerMayBePresent false when {@code skipLeadingRows} is 0 (no header by definition)
   */
  public static CsvSchema csv(List<List<String>> rows, boolean headerMayBePresent) {
    int width = 0;
    for (List<String> r : rows) {
      width = Math.max(width, r.size());
    }
    List<String> dataTypes =
        columnTypes(rows.size() > 1 ? rows.subList(1, rows.size()) : rows, width);
    boolean header = false;
    if (headerMayBePresent && !rows.isEmpty()) {
      List<String> first = rows.get(0);
      List<String> firstTypes = columnTypes(List.of(first), width);
      boolean allStrings = true;
      boolean differs = false;
      for (int i = 0; i < width; i++) {
        String t = firstTypes.get(i);
        allStrings &= t.equals("STRING") && i < first.size() && !first.get(i).isEmpty();
        differs |= !dataTypes.get(i).equals("STRING");
      }
      header = allStrings && differs && rows.size() > 1;
    }
    List<String> types = header ? dataTypes : columnTypes(rows, width);
    List<TableFieldSchema> fields = new ArrayList<>();
    Set<String> used = new HashSet<>();
    for (int i = 0; i < width; i++) {
      String name;
      if (header && i < rows.get(0).size()) {
        name = fieldName(rows.get(0).get(i), i);
      } else {
        name = defaultName(types.get(i), i);
      }
      String unique = name;
      for (int n = 1; !used.add(unique.toLowerCase(Locale.ROOT)); n++) {
        unique = name + "_" + n;
      }
      fields.add(new TableFieldSchema().setName(unique).setType(types.get(i)).setMode("NULLABLE"));
    }
    return new CsvSchema(fields, header);
  }

  private static List<String> columnTypes(List<List<String>> rows, int width) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < width; i++) {
      String type = null;
      for (List<String> r : rows) {
        if (i < r.size() && !r.get(i).isEmpty()) {
          type = merge(type, typeOfText(r.get(i).trim()));
        }
      }
      out.add(type == null ? "STRING" : type);
    }
    return out;
  }

  static String typeOfText(String v) {
    if (BOOL.matcher(v).matches()) {
      return "BOOLEAN";
    }
    if (INTEGER.matcher(v).matches()) {
      return "INTEGER";
    }
    if (FLOAT.matcher(v).matches()) {
      return "FLOAT";
    }
    return temporalType(v);
  }

  private static String temporalType(String v) {
    if (parses(() -> ValueConverter.date(v))) {
      return "DATE";
    }
    if (parses(() -> ValueConverter.time(v))) {
      return "TIME";
    }
    if (parses(() -> ValueConverter.dateTime(v, false))) {
      return "DATETIME";
    }
    if (parses(() -> ValueConverter.dateTime(v, true))) {
      return "TIMESTAMP";
    }
    return "STRING";
  }

  private static boolean parses(Runnable parse) {
    try {
      parse.run();
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static String merge(String a, String b) {
    if (a == null || a.equals(b)) {
      return b;
    }
    if (Set.of(a, b).equals(Set.of("INTEGER", "FLOAT"))) {
      return "FLOAT";
    }
    if (Set.of(a, b).equals(Set.of("DATETIME", "TIMESTAMP"))) {
      return "TIMESTAMP";
    }
    return "STRING";
  }

  private static String fieldName(String header, int index) {
    String name = INVALID_NAME_CHARS.matcher(header.trim()).replaceAll("_");
    if (name.isEmpty()) {
      return "string_field_" + index;
    }
    if (Character.isDigit(name.charAt(0))) {
      name = "_" + name;
    }
    return name.length() > 300 ? name.substring(0, 300) : name;
  }

  private static String defaultName(String type, int index) {
    String prefix =
        switch (type) {
          case "INTEGER" -> "int64";
          case "FLOAT" -> "double";
          case "BOOLEAN" -> "bool";
          default -> type.toLowerCase(Locale.ROOT);
        };
    return prefix + "_field_" + index;
  }

  /** The schema of sampled JSON objects: keys in order of first appearance, types merged. */
  public static List<TableFieldSchema> json(List<JsonObject> rows) {
    Map<String, TableFieldSchema> fields = new LinkedHashMap<>();
    for (JsonObject row : rows) {
      mergeObject(fields, row);
    }
    List<TableFieldSchema> out = new ArrayList<>(fields.values());
    for (TableFieldSchema f : out) {
      finish(f);
    }
    return out;
  }

  private static void mergeObject(Map<String, TableFieldSchema> fields, JsonObject object) {
    for (Map.Entry<String, JsonElement> e : object.entrySet()) {
      String key = e.getKey();
      TableFieldSchema existing = null;
      for (TableFieldSchema f : fields.values()) {
        if (f.getName().equalsIgnoreCase(key)) {
          existing = f;
        }
      }
      TableFieldSchema detected = ofJson(key, e.getValue());
      if (detected == null) {
        if (existing == null) {
          fields.put(key.toLowerCase(Locale.ROOT), new TableFieldSchema().setName(key));
        }
        continue;
      }
      if (existing == null) {
        fields.put(key.toLowerCase(Locale.ROOT), detected);
      } else {
        mergeField(existing, detected);
      }
    }
  }

  private static void mergeField(TableFieldSchema into, TableFieldSchema other) {
    if (into.getType() == null) {
      into.setType(other.getType()).setMode(other.getMode()).setFields(other.getFields());
      return;
    }
    if ("RECORD".equals(into.getType()) && "RECORD".equals(other.getType())) {
      Map<String, TableFieldSchema> subs = new LinkedHashMap<>();
      for (TableFieldSchema f : into.getFields()) {
        subs.put(f.getName().toLowerCase(Locale.ROOT), f);
      }
      for (TableFieldSchema f : other.getFields()) {
        TableFieldSchema same = subs.get(f.getName().toLowerCase(Locale.ROOT));
        if (same == null) {
          subs.put(f.getName().toLowerCase(Locale.ROOT), f);
        } else {
          mergeField(same, f);
        }
      }
      into.setFields(new ArrayList<>(subs.values()));
    } else {
      into.setType(merge(into.getType(), other.getType())).setFields(null);
    }
    if ("REPEATED".equals(other.getMode())) {
      into.setMode("REPEATED");
    }
  }

  /** The field a JSON value suggests, or null for JSON null (type still unknown). */
  private static TableFieldSchema ofJson(String name, JsonElement value) {
    if (value == null || value.isJsonNull()) {
      return null;
    }
    if (value.isJsonArray()) {
      TableFieldSchema element = null;
      for (JsonElement e : value.getAsJsonArray()) {
        TableFieldSchema f = ofJson(name, e);
        if (f == null) {
          continue;
        }
        if (element == null) {
          element = f;
        } else {
          mergeField(element, f);
        }
      }
      if (element == null) {
        element = new TableFieldSchema().setName(name).setType("STRING");
      }
      return element.setMode("REPEATED");
    }
    if (value.isJsonObject()) {
      Map<String, TableFieldSchema> subs = new LinkedHashMap<>();
      mergeObject(subs, value.getAsJsonObject());
      return new TableFieldSchema()
          .setName(name)
          .setType("RECORD")
          .setMode("NULLABLE")
          .setFields(new ArrayList<>(subs.values()));
    }
    JsonPrimitive p = value.getAsJsonPrimitive();
    String type;
    if (p.isBoolean()) {
      type = "BOOLEAN";
    } else if (p.isNumber()) {
      type = INTEGER.matcher(p.getAsString()).matches() ? "INTEGER" : "FLOAT";
    } else {
      type = temporalType(p.getAsString().trim());
    }
    return new TableFieldSchema().setName(name).setType(type).setMode("NULLABLE");
  }

  private static void finish(TableFieldSchema f) {
    if (f.getType() == null) {
      f.setType("STRING");
    }
    if (f.getMode() == null) {
      f.setMode("NULLABLE");
    }
    if (f.getFields() != null) {
      if (f.getFields().isEmpty()) {
        f.setType("STRING").setFields(null); // an empty object carries no columns
      } else {
        f.getFields().forEach(SchemaDetector::finish);
      }
    }
  }
}
