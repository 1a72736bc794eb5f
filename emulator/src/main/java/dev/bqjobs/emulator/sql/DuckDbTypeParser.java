package dev.bqjobs.emulator.sql;

import com.google.api.services.bigquery.model.TableFieldSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses DuckDB type strings as JDBC metadata and {@code information_schema} print them ({@code
 * STRUCT("a b" BIGINT, c VARCHAR[])[]}) into BigQuery field schemas.
 */
final class DuckDbTypeParser {
  private final String text;
  private int pos;

  private DuckDbTypeParser(String text) {
    this.text = text;
  }

  static TableFieldSchema parse(String name, String duckDbType) {
    DuckDbTypeParser p = new DuckDbTypeParser(duckDbType);
    TableFieldSchema field = p.type(name);
    p.skipSpaces();
    if (p.pos != p.text.length()) {
      throw p.error();
    }
    return field;
  }

  private TableFieldSchema type(String name) {
    skipSpaces();
    int start = pos;
    while (pos < text.length()
        && (Character.isLetterOrDigit(text.charAt(pos))
            || text.charAt(pos) == '_'
            || text.charAt(pos) == ' ')) {
      // Multi-word names: "TIMESTAMP WITH TIME ZONE", "DOUBLE PRECISION".
      if (text.charAt(pos) == ' ' && !nextWordContinuesName()) {
        break;
      }
      pos++;
    }
    String base = text.substring(start, pos).trim().toUpperCase(Locale.ROOT);
    if (base.isEmpty()) {
      if (text.startsWith("\"NULL\"", pos)) {
        pos += 6;
        base = "NULL";
      } else {
        throw error();
      }
    }
    TableFieldSchema field = new TableFieldSchema().setName(name).setMode("NULLABLE");
    if ((base.equals("STRUCT") || base.equals("TUPLE")) && peek('(')) {
      pos++;
      List<TableFieldSchema> fields = new ArrayList<>();
      while (true) {
        skipSpaces();
        String fieldName = base.equals("TUPLE") ? "_field_" + (fields.size() + 1) : identifier();
        fields.add(type(fieldName));
        skipSpaces();
        if (peek(',')) {
          pos++;
          continue;
        }
        expect(')');
        break;
      }
      field.setType("RECORD").setFields(fields);
    } else {
      String params = "";
      if (peek('(')) {
        int close = text.indexOf(')', pos);
        if (close < 0) {
          throw error();
        }
        params = text.substring(pos + 1, close);
        pos = close + 1;
      }
      field.setType(scalar(base, params));
    }
    skipSpaces();
    if (peek('[')) {
      int close = text.indexOf(']', pos);
      if (close < 0) {
        throw error();
      }
      pos = close + 1;
      skipSpaces();
      if (peek('[')) {
        throw new IllegalArgumentException(
            "Unsupported DuckDB type "
                + text
                + " for field "
                + name
                + ": BigQuery has no arrays of arrays");
      }
      field.setMode("REPEATED");
    }
    return field;
  }

  private String scalar(String base, String params) {
    switch (base) {
      case "BIGINT",
          "INTEGER",
          "SMALLINT",
          "TINYINT",
          "HUGEINT",
          "UBIGINT",
          "UINTEGER",
          "USMALLINT",
          "UTINYINT",
          "UHUGEINT",
          "INT",
          "INT8",
          "INT4",
          "INT2",
          "INT1",
          "LONG",
          "NULL" -> {
        return "INTEGER";
      }
      case "DOUBLE", "FLOAT", "REAL", "FLOAT4", "FLOAT8", "DOUBLE PRECISION" -> {
        return "FLOAT";
      }
      case "DECIMAL", "NUMERIC" -> {
        String[] ps = params.split(",");
        int scale = ps.length == 2 ? Integer.parseInt(ps[1].trim()) : 3;
        return scale > 9 ? "BIGNUMERIC" : "NUMERIC";
      }
      case "VARCHAR", "TEXT", "STRING", "UUID", "ENUM", "INTERVAL", "BIT", "CHAR", "BPCHAR" -> {
        return "STRING";
      }
      case "BOOLEAN", "BOOL" -> {
        return "BOOLEAN";
      }
      case "BLOB", "BYTEA", "VARBINARY" -> {
        return "BYTES";
      }
      case "DATE" -> {
        return "DATE";
      }
      case "TIMESTAMP", "DATETIME", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS" -> {
        return "DATETIME";
      }
      case "TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ" -> {
        return "TIMESTAMP";
      }
      case "TIME", "TIME WITH TIME ZONE", "TIMETZ" -> {
        return "TIME";
      }
      case "JSON" -> {
        return "JSON";
      }
      default ->
          throw new IllegalArgumentException("Unsupported DuckDB type for BigQuery: " + text);
    }
  }

  private boolean nextWordContinuesName() {
    String rest = text.substring(pos + 1).toUpperCase(Locale.ROOT);
    return rest.startsWith("WITH ")
        || rest.startsWith("TIME ZONE")
        || rest.startsWith("ZONE")
        || rest.startsWith("PRECISION");
  }

  private String identifier() {
    if (peek('"')) {
      StringBuilder out = new StringBuilder();
      pos++;
      while (pos < text.length()) {
        char c = text.charAt(pos++);
        if (c == '"') {
          if (peek('"')) {
            out.append('"');
            pos++;
            continue;
          }
          return out.toString();
        }
        out.append(c);
      }
      throw error();
    }
    int start = pos;
    while (pos < text.length() && text.charAt(pos) != ' ') {
      pos++;
    }
    return text.substring(start, pos);
  }

  private boolean peek(char c) {
    return pos < text.length() && text.charAt(pos) == c;
  }

  private void expect(char c) {
    skipSpaces();
    if (!peek(c)) {
      throw error();
    }
    pos++;
  }

  private void skipSpaces() {
    while (pos < text.length() && text.charAt(pos) == ' ') {
      pos++;
    }
  }

  private IllegalArgumentException error() {
    return new IllegalArgumentException("Cannot read DuckDB type " + text + " at offset " + pos);
  }
}
