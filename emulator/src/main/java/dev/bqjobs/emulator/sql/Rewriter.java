package dev.bqjobs.emulator.sql;

import dev.bqjobs.emulator.sql.Token.Kind;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Writes a token list back out as DuckDB SQL, rewriting BigQuery-only syntax token by token:
 * identifiers, literals, types, and function calls (through {@link FunctionRewrites}).
 */
final class Rewriter {
  /** A half-open range of token indexes. */
  record Range(int start, int end) {
    boolean isEmpty() {
      return start >= end;
    }
  }

  private static final Set<String> TYPED_LITERALS =
      Set.of(
          "DATE",
          "DATETIME",
          "TIMESTAMP",
          "TIME",
          "NUMERIC",
          "BIGNUMERIC",
          "DECIMAL",
          "BIGDECIMAL",
          "JSON");

  private final List<Token> tokens;
  private final Edits edits;

  /** Distinct parameters in placeholder order: the k-th is {@code $k} (1-based). */
  private final List<ParameterRef> parameters = new ArrayList<>();

  /** The types parameters are bound as; null to leave placeholders untyped. */
  private final ParameterTypes parameterTypes;

  /** The ordinal of each positional {@code ?} by token index, fixed by the text not emit order. */
  private final java.util.Map<Integer, Integer> positionals = new java.util.HashMap<>();

  Rewriter(List<Token> tokens, Edits edits) {
    this(tokens, edits, null);
  }

  Rewriter(List<Token> tokens, Edits edits, ParameterTypes parameterTypes) {
    this.tokens = tokens;
    this.edits = edits;
    this.parameterTypes = parameterTypes;
    int ordinal = 0;
    for (int i = 0; i < tokens.size(); i++) {
      if (tokens.get(i).isSymbol("?")) {
        positionals.put(i, ++ordinal);
      }
    }
  }

  List<Token> tokens() {
    return tokens;
  }

  /**
   * The distinct parameters, the k-th bound to {@code $k}. A rewrite may emit an argument more than
   * once; the numbered placeholder keeps that one value.
   */
  List<ParameterRef> parameters() {
    return List.copyOf(parameters);
  }

  /** The placeholder for a parameter token: {@code CAST($k AS type)} when types are known. */
  private String placeholder(int i) {
    Token t = tokens.get(i);
    ParameterRef ref;
    if (t.isSymbol("?")) {
      ref = ParameterRef.positional(positionals.get(i));
    } else if (t.text().startsWith("@@")) {
      if (!t.value().contains(".")) {
        // only @@error.* in an exception handler, which the script binds as variables
        throw new SqlTranslationException(
            "System variable "
                + t.text()
                + " is not supported by the local server at "
                + t.position());
      }
      ref = ParameterRef.variable(t.value());
    } else if (t.text().startsWith("@")) {
      ref = ParameterRef.named(t.value());
    } else {
      ref = ParameterRef.variable(t.value());
    }
    String type = null;
    if (parameterTypes != null) {
      try {
        type = parameterTypes.duckDbType(ref);
      } catch (IllegalArgumentException e) {
        throw new SqlTranslationException(e.getMessage() + " at " + t.position());
      }
    }
    int slot = parameters.indexOf(ref);
    if (slot < 0) {
      parameters.add(ref);
      slot = parameters.size() - 1;
    }
    String placeholder = "$" + (slot + 1);
    return type == null ? placeholder : "CAST(" + placeholder + " AS " + type + ")";
  }

  /** The rewritten text of tokens {@code [start, end)}, without leading or trailing whitespace. */
  String emit(Range range) {
    return emit(range.start(), range.end()).strip();
  }

  String emit(int start, int end) {
    StringBuilder out = new StringBuilder();
    int i = start;
    while (i < end) {
      Token t = tokens.get(i);
      out.append(t.before());
      out.append(edits.insertBefore.getOrDefault(i, ""));
      int next = emitOne(i, end, out);
      String suffix = edits.appendAfter.get(next - 1);
      if (suffix != null) {
        out.append(suffix);
      }
      i = next;
    }
    return out.toString();
  }

  /** Appends the rewrite of the construct starting at token {@code i}; returns the next index. */
  private int emitOne(int i, int end, StringBuilder out) {
    Edits.Replacement replacement = edits.replacements.get(i);
    if (replacement != null) {
      out.append(replacement.text());
      return replacement.end();
    }
    Token t = tokens.get(i);
    if (edits.typeStarts.contains(i)) {
      TypeTranslator.Parsed type = TypeTranslator.parse(tokens, i);
      out.append(type.duckDb());
      return type.end();
    }
    switch (t.kind()) {
      case QUOTED_IDENT -> out.append(quotePath(t));
      case STRING -> out.append(stringLiteral(t.value()));
      case BYTES -> out.append(blobLiteral(t.value()));
      case NUMBER -> out.append(number(t.text()));
      case PARAM -> out.append(placeholder(i));
      case SYMBOL -> out.append(t.isSymbol("?") ? placeholder(i) : t.text());
      case WORD -> {
        return word(i, end, out);
      }
    }
    return i + 1;
  }

  private int word(int i, int end, StringBuilder out) {
    Token t = tokens.get(i);
    String name = t.upper();
    Token next = i + 1 < end ? tokens.get(i + 1) : null;
    boolean afterDot = i > 0 && tokens.get(i - 1).isSymbol(".");
    if (afterDot) {
      out.append(t.text());
      return i + 1;
    }
    if (name.equals("SAFE")
        && next != null
        && next.isSymbol(".")
        && i + 3 < end
        && tokens.get(i + 2).kind() == Kind.WORD
        && tokens.get(i + 3).isSymbol("(")) {
      return safeCall(i + 2, end, out);
    }
    if (next != null && next.kind() == Kind.STRING && TYPED_LITERALS.contains(name)) {
      out.append(typedLiteral(name, next));
      return i + 2;
    }
    if (next != null && next.isSymbol("<") && (name.equals("ARRAY") || name.equals("STRUCT"))) {
      return typedConstructor(i, end, out);
    }
    if (next != null && next.isSymbol("(")) {
      int close = matching(i + 1);
      if (close >= end) {
        throw syntax("Unclosed parenthesis", next);
      }
      String rewritten = FunctionRewrites.rewrite(this, i, new Range(i + 2, close));
      if (rewritten != null) {
        out.append(rewritten);
        return close + 1;
      }
      out.append(t.text());
      return i + 1;
    }
    if (name.equals("CURRENT_DATETIME")) {
      out.append("CAST(current_timestamp AS TIMESTAMP)");
      return i + 1;
    }
    out.append(t.text());
    return i + 1;
  }

  /**
   * {@code SAFE.F(args)}: BigQuery returns NULL where F would raise an error; DuckDB's {@code
   * try()} does that for errors raised while evaluating. Returns the index after the call.
   */
  private int safeCall(int nameIndex, int end, StringBuilder out) {
    int close = matching(nameIndex + 1);
    if (close >= end) {
      throw syntax("Unclosed parenthesis", tokens.get(nameIndex + 1));
    }
    String call = FunctionRewrites.rewrite(this, nameIndex, new Range(nameIndex + 2, close));
    if (call == null) {
      call =
          tokens.get(nameIndex).text()
              + "("
              + emit(nameIndex + 2, close)
              + tokens.get(close).before()
              + ")";
    }
    out.append("try(").append(call).append(')');
    return close + 1;
  }

  /** {@code ARRAY<INT64>[1, 2]} and {@code STRUCT<a INT64>(1)}: a literal cast to the type. */
  private int typedConstructor(int i, int end, StringBuilder out) {
    TypeTranslator.Parsed type = TypeTranslator.parse(tokens, i);
    int j = type.end();
    if (j < end && (tokens.get(j).isSymbol("[") || tokens.get(j).isSymbol("("))) {
      int close = matching(j);
      String body = emit(new Range(j + 1, close));
      String value = tokens.get(j).isSymbol("[") ? "[" + body + "]" : "row(" + body + ")";
      out.append("CAST(").append(value).append(" AS ").append(type.duckDb()).append(')');
      return close + 1;
    }
    out.append(type.duckDb());
    return j;
  }

  private static String typedLiteral(String type, Token literal) {
    String value = stringLiteral(literal.value());
    return switch (type) {
      case "DATE" -> "DATE " + value;
      case "TIME" -> "TIME " + value;
      case "DATETIME" -> "TIMESTAMP " + value;
      case "TIMESTAMP" -> "CAST(" + value + " AS TIMESTAMPTZ)";
      case "JSON" -> "json(" + value + ")"; // json() normalizes the text like BigQuery
      default -> "CAST(" + value + " AS " + TypeTranslator.SCALARS.get(type) + ")";
    };
  }

  /** Index of the bracket that closes the one at {@code open}, or {@code tokens.size()}. */
  int matching(int open) {
    int depth = 0;
    for (int i = open; i < tokens.size(); i++) {
      Token t = tokens.get(i);
      if (t.isSymbol("(") || t.isSymbol("[")) {
        depth++;
      } else if (t.isSymbol(")") || t.isSymbol("]")) {
        depth--;
        if (depth == 0) {
          return i;
        }
      }
    }
    return tokens.size();
  }

  /** Splits {@code range} at commas outside brackets and type angle brackets. */
  List<Range> splitArguments(Range range) {
    List<Range> args = new ArrayList<>();
    if (range.isEmpty()) {
      return args;
    }
    int depth = 0;
    int start = range.start();
    for (int i = range.start(); i < range.end(); i++) {
      Token t = tokens.get(i);
      if (t.isSymbol("(") || t.isSymbol("[")) {
        depth++;
      } else if (t.isSymbol(")") || t.isSymbol("]")) {
        depth--;
      } else if (t.isSymbol("<")
          && i > 0
          && (tokens.get(i - 1).isWord("ARRAY") || tokens.get(i - 1).isWord("STRUCT"))) {
        i = TypeTranslator.parse(tokens, i - 1).end() - 1;
      } else if (depth == 0 && t.isSymbol(",")) {
        args.add(new Range(start, i));
        start = i + 1;
      }
    }
    args.add(new Range(start, range.end()));
    return args;
  }

  /** Index of the first {@code word} at bracket depth 0 in {@code range}, or -1. */
  int findTopLevel(Range range, String word) {
    int depth = 0;
    for (int i = range.start(); i < range.end(); i++) {
      Token t = tokens.get(i);
      if (t.isSymbol("(") || t.isSymbol("[")) {
        depth++;
      } else if (t.isSymbol(")") || t.isSymbol("]")) {
        depth--;
      } else if (depth == 0 && t.isWord(word)) {
        return i;
      }
    }
    return -1;
  }

  static String quotePath(Token quoted) {
    StringBuilder out = new StringBuilder();
    for (String part : splitPath(quoted)) {
      if (out.length() > 0) {
        out.append('.');
      }
      out.append(quoteIdentifier(part));
    }
    return out.toString();
  }

  /** The dot-separated parts of a backtick identifier. */
  static List<String> splitPath(Token quoted) {
    List<String> parts = List.of(quoted.value().split("\\.", -1));
    for (String part : parts) {
      if (part.isEmpty()) {
        throw new SqlTranslationException(
            "Syntax error: Invalid identifier " + quoted.text() + " at " + quoted.position());
      }
    }
    return parts;
  }

  static String quoteIdentifier(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  /** A DuckDB string literal: backslashes are plain characters there, quotes are doubled. */
  static String stringLiteral(String value) {
    return "'" + value.replace("'", "''") + "'";
  }

  private static String blobLiteral(String isoBytes) {
    StringBuilder out = new StringBuilder("'");
    for (int i = 0; i < isoBytes.length(); i++) {
      out.append(String.format("\\x%02X", (int) isoBytes.charAt(i)));
    }
    return out.append("'::BLOB").toString();
  }

  /** BigQuery types a literal with a point or exponent FLOAT64; DuckDB would make it DECIMAL. */
  private static String number(String text) {
    String lower = text.toLowerCase(java.util.Locale.ROOT);
    if (lower.startsWith("0x")) {
      return new BigInteger(text.substring(2), 16).toString();
    }
    if (lower.contains(".") || lower.contains("e")) {
      return "CAST(" + text + " AS DOUBLE)";
    }
    return text;
  }

  static SqlTranslationException syntax(String what, Token at) {
    return new SqlTranslationException("Syntax error: " + what + " at " + at.position());
  }
}
