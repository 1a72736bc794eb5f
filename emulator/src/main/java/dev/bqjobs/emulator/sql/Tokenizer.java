package dev.bqjobs.emulator.sql;

import dev.bqjobs.emulator.sql.Token.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits BigQuery Standard SQL into tokens. Knows BigQuery's lexical rules (comments with {@code
 * --}, {@code #} and {@code /* *}{@code /}; single, double and triple quoted strings with backslash
 * escapes; raw and bytes prefixes; backtick identifiers) so the rewriter never has to look at
 * characters again.
 */
final class Tokenizer {
  private static final String TWO_CHAR_SYMBOLS = "<= >= <> != || ->";

  private final String sql;
  private int pos;
  private int line = 1;
  private int lineStart;

  private Tokenizer(String sql) {
    this.sql = sql;
  }

  /** Tokenizes {@code sql}; throws {@link SqlTranslationException} on a lexical error. */
  static List<Token> tokenize(String sql) {
    return new Tokenizer(sql).run();
  }

  private List<Token> run() {
    List<Token> tokens = new ArrayList<>();
    while (true) {
      String before = skipWhitespaceAndComments();
      if (pos >= sql.length()) {
        return tokens;
      }
      tokens.add(next(before));
    }
  }

  private String skipWhitespaceAndComments() {
    StringBuilder before = new StringBuilder();
    while (pos < sql.length()) {
      char c = sql.charAt(pos);
      if (c == '\n') {
        before.append(c);
        newLine(pos + 1);
        pos++;
      } else if (Character.isWhitespace(c)) {
        before.append(c);
        pos++;
      } else if (c == '#' || sql.startsWith("--", pos)) {
        while (pos < sql.length() && sql.charAt(pos) != '\n') {
          pos++;
        }
        before.append(' ');
      } else if (sql.startsWith("/*", pos)) {
        int line0 = line;
        int col0 = column(pos);
        int end = sql.indexOf("*/", pos + 2);
        if (end < 0) {
          throw error("Unclosed comment", line0, col0);
        }
        for (int i = pos; i < end; i++) {
          if (sql.charAt(i) == '\n') {
            newLine(i + 1);
            before.append('\n');
          }
        }
        pos = end + 2;
        before.append(' ');
      } else {
        break;
      }
    }
    return before.toString();
  }

  private Token next(String before) {
    int start = pos;
    int startLine = line;
    int startCol = column(pos);
    char c = sql.charAt(pos);
    if (c == '`') {
      pos++;
      String value = quoted('`', false, false, startLine, startCol, "Unclosed identifier literal");
      if (value.isEmpty()) {
        throw error("Invalid empty identifier", startLine, startCol);
      }
      return new Token(
          Kind.QUOTED_IDENT, sql.substring(start, pos), value, before, startLine, startCol);
    }
    if (c == '\'' || c == '"') {
      return string(Kind.STRING, false, start, before, startLine, startCol);
    }
    if (isWordStart(c)) {
      int end = pos;
      while (end < sql.length() && isWordPart(sql.charAt(end))) {
        end++;
      }
      String word = sql.substring(pos, end);
      if (end < sql.length() && (sql.charAt(end) == '\'' || sql.charAt(end) == '"')) {
        String prefix = word.toLowerCase(java.util.Locale.ROOT);
        if (prefix.equals("r")
            || prefix.equals("b")
            || prefix.equals("rb")
            || prefix.equals("br")) {
          pos = end;
          return string(
              prefix.contains("b") ? Kind.BYTES : Kind.STRING,
              prefix.contains("r"),
              start,
              before,
              startLine,
              startCol);
        }
      }
      pos = end;
      return new Token(Kind.WORD, word, word, before, startLine, startCol);
    }
    if (Character.isDigit(c)
        || (c == '.' && pos + 1 < sql.length() && Character.isDigit(sql.charAt(pos + 1)))) {
      return number(before, startLine, startCol);
    }
    if (c == '@') {
      // @@error.message is a script's system variable: a PARAM "@@error" the script binds.
      boolean system = sql.startsWith("@@", pos);
      int nameStart = system ? pos + 2 : pos + 1;
      int end = nameStart;
      while (end < sql.length() && isWordPart(sql.charAt(end))) {
        end++;
      }
      if (end == nameStart) {
        throw error("Illegal input character \"@\"", startLine, startCol);
      }
      pos = end;
      return new Token(
          Kind.PARAM,
          sql.substring(start, end),
          system ? sql.substring(start, end) : sql.substring(start + 1, end),
          before,
          startLine,
          startCol);
    }
    if (pos + 1 < sql.length()) {
      String two = sql.substring(pos, pos + 2);
      if (TWO_CHAR_SYMBOLS.contains(two) && !two.contains(" ")) {
        pos += 2;
        return new Token(Kind.SYMBOL, two, two, before, startLine, startCol);
      }
    }
    if ("()[]{},.;:+-*/%<>=!|&^~?".indexOf(c) >= 0) {
      pos++;
      String s = String.valueOf(c);
      return new Token(Kind.SYMBOL, s, s, before, startLine, startCol);
    }
    throw error("Illegal input character \"" + c + "\"", startLine, startCol);
  }

  private Token number(String before, int startLine, int startCol) {
    int start = pos;
    if (sql.startsWith("0x", pos) || sql.startsWith("0X", pos)) {
      pos += 2;
      while (pos < sql.length() && Character.digit(sql.charAt(pos), 16) >= 0) {
        pos++;
      }
    } else {
      while (pos < sql.length() && Character.isDigit(sql.charAt(pos))) {
        pos++;
      }
      if (pos < sql.length() && sql.charAt(pos) == '.') {
        pos++;
        while (pos < sql.length() && Character.isDigit(sql.charAt(pos))) {
          pos++;
        }
      }
      if (pos < sql.length() && (sql.charAt(pos) == 'e' || sql.charAt(pos) == 'E')) {
        int save = pos;
        pos++;
        if (pos < sql.length() && (sql.charAt(pos) == '+' || sql.charAt(pos) == '-')) {
          pos++;
        }
        if (pos < sql.length() && Character.isDigit(sql.charAt(pos))) {
          while (pos < sql.length() && Character.isDigit(sql.charAt(pos))) {
            pos++;
          }
        } else {
          pos = save;
        }
      }
    }
    if (pos < sql.length() && isWordStart(sql.charAt(pos))) {
      throw error("Missing whitespace between literal and alias", line, column(pos));
    }
    String text = sql.substring(start, pos);
    return new Token(Kind.NUMBER, text, text, before, startLine, startCol);
  }

  private Token string(
      Kind kind, boolean raw, int start, String before, int startLine, int startCol) {
    char quote = sql.charAt(pos);
    boolean triple = sql.startsWith(String.valueOf(quote).repeat(3), pos);
    pos += triple ? 3 : 1;
    String value =
        quoted(
            quote,
            triple,
            raw,
            startLine,
            startCol,
            kind == Kind.BYTES ? "Unclosed bytes literal" : "Unclosed string literal");
    if (kind == Kind.BYTES) {
      for (int i = 0; i < value.length(); i++) {
        if (value.charAt(i) > 0xFF) {
          // A bytes literal holds its characters as UTF-8.
          value =
              new String(
                  value.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                  java.nio.charset.StandardCharsets.ISO_8859_1);
          break;
        }
      }
    }
    return new Token(kind, sql.substring(start, pos), value, before, startLine, startCol);
  }

  /** Reads up to the closing quote (pos is just after the opening one) and decodes escapes. */
  private String quoted(
      char quote, boolean triple, boolean raw, int startLine, int startCol, String unclosed) {
    StringBuilder value = new StringBuilder();
    String closing = triple ? String.valueOf(quote).repeat(3) : String.valueOf(quote);
    while (true) {
      if (pos >= sql.length()) {
        throw error(unclosed, startLine, startCol);
      }
      if (sql.startsWith(closing, pos)) {
        pos += closing.length();
        return value.toString();
      }
      char c = sql.charAt(pos);
      if (c == '\n') {
        if (!triple) {
          throw error(unclosed, startLine, startCol);
        }
        newLine(pos + 1);
      }
      if (c == '\\') {
        if (pos + 1 >= sql.length()) {
          throw error(unclosed, startLine, startCol);
        }
        if (raw) {
          // Raw strings keep the backslash, but it still protects the next character from closing.
          value.append(c).append(sql.charAt(pos + 1));
          pos += 2;
        } else {
          escape(value);
        }
        continue;
      }
      value.append(c);
      pos++;
    }
  }

  private void escape(StringBuilder value) {
    int escLine = line;
    int escCol = column(pos);
    char e = sql.charAt(pos + 1);
    pos += 2;
    switch (e) {
      case 'a' -> value.append('\u0007');
      case 'b' -> value.append('\b');
      case 'f' -> value.append('\f');
      case 'n' -> value.append('\n');
      case 'r' -> value.append('\r');
      case 't' -> value.append('\t');
      case 'v' -> value.append('\u000B');
      case '\\', '?', '"', '\'', '`' -> value.append(e);
      case 'x', 'X' -> value.append((char) hex(2, escLine, escCol, "\\" + e));
      case 'u' -> value.appendCodePoint(hex(4, escLine, escCol, "\\u"));
      case 'U' -> value.appendCodePoint(hex(8, escLine, escCol, "\\U"));
      default -> {
        if (e >= '0' && e <= '7' && pos + 1 < sql.length()) {
          String oct = sql.substring(pos - 1, pos + 2);
          if (oct.chars().allMatch(ch -> ch >= '0' && ch <= '7')) {
            value.append((char) Integer.parseInt(oct, 8));
            pos += 2;
            return;
          }
        }
        throw error("Illegal escape sequence: \\" + e, escLine, escCol);
      }
    }
  }

  private int hex(int digits, int escLine, int escCol, String escape) {
    if (pos + digits > sql.length()) {
      throw error("Illegal escape sequence: " + escape, escLine, escCol);
    }
    String h = sql.substring(pos, pos + digits);
    try {
      int cp = Integer.parseUnsignedInt(h, 16);
      if (!Character.isValidCodePoint(cp) || h.startsWith("+") || h.startsWith("-")) {
        throw new NumberFormatException(h);
      }
      pos += digits;
      return cp;
    } catch (NumberFormatException e) {
      throw error("Illegal escape sequence: " + escape + h, escLine, escCol);
    }
  }

  private static boolean isWordStart(char c) {
    return Character.isLetter(c) || c == '_';
  }

  private static boolean isWordPart(char c) {
    return Character.isLetterOrDigit(c) || c == '_';
  }

  private void newLine(int startOfLine) {
    line++;
    lineStart = startOfLine;
  }

  private int column(int offset) {
    return offset - lineStart + 1;
  }

  private static SqlTranslationException error(String what, int line, int column) {
    return new SqlTranslationException(
        "Syntax error: " + what + " at [" + line + ":" + column + "]");
  }
}
