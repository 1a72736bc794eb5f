package dev.bqjobs.emulator.sql;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Translates a BigQuery type written in SQL ({@code ARRAY<STRUCT<a INT64>>}) to DuckDB's. */
final class TypeTranslator {
  /** BigQuery scalar type names (and aliases) to DuckDB types. */
  static final Map<String, String> SCALARS =
      Map.ofEntries(
          Map.entry("INT64", "BIGINT"),
          Map.entry("INT", "BIGINT"),
          Map.entry("INTEGER", "BIGINT"),
          Map.entry("SMALLINT", "BIGINT"),
          Map.entry("BIGINT", "BIGINT"),
          Map.entry("TINYINT", "BIGINT"),
          Map.entry("BYTEINT", "BIGINT"),
          Map.entry("FLOAT64", "DOUBLE"),
          Map.entry("FLOAT", "DOUBLE"),
          Map.entry("NUMERIC", "DECIMAL(38,9)"),
          Map.entry("DECIMAL", "DECIMAL(38,9)"),
          Map.entry("BIGNUMERIC", "DECIMAL(38,18)"),
          Map.entry("BIGDECIMAL", "DECIMAL(38,18)"),
          Map.entry("BOOL", "BOOLEAN"),
          Map.entry("BOOLEAN", "BOOLEAN"),
          Map.entry("STRING", "VARCHAR"),
          Map.entry("BYTES", "BLOB"),
          Map.entry("DATE", "DATE"),
          Map.entry("DATETIME", "TIMESTAMP"),
          Map.entry("TIMESTAMP", "TIMESTAMPTZ"),
          Map.entry("TIME", "TIME"),
          Map.entry("JSON", "JSON"),
          Map.entry("INTERVAL", "INTERVAL"),
          Map.entry("GEOGRAPHY", "VARCHAR"));

  /** A translated type and the index of the first token after it. */
  record Parsed(String duckDb, int end) {}

  private TypeTranslator() {}

  /** Parses the type that starts at {@code tokens[start]}. */
  static Parsed parse(List<Token> tokens, int start) {
    Token t = at(tokens, start);
    String name = t.upper();
    if (t.kind() != Token.Kind.WORD) {
      throw new SqlTranslationException(
          "Syntax error: Expected type name but got " + t.text() + " at " + t.position());
    }
    if (name.equals("ARRAY")) {
      expect(tokens, start + 1, "<");
      Parsed element = parse(tokens, start + 2);
      int end = closeAngle(tokens, element.end());
      return new Parsed(element.duckDb() + "[]", end);
    }
    if (name.equals("STRUCT")) {
      expect(tokens, start + 1, "<");
      StringBuilder out = new StringBuilder("STRUCT(");
      int i = start + 2;
      int field = 0;
      while (true) {
        if (field > 0) {
          out.append(", ");
        }
        // A field is "name type" or just "type"; the name is there when two words follow each
        // other.
        Token first = at(tokens, i);
        Token second = at(tokens, i + 1);
        String fieldName = "_field_" + (field + 1);
        if ((first.kind() == Token.Kind.QUOTED_IDENT || first.kind() == Token.Kind.WORD)
            && !second.isSymbol("<")
            && !second.isSymbol(",")
            && !second.isSymbol(">")
            && !second.isSymbol("(")) {
          fieldName = first.value();
          i++;
        }
        Parsed type = parse(tokens, i);
        out.append(Rewriter.quoteIdentifier(fieldName)).append(' ').append(type.duckDb());
        i = type.end();
        field++;
        if (at(tokens, i).isSymbol(",")) {
          i++;
          continue;
        }
        int end = closeAngle(tokens, i);
        return new Parsed(out.append(')').toString(), end);
      }
    }
    String duck = SCALARS.get(name);
    int end = start + 1;
    if (duck == null) {
      // Not a BigQuery type: leave it to DuckDB (e.g. VARCHAR), which names it in its error.
      duck = t.text();
    }
    if (end < tokens.size() && tokens.get(end).isSymbol("(") && SCALARS.containsKey(name)) {
      // Parameterised types (STRING(10), NUMERIC(10, 2)): the local server does not enforce them.
      int depth = 0;
      do {
        if (tokens.get(end).isSymbol("(")) {
          depth++;
        } else if (tokens.get(end).isSymbol(")")) {
          depth--;
        }
        end++;
      } while (depth > 0 && end < tokens.size());
    }
    return new Parsed(duck, end);
  }

  /** True when {@code word} names a BigQuery scalar type. */
  static boolean isScalar(String word) {
    return SCALARS.containsKey(word.toUpperCase(Locale.ROOT));
  }

  private static int closeAngle(List<Token> tokens, int i) {
    expect(tokens, i, ">");
    return i + 1;
  }

  private static void expect(List<Token> tokens, int i, String symbol) {
    Token t = at(tokens, i);
    if (!t.isSymbol(symbol)) {
      throw new SqlTranslationException(
          "Syntax error: Expected \"" + symbol + "\" but got " + t.text() + " at " + t.position());
    }
  }

  private static Token at(List<Token> tokens, int i) {
    if (i >= tokens.size()) {
      Token last = tokens.get(tokens.size() - 1);
      throw new SqlTranslationException(
          "Syntax error: Unexpected end of statement after "
              + last.text()
              + " at "
              + last.position());
    }
    return tokens.get(i);
  }
}
