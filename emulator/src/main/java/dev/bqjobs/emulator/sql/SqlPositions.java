package dev.bqjobs.emulator.sql;

import dev.bqjobs.emulator.sql.Token.Kind;
import java.util.List;

/**
 * Finds where a name occurs in the SQL a user sent, so that an error found later (by the engine, on
 * the translated SQL) can carry BigQuery's {@code [line:column]} for the user's own text.
 */
public final class SqlPositions {
  private SqlPositions() {}

  /**
   * The position ({@code [line:column]}) of the first word or quoted name equal to {@code name}
   * (ignoring case), a call {@code name(} when {@code call}; or {@code null}.
   */
  public static String of(String sql, String name, boolean call) {
    List<Token> tokens;
    try {
      tokens = Tokenizer.tokenize(sql);
    } catch (SqlTranslationException e) {
      return null;
    }
    for (int i = 0; i < tokens.size(); i++) {
      Token t = tokens.get(i);
      boolean named =
          (t.kind() == Kind.WORD || t.kind() == Kind.QUOTED_IDENT)
              && t.value().equalsIgnoreCase(name);
      boolean isCall = i + 1 < tokens.size() && tokens.get(i + 1).isSymbol("(");
      if (named && (!call || isCall)) {
        return t.position();
      }
    }
    return null;
  }

  /** The position just after the last token, where "Unexpected end of script" points. */
  public static String end(String sql) {
    List<Token> tokens;
    try {
      tokens = Tokenizer.tokenize(sql);
    } catch (SqlTranslationException e) {
      return null;
    }
    if (tokens.isEmpty()) {
      return "[1:1]";
    }
    Token last = tokens.get(tokens.size() - 1);
    return "[" + last.line() + ":" + (last.column() + last.text().length()) + "]";
  }

  /** The position of the first token whose text equals {@code text} (ignoring case), or null. */
  public static String ofText(String sql, String text) {
    List<Token> tokens;
    try {
      tokens = Tokenizer.tokenize(sql);
    } catch (SqlTranslationException e) {
      return null;
    }
    for (Token t : tokens) {
      if (t.text().equalsIgnoreCase(text) || t.value().equalsIgnoreCase(text)) {
        return t.position();
      }
    }
    return null;
  }

  /**
   * How BigQuery's syntax errors name a token: {@code keyword WITH}, {@code identifier "x"}, or the
   * quoted text.
   */
  public static String describe(String text) {
    if (text.matches("[A-Za-z_]\\w*")) {
      return Keywords.isReserved(text)
          ? "keyword " + text.toUpperCase(java.util.Locale.ROOT)
          : "identifier \"" + text + "\"";
    }
    return "\"" + text + "\"";
  }

  /** The name as the user wrote it (first occurrence, ignoring case), or {@code name}. */
  public static String written(String sql, String name) {
    try {
      for (Token t : Tokenizer.tokenize(sql)) {
        if ((t.kind() == Kind.WORD || t.kind() == Kind.QUOTED_IDENT)
            && t.value().equalsIgnoreCase(name)) {
          return t.value();
        }
      }
    } catch (SqlTranslationException e) {
      // fall through: the engine's spelling
    }
    return name;
  }

  /** The position of the last token, or null. */
  public static String lastToken(String sql) {
    try {
      List<Token> tokens = Tokenizer.tokenize(sql);
      return tokens.isEmpty() ? null : tokens.get(tokens.size() - 1).position();
    } catch (SqlTranslationException e) {
      return null;
    }
  }
}
