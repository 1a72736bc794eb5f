package dev.bqjobs.emulator.sql;

import java.util.Locale;

/**
 * One lexical token of a BigQuery statement.
 *
 * @param kind what the token is
 * @param text the token as written in the SQL
 * @param value the decoded content: the unquoted, unescaped text of strings, bytes (one char per
 *     byte, ISO-8859-1) and backtick identifiers, the name of a {@code @param}; else {@code text}
 * @param before the whitespace before the token; comments count as whitespace, so the rewritten
 *     statement keeps the user's line layout and DuckDB's error positions stay close
 * @param line 1-based line of the first character
 * @param column 1-based column of the first character
 */
record Token(Kind kind, String text, String value, String before, int line, int column) {

  /** Token kinds. */
  enum Kind {
    /** An unquoted word: keyword, identifier or function name. */
    WORD,
    /** A backtick-quoted identifier or path. */
    QUOTED_IDENT,
    STRING,
    BYTES,
    NUMBER,
    /** A named query parameter {@code @name}. */
    PARAM,
    /** Operators and punctuation. */
    SYMBOL
  }

  /** True for an unquoted word equal (ignoring case) to {@code word}. */
  boolean isWord(String word) {
    return kind == Kind.WORD && text.equalsIgnoreCase(word);
  }

  boolean isSymbol(String symbol) {
    return kind == Kind.SYMBOL && text.equals(symbol);
  }

  /** True for a token that can be a part of an identifier path. */
  boolean isIdentifier() {
    return kind == Kind.QUOTED_IDENT || (kind == Kind.WORD && !Keywords.isReserved(text));
  }

  String upper() {
    return text.toUpperCase(Locale.ROOT);
  }

  String position() {
    return "[" + line + ":" + column + "]";
  }
}
