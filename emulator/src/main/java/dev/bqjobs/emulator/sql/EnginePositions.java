package dev.bqjobs.emulator.sql;

import dev.bqjobs.emulator.sql.Token.Kind;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the occurrence of a name an engine error is about. DuckDB marks the failing place in the
 * SQL it ran ({@code LINE 2: nope + nope FROM t} with carets under it); the translator keeps the
 * user's line layout, so that line of the translated statement is a line of the user's statement,
 * and the k-th occurrence of the name on it (before the caret) is the k-th occurrence on the user's
 * line. Without such a mark, or when the lines cannot be matched, the answer is null and the caller
 * falls back to the name's first occurrence ({@link SqlPositions#of}).
 */
public final class EnginePositions {
  private static final Pattern LINE = Pattern.compile("^LINE (\\d+): (.*)$");

  private EnginePositions() {}

  /**
   * The {@code [line:column]} in {@code userSql} of the occurrence of {@code name} (a call {@code
   * name(} when {@code call}) that DuckDB's {@code engineMessage} marks in {@code duckDbSql} (where
   * the name is {@code engineName}), the translation of the statement starting at {@code
   * statementStart} ({@code [line:column]}, or null for the first token of {@code userSql}); or
   * null.
   */
  public static String of(
      String userSql,
      String name,
      String engineName,
      boolean call,
      String engineMessage,
      String duckDbSql,
      String statementStart) {
    if (userSql == null || duckDbSql == null || engineMessage == null || name == null) {
      return null;
    }
    List<String> lines = engineMessage.lines().toList();
    for (int i = 0; i + 1 < lines.size(); i++) {
      Matcher m = LINE.matcher(lines.get(i));
      if (!m.matches()) {
        continue;
      }
      int caret = lines.get(i + 1).indexOf('^') - (lines.get(i).length() - m.group(2).length());
      int line = Integer.parseInt(m.group(1));
      String[] duckLines = duckDbSql.split("\n", -1);
      if (caret < 0 || line > duckLines.length || duckLines[line - 1].isBlank()) {
        return null;
      }
      String duckLine = duckLines[line - 1];
      int shown = m.group(2).indexOf(duckLine);
      int column = caret - shown;
      if (shown < 0 || column < 0) {
        return null;
      }
      int occurrence =
          count(duckLine.substring(0, Math.min(column, duckLine.length())), engineName, call);
      return userOccurrence(userSql, name, call, line, occurrence, statementStart);
    }
    return null;
  }

  /** Occurrences of the name (quoted or not, a call when asked) in {@code text}. */
  private static int count(String text, String name, boolean call) {
    Pattern p =
        Pattern.compile(
            "(?<![\\w$])\"?" + Pattern.quote(name) + "\"?(?![\\w$])" + (call ? "\\s*\\(" : ""),
            Pattern.CASE_INSENSITIVE);
    Matcher m = p.matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  /**
   * The position of the {@code occurrence}-th (0-based) name on the statement's {@code line}-th
   * line (1 = the line it starts on, from where it starts).
   */
  private static String userOccurrence(
      String userSql, String name, boolean call, int line, int occurrence, String statementStart) {
    List<Token> tokens;
    try {
      tokens = Tokenizer.tokenize(userSql);
    } catch (SqlTranslationException e) {
      return null;
    }
    if (tokens.isEmpty()) {
      return null;
    }
    int startLine = tokens.get(0).line();
    int startColumn = tokens.get(0).column();
    if (statementStart != null) {
      Matcher m = Pattern.compile("\\[(\\d+):(\\d+)]").matcher(statementStart);
      if (!m.matches()) {
        return null;
      }
      startLine = Integer.parseInt(m.group(1));
      startColumn = Integer.parseInt(m.group(2));
    }
    int target = startLine + line - 1;
    int seen = 0;
    for (int i = 0; i < tokens.size(); i++) {
      Token t = tokens.get(i);
      if (t.line() != target || (line == 1 && t.column() < startColumn)) {
        continue;
      }
      boolean named =
          (t.kind() == Kind.WORD || t.kind() == Kind.QUOTED_IDENT)
              && t.value().equalsIgnoreCase(name);
      boolean isCall = i + 1 < tokens.size() && tokens.get(i + 1).isSymbol("(");
      if (named && (!call || isCall) && seen++ == occurrence) {
        return t.position();
      }
    }
    return null;
  }
}
