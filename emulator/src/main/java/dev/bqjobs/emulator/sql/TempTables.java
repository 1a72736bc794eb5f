package dev.bqjobs.emulator.sql;

import dev.bqjobs.emulator.sql.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * A script's {@code CREATE TEMP TABLE}s. BigQuery keeps a script's temporary tables in a hidden
 * dataset of its own and drops them when the script ends; here they are real tables in the script's
 * hidden dataset (which the runner creates and deletes), and the script's statements name them by
 * their one-part name: {@code CREATE TEMP TABLE t} becomes {@code CREATE TABLE "_script_x"."t"},
 * and {@code t} in a table position of a later statement (after FROM, JOIN, INTO, UPDATE, TABLE,
 * USING, DELETE, or a comma of a FROM list) becomes {@code "_script_x"."t"}.
 */
public final class TempTables {
  private static final Set<String> TABLE_BEFORE =
      Set.of("FROM", "JOIN", "INTO", "UPDATE", "TABLE", "USING", "DELETE");
  private static final Set<String> NOT_FROM_LIST =
      Set.of("SELECT", "WHERE", "GROUP", "ORDER", "HAVING", "SET", "VALUES", "ON", "BY", "QUALIFY");

  private final String dataset;
  private final Set<String> names = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);

  /** Temporary tables kept in {@code dataset}, the script's hidden dataset. */
  public TempTables(String dataset) {
    this.dataset = dataset;
  }

  /**
   * The dataset a script running as job {@code jobId} in {@code location} keeps its temporary
   * tables in: hidden (leading underscore), named after the job; a very long job ID is shortened
   * with a hash, since dataset IDs have at most 1024 characters.
   */
  public static String datasetFor(String location, String jobId) {
    String name = ("_script_" + location + "_" + jobId).replaceAll("[^A-Za-z0-9_]", "_");
    if (name.length() > 1024) {
      name = name.substring(0, 1000) + "_" + Integer.toHexString(name.hashCode());
    }
    return name;
  }

  /** Whether {@code tokens} hold a {@code CREATE [OR REPLACE] TEMP|TEMPORARY TABLE}. */
  static boolean creates(List<Token> tokens) {
    for (int i = 0; i + 1 < tokens.size(); i++) {
      if (tokens.get(i).isWord("CREATE") && tempAt(tokens, i + 1) > 0) {
        return true;
      }
    }
    return false;
  }

  /** The index of TEMP/TEMPORARY after CREATE [OR REPLACE] starting at {@code i}, or -1. */
  private static int tempAt(List<Token> tokens, int i) {
    int k = i;
    if (k + 1 < tokens.size()
        && tokens.get(k).isWord("OR")
        && tokens.get(k + 1).isWord("REPLACE")) {
      k += 2;
    }
    boolean temp =
        k + 1 < tokens.size()
            && (tokens.get(k).isWord("TEMP") || tokens.get(k).isWord("TEMPORARY"))
            && tokens.get(k + 1).isWord("TABLE");
    return temp ? k : -1;
  }

  /** The statement with its temporary tables named in the hidden dataset. */
  List<Token> apply(List<Token> statement) {
    List<Token> out = new ArrayList<>(statement);
    if (!out.isEmpty() && out.get(0).isWord("CREATE")) {
      int temp = tempAt(out, 1);
      if (temp > 0) {
        int name = temp + 2;
        if (name + 2 < out.size() && out.get(name).isWord("IF")) {
          name += 3; // IF NOT EXISTS
        }
        if (name >= out.size() || !out.get(name).isIdentifier()) {
          throw Rewriter.syntax("Expected a table name", out.get(Math.min(name, out.size() - 1)));
        }
        Token table = out.get(name);
        if (table.value().contains(".")
            || (name + 1 < out.size() && out.get(name + 1).isSymbol("."))) {
          throw new SqlTranslationException(
              "Temporary tables may not be qualified at " + table.position());
        }
        names.add(table.value());
        out.remove(temp);
        out.set(name - 1, qualified(table));
      }
    }
    for (int i = 1; i < out.size(); i++) {
      Token t = out.get(i);
      boolean named =
          (t.kind() == Kind.WORD || t.kind() == Kind.QUOTED_IDENT) && names.contains(t.value());
      boolean path =
          out.get(i - 1).isSymbol(".") || (i + 1 < out.size() && out.get(i + 1).isSymbol("."));
      if (named && !path && tablePosition(out, i)) {
        out.set(i, qualified(t));
      }
    }
    return out;
  }

  private Token qualified(Token name) {
    String path = dataset + "." + name.value().toLowerCase(Locale.ROOT);
    return new Token(
        Kind.QUOTED_IDENT, "`" + path + "`", path, name.before(), name.line(), name.column());
  }

  /**
   * Whether the name at {@code i} stands where a table does: after FROM, JOIN, INTO and the like.
   */
  private static boolean tablePosition(List<Token> tokens, int i) {
    Token before = tokens.get(i - 1);
    if (before.kind() == Kind.WORD && TABLE_BEFORE.contains(before.upper())) {
      return true;
    }
    if (!before.isSymbol(",")) {
      return false;
    }
    // After a comma: a table only if the comma is in a FROM list.
    return BracketScans.foundBeforeStop(
        tokens,
        i - 2,
        t -> t.isWord("FROM"),
        t -> t.kind() == Kind.WORD && NOT_FROM_LIST.contains(t.upper()));
  }
}
