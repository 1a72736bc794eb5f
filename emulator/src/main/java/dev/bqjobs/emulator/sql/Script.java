package dev.bqjobs.emulator.sql;

import dev.bqjobs.emulator.sql.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A GoogleSQL script: statements separated by {@code ;}, with {@code DECLARE}, {@code SET}, {@code
 * IF}, {@code BEGIN ... [EXCEPTION WHEN ERROR THEN ...] END} blocks, loops ({@code LOOP}, {@code
 * WHILE}, {@code REPEAT}, {@code FOR ... IN}), {@code BREAK}/{@code CONTINUE} (with labels), {@code
 * RAISE}, {@code RETURN}, {@code ASSERT}, {@code EXECUTE IMMEDIATE} and {@code BEGIN / COMMIT /
 * ROLLBACK TRANSACTION}. Parsed from tokens; each SQL statement is translated only when it runs,
 * because the variables it may use are known then (a variable becomes a bound placeholder, like a
 * query parameter).
 */
public final class Script {
  /** Words that make a text a script even when it holds a single statement. */
  private static final Set<String> SCRIPT_ONLY =
      Set.of(
          "DECLARE",
          "SET",
          "IF",
          "BEGIN",
          "COMMIT",
          "ROLLBACK",
          "LOOP",
          "WHILE",
          "REPEAT",
          "FOR",
          "EXECUTE",
          "RETURN",
          "RAISE",
          "BREAK",
          "LEAVE",
          "CONTINUE",
          "ITERATE",
          "ASSERT",
          "CALL");

  /** One statement of a script. */
  public sealed interface Node
      permits Sql,
          Declare,
          Assign,
          AssignMany,
          If,
          Block,
          Transaction,
          Loop,
          While,
          Repeat,
          For,
          Break,
          Continue,
          Return,
          Raise,
          Assert,
          Execute {
    /** The statement's first token. */
    Token at();

    /** Where the statement starts, {@code [line:column]}. */
    default String position() {
      return at().position();
    }
  }

  /** A SQL statement (query, DML, DDL). */
  public record Sql(List<Token> tokens) implements Node {
    @Override
    public Token at() {
      return tokens.get(0);
    }

    /** Translates it, the given variables becoming placeholders bound like parameters. */
    public TranslatedStatement translate(Set<String> variables, ParameterTypes types) {
      return BigQuerySql.translate(withVariables(tokens, variables), types);
    }

    /** As above, naming the script's temporary tables in its hidden dataset. */
    public TranslatedStatement translate(
        Set<String> variables, ParameterTypes types, TempTables temps) {
      return BigQuerySql.translate(withVariables(temps.apply(tokens), variables), types);
    }
  }

  /** {@code DECLARE a, b [type] [DEFAULT expr]}. */
  public record Declare(Token at, List<String> names, String duckDbType, Expression defaultValue)
      implements Node {}

  /** {@code SET name = expr}. */
  public record Assign(Token at, String name, Expression value) implements Node {}

  /** {@code IF c THEN ... [ELSEIF c THEN ...]* [ELSE ...] END IF}: conditions and bodies. */
  public record If(
      Token at, List<Expression> conditions, List<List<Node>> bodies, List<Node> orElse)
      implements Node {}

  /** {@code SET (a, b) = (x, y)} or {@code = (SELECT AS STRUCT x, y)}: one value per name. */
  public record AssignMany(Token at, List<String> names, Expression value) implements Node {}

  /** {@code BEGIN ... [EXCEPTION WHEN ERROR THEN ...] END}; {@code handler} null without one. */
  public record Block(Token at, List<Node> body, List<Node> handler) implements Node {
    public Block(Token at, List<Node> body) {
      this(at, body, null);
    }
  }

  /** {@code [label:] LOOP ... END LOOP}; {@code label} null without one. */
  public record Loop(Token at, String label, List<Node> body) implements Node {}

  /** {@code [label:] WHILE condition DO ... END WHILE}. */
  public record While(Token at, String label, Expression condition, List<Node> body)
      implements Node {}

  /** {@code [label:] REPEAT ... UNTIL condition END REPEAT}: the body runs at least once. */
  public record Repeat(Token at, String label, List<Node> body, Expression until) implements Node {}

  /** {@code [label:] FOR variable IN (query) DO ... END FOR}: one iteration per row. */
  public record For(Token at, String label, String variable, Sql query, List<Node> body)
      implements Node {}

  /** {@code BREAK} / {@code LEAVE [label]}: leaves the innermost (or the labelled) loop. */
  public record Break(Token at, String label) implements Node {}

  /** {@code CONTINUE} / {@code ITERATE [label]}: the next iteration of the loop. */
  public record Continue(Token at, String label) implements Node {}

  /** {@code RETURN}: ends the script successfully. */
  public record Return(Token at) implements Node {}

  /** {@code RAISE [USING MESSAGE = expr]}; {@code message} null re-raises the handled error. */
  public record Raise(Token at, Expression message) implements Node {}

  /** {@code ASSERT expr [AS 'description']}; {@code text} is the expression as written. */
  public record Assert(Token at, Expression condition, String description, String text)
      implements Node {}

  /**
   * {@code EXECUTE IMMEDIATE sql [INTO a, b] [USING expr [AS name], ...]}; {@code usingNames} holds
   * null for an unnamed (positional) value.
   */
  public record Execute(
      Token at, Expression sql, List<String> into, List<Expression> using, List<String> usingNames)
      implements Node {}

  /** {@code BEGIN TRANSACTION}, {@code COMMIT [TRANSACTION]}, {@code ROLLBACK [TRANSACTION]}. */
  public record Transaction(Token at, String action) implements Node {}

  /** An expression, evaluated as {@code SELECT expr}. */
  public record Expression(List<Token> tokens) {
    public String position() {
      return tokens.get(0).position();
    }

    /** The expression as written (comments removed). */
    public String text() {
      return textOf(tokens);
    }

    /**
     * {@code (SELECT [AS STRUCT] ...)} as the query inside, {@code (x, y)} as {@code SELECT x, y},
     * or null for another expression: the values of {@code SET (a, b) = ...}.
     */
    public Sql asRow() {
      if (tokens.size() < 3
          || !tokens.get(0).isSymbol("(")
          || Divisions.closing(tokens, 0) != tokens.size() - 1) {
        return null;
      }
      List<Token> inside = tokens.subList(1, tokens.size() - 1);
      List<Token> select = new ArrayList<>();
      if (inside.get(0).isWord("SELECT")) {
        select.add(inside.get(0));
        int from = 1;
        if (inside.size() > 3 && inside.get(1).isWord("AS") && inside.get(2).isWord("STRUCT")) {
          from = 3;
        }
        select.addAll(inside.subList(from, inside.size()));
        return new Sql(List.copyOf(select));
      }
      if (BracketScans.firstAtTopLevel(inside, t -> t.isSymbol(",")) < 0) {
        return null;
      }
      Token first = inside.get(0);
      select.add(new Token(Kind.WORD, "SELECT", "SELECT", "", first.line(), first.column()));
      select.add(withBefore(first, " "));
      select.addAll(inside.subList(1, inside.size()));
      return new Sql(List.copyOf(select));
    }

    /** The expression as a one-column query, variables becoming placeholders. */
    public TranslatedStatement translate(Set<String> variables, ParameterTypes types) {
      List<Token> select = new ArrayList<>();
      Token first = tokens.get(0);
      select.add(new Token(Kind.WORD, "SELECT", "SELECT", "", first.line(), first.column()));
      List<Token> body = new ArrayList<>(tokens);
      body.set(0, withBefore(first, " "));
      select.addAll(body);
      return BigQuerySql.translate(withVariables(select, variables), types);
    }
  }

  private final List<Node> statements;
  private final Map<Node, String> texts;
  private final boolean createsTempTables;

  private Script(List<Node> statements, Map<Node, String> texts, boolean createsTempTables) {
    this.statements = List.copyOf(statements);
    this.texts = texts;
    this.createsTempTables = createsTempTables;
  }

  /** Whether a statement creates a temporary table (the script then needs a hidden dataset). */
  public boolean createsTempTables() {
    return createsTempTables;
  }

  public List<Node> statements() {
    return statements;
  }

  /** The statement as written (comments removed): BigQuery's {@code @@error.statement_text}. */
  public String textOf(Node node) {
    return texts.getOrDefault(node, "");
  }

  /**
   * Whether {@code sql} is a script: several statements, or one that only scripts have (DECLARE,
   * SET, IF, BEGIN, ...). A single statement with a trailing {@code ;} is not.
   */
  public static boolean isScript(String sql) {
    List<Token> tokens;
    try {
      tokens = Tokenizer.tokenize(sql);
    } catch (SqlTranslationException e) {
      return false;
    }
    int end = tokens.size();
    while (end > 0 && tokens.get(end - 1).isSymbol(";")) {
      end--;
    }
    if (end == 0) {
      return false;
    }
    Token first = tokens.get(0);
    if (first.kind() == Kind.WORD && SCRIPT_ONLY.contains(first.upper())) {
      return true;
    }
    if (end > 2 && first.isIdentifier() && tokens.get(1).isSymbol(":")) {
      return true; // a labelled loop
    }
    for (int i = 0; i < end; i++) {
      if (tokens.get(i).isSymbol(";")) {
        return true;
      }
    }
    return false;
  }

  /** Parses a script; a syntax error names its position. */
  public static Script parse(String sql) {
    List<Token> tokens = Tokenizer.tokenize(sql);
    ScriptParser p = new ScriptParser(tokens);
    List<Node> body = p.statements(Set.of());
    if (p.i < tokens.size()) {
      Token t = tokens.get(p.i);
      throw Rewriter.syntax("Unexpected keyword " + t.upper(), t);
    }
    return new Script(body, p.texts, TempTables.creates(tokens));
  }

  /** Tokens as text: each with the whitespace before it, the first without. */
  static String textOf(List<Token> tokens) {
    StringBuilder out = new StringBuilder();
    for (Token t : tokens) {
      out.append(out.length() == 0 ? "" : t.before()).append(t.text());
    }
    return out.toString();
  }

  /** Replaces words naming declared variables by parameter tokens. */
  static List<Token> withVariables(List<Token> tokens, Set<String> variables) {
    if (variables.isEmpty()) {
      return tokens;
    }
    Set<Integer> names = NamePositions.of(tokens);
    List<Token> out = new ArrayList<>(tokens.size());
    for (int i = 0; i < tokens.size(); i++) {
      Token t = tokens.get(i);
      if (names.contains(i)) {
        out.add(t); // a table or a column being written, never a variable
        continue;
      }
      // "row.field" of a FOR variable and "@@error.message" are variables of their own.
      if (i + 2 < tokens.size()
          && (t.isIdentifier() || t.text().startsWith("@@"))
          && tokens.get(i + 1).isSymbol(".")
          && (i == 0 || !tokens.get(i - 1).isSymbol("."))) {
        String dotted = (t.value() + "." + tokens.get(i + 2).value()).toLowerCase(Locale.ROOT);
        if (variables.contains(dotted)) {
          String text =
              t.text().startsWith("@@") ? dotted : t.text() + "." + tokens.get(i + 2).text();
          out.add(new Token(Kind.PARAM, text, dotted, t.before(), t.line(), t.column()));
          i += 2;
          continue;
        }
      }
      boolean afterDotOrAs =
          i > 0 && (tokens.get(i - 1).isSymbol(".") || tokens.get(i - 1).isWord("AS"));
      boolean call = i + 1 < tokens.size() && tokens.get(i + 1).isSymbol("(");
      if ((t.kind() == Kind.WORD || t.kind() == Kind.QUOTED_IDENT)
          && !afterDotOrAs
          && !call
          && variables.contains(t.value().toLowerCase(Locale.ROOT))) {
        out.add(new Token(Kind.PARAM, t.text(), t.value(), t.before(), t.line(), t.column()));
      } else {
        out.add(t);
      }
    }
    return out;
  }

  private static Token withBefore(Token t, String before) {
    return new Token(t.kind(), t.text(), t.value(), before, t.line(), t.column());
  }
}
