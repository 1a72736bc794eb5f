package dev.bqjobs.emulator.sql;

import dev.bqjobs.emulator.sql.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A GoogleSQL script: statements separated by {@code ;}, with {@code DECLARE}, {@code SET}, {@code
 * IF ... ELSEIF ... ELSE ... END IF}, {@code BEGIN ... END} blocks and {@code BEGIN / COMMIT /
 * ROLLBACK TRANSACTION}. Parsed from tokens; each SQL statement is translated only when it runs,
 * because the variables it may use are known then (a variable becomes a bound placeholder, like a
 * query parameter).
 */
public final class Script {
  /** Words that make a text a script even when it holds a single statement. */
  private static final Set<String> SCRIPT_ONLY =
      Set.of("DECLARE", "SET", "IF", "BEGIN", "COMMIT", "ROLLBACK");

  /** Script statements the local server does not run; each named in its refusal. */
  private static final Set<String> NOT_SERVED =
      Set.of(
          "LOOP",
          "WHILE",
          "REPEAT",
          "FOR",
          "CALL",
          "EXECUTE",
          "RETURN",
          "RAISE",
          "BREAK",
          "LEAVE",
          "CONTINUE",
          "ITERATE",
          "ASSERT");

  /** One statement of a script. */
  public sealed interface Node permits Sql, Declare, Assign, If, Block, Transaction {
    /** Where the statement starts, {@code [line:column]}. */
    String position();
  }

  /** A SQL statement (query, DML, DDL). */
  public record Sql(List<Token> tokens) implements Node {
    @Override
    public String position() {
      return tokens.get(0).position();
    }

    /** Translates it, the given variables becoming placeholders bound like parameters. */
    public TranslatedStatement translate(Set<String> variables, ParameterTypes types) {
      return BigQuerySql.translate(withVariables(tokens, variables), types);
    }
  }

  /** {@code DECLARE a, b [type] [DEFAULT expr]}. */
  public record Declare(Token at, List<String> names, String duckDbType, Expression defaultValue)
      implements Node {
    @Override
    public String position() {
      return at.position();
    }
  }

  /** {@code SET name = expr}. */
  public record Assign(Token at, String name, Expression value) implements Node {
    @Override
    public String position() {
      return at.position();
    }
  }

  /** {@code IF c THEN ... [ELSEIF c THEN ...]* [ELSE ...] END IF}: conditions and bodies. */
  public record If(
      Token at, List<Expression> conditions, List<List<Node>> bodies, List<Node> orElse)
      implements Node {
    @Override
    public String position() {
      return at.position();
    }
  }

  /** {@code BEGIN ... END}. */
  public record Block(Token at, List<Node> body) implements Node {
    @Override
    public String position() {
      return at.position();
    }
  }

  /** {@code BEGIN TRANSACTION}, {@code COMMIT [TRANSACTION]}, {@code ROLLBACK [TRANSACTION]}. */
  public record Transaction(Token at, String action) implements Node {
    @Override
    public String position() {
      return at.position();
    }
  }

  /** An expression, evaluated as {@code SELECT expr}. */
  public record Expression(List<Token> tokens) {
    public String position() {
      return tokens.get(0).position();
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

  private Script(List<Node> statements) {
    this.statements = List.copyOf(statements);
  }

  public List<Node> statements() {
    return statements;
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
    if (first.kind() == Kind.WORD
        && (SCRIPT_ONLY.contains(first.upper()) || NOT_SERVED.contains(first.upper()))) {
      return true;
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
    Parser p = new Parser(tokens);
    List<Node> body = p.statements(Set.of());
    if (p.i < tokens.size()) {
      Token t = tokens.get(p.i);
      throw Rewriter.syntax("Unexpected keyword " + t.upper(), t);
    }
    return new Script(body);
  }

  /** Replaces words naming declared variables by parameter tokens. */
  static List<Token> withVariables(List<Token> tokens, Set<String> variables) {
    if (variables.isEmpty()) {
      return tokens;
    }
    List<Token> out = new ArrayList<>(tokens.size());
    for (int i = 0; i < tokens.size(); i++) {
      Token t = tokens.get(i);
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

  /** Recursive descent over the tokens; {@code i} is the next token. */
  private static final class Parser {
    private final List<Token> tokens;
    int i;

    Parser(List<Token> tokens) {
      this.tokens = tokens;
    }

    /**
     * Statements until the end or a word in {@code stops} (END, ELSE, ELSEIF) at statement start.
     */
    List<Node> statements(Set<String> stops) {
      List<Node> out = new ArrayList<>();
      while (i < tokens.size()) {
        Token t = tokens.get(i);
        if (t.isSymbol(";")) {
          i++;
          continue;
        }
        if (t.kind() == Kind.WORD && stops.contains(t.upper())) {
          return out;
        }
        out.add(statement());
        if (i < tokens.size()) {
          Token end = tokens.get(i);
          if (end.isSymbol(";")) {
            i++;
          } else if (!(end.kind() == Kind.WORD && stops.contains(end.upper()))) {
            throw Rewriter.syntax("Expected \";\" but got " + describe(end), end);
          }
        }
      }
      if (!stops.isEmpty()) {
        throw Rewriter.syntax("Unexpected end of script", tokens.get(tokens.size() - 1));
      }
      return out;
    }

    private Node statement() {
      Token t = tokens.get(i);
      String word = t.kind() == Kind.WORD ? t.upper() : "";
      switch (word) {
        case "DECLARE":
          return declare(t);
        case "SET":
          return assign(t);
        case "IF":
          return ifStatement(t);
        case "BEGIN":
          if (peek(1).isWord("TRANSACTION")) {
            i += 2;
            return new Transaction(t, "BEGIN");
          }
          i++;
          List<Node> body = statements(Set.of("END", "EXCEPTION"));
          if (peek(0).isWord("EXCEPTION")) {
            throw new SqlTranslationException(
                "BEGIN ... EXCEPTION is not supported by the local server at "
                    + peek(0).position());
          }
          i++; // END
          return new Block(t, body);
        case "COMMIT":
        case "ROLLBACK":
          i++;
          if (peek(0).isWord("TRANSACTION")) {
            i++;
          }
          return new Transaction(t, word);
        default:
          if (NOT_SERVED.contains(word)) {
            throw new SqlTranslationException(
                word + " statements are not supported by the local server at " + t.position());
          }
          return new Sql(until(i, true));
      }
    }

    private Declare declare(Token at) {
      i++;
      List<String> names = new ArrayList<>();
      while (true) {
        Token name = peek(0);
        if (!name.isIdentifier()) {
          throw Rewriter.syntax("Expected a variable name but got " + describe(name), name);
        }
        names.add(name.value().toLowerCase(Locale.ROOT));
        i++;
        if (peek(0).isSymbol(",")) {
          i++;
          continue;
        }
        break;
      }
      String type = null;
      if (!peek(0).isWord("DEFAULT") && !peek(0).isSymbol(";")) {
        TypeTranslator.Parsed parsed = TypeTranslator.parse(tokens, i);
        type = parsed.duckDb();
        i = parsed.end();
      }
      Expression value = null;
      if (peek(0).isWord("DEFAULT")) {
        i++;
        value = new Expression(until(i, true));
      }
      if (type == null && value == null) {
        throw Rewriter.syntax("Expected a type or DEFAULT in DECLARE", at);
      }
      return new Declare(at, names, type, value);
    }

    private Assign assign(Token at) {
      i++;
      Token name = peek(0);
      if (!name.isIdentifier()) {
        throw new SqlTranslationException(
            "SET "
                + describe(name)
                + " is not supported by the local server (only SET variable = expression) at "
                + name.position());
      }
      i++;
      if (!peek(0).isSymbol("=")) {
        throw Rewriter.syntax("Expected \"=\" but got " + describe(peek(0)), peek(0));
      }
      i++;
      return new Assign(at, name.value().toLowerCase(Locale.ROOT), new Expression(until(i, true)));
    }

    private If ifStatement(Token at) {
      List<Expression> conditions = new ArrayList<>();
      List<List<Node>> bodies = new ArrayList<>();
      List<Node> orElse = List.of();
      i++;
      conditions.add(new Expression(condition()));
      bodies.add(statements(Set.of("ELSEIF", "ELSE", "END")));
      while (peek(0).isWord("ELSEIF")) {
        i++;
        conditions.add(new Expression(condition()));
        bodies.add(statements(Set.of("ELSEIF", "ELSE", "END")));
      }
      if (peek(0).isWord("ELSE")) {
        i++;
        orElse = statements(Set.of("END"));
      }
      i++; // END
      if (!peek(0).isWord("IF")) {
        throw Rewriter.syntax("Expected keyword IF but got " + describe(peek(0)), peek(0));
      }
      i++;
      return new If(at, conditions, bodies, orElse);
    }

    /** The tokens of an IF condition, up to its THEN (CASE ... THEN inside is skipped). */
    private List<Token> condition() {
      int start = i;
      int depth = 0;
      int cases = 0;
      while (i < tokens.size()) {
        Token t = tokens.get(i);
        if (t.isSymbol("(") || t.isSymbol("[")) {
          depth++;
        } else if (t.isSymbol(")") || t.isSymbol("]")) {
          depth--;
        } else if (t.isWord("CASE")) {
          cases++;
        } else if (t.isWord("END") && cases > 0) {
          cases--;
        } else if (depth == 0 && cases == 0 && t.isWord("THEN")) {
          if (i == start) {
            throw Rewriter.syntax("Expected a condition after IF", t);
          }
          List<Token> out = tokens.subList(start, i);
          i++;
          return List.copyOf(out);
        }
        i++;
      }
      throw Rewriter.syntax("Expected keyword THEN", tokens.get(tokens.size() - 1));
    }

    /** Tokens from {@code start} to the next top-level ";" (or the end); moves past them. */
    private List<Token> until(int start, boolean nonEmpty) {
      int depth = 0;
      int j = start;
      while (j < tokens.size()) {
        Token t = tokens.get(j);
        if (t.isSymbol("(") || t.isSymbol("[")) {
          depth++;
        } else if (t.isSymbol(")") || t.isSymbol("]")) {
          depth--;
        } else if (depth == 0 && t.isSymbol(";")) {
          break;
        }
        j++;
      }
      if (nonEmpty && j == start) {
        throw Rewriter.syntax("Unexpected \";\"", tokens.get(Math.min(j, tokens.size() - 1)));
      }
      i = j;
      return List.copyOf(tokens.subList(start, j));
    }

    private Token peek(int ahead) {
      int k = i + ahead;
      if (k >= tokens.size()) {
        throw Rewriter.syntax("Unexpected end of script", tokens.get(tokens.size() - 1));
      }
      return tokens.get(k);
    }

    private static String describe(Token t) {
      return t.kind() == Kind.WORD ? "keyword " + t.upper() : "\"" + t.text() + "\"";
    }
  }
}
