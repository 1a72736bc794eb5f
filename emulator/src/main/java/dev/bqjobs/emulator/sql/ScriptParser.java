package dev.bqjobs.emulator.sql;

import static dev.bqjobs.emulator.sql.Script.textOf;

import dev.bqjobs.emulator.sql.Script.Assert;
import dev.bqjobs.emulator.sql.Script.Assign;
import dev.bqjobs.emulator.sql.Script.AssignMany;
import dev.bqjobs.emulator.sql.Script.Block;
import dev.bqjobs.emulator.sql.Script.Break;
import dev.bqjobs.emulator.sql.Script.Continue;
import dev.bqjobs.emulator.sql.Script.Declare;
import dev.bqjobs.emulator.sql.Script.Execute;
import dev.bqjobs.emulator.sql.Script.Expression;
import dev.bqjobs.emulator.sql.Script.For;
import dev.bqjobs.emulator.sql.Script.If;
import dev.bqjobs.emulator.sql.Script.Loop;
import dev.bqjobs.emulator.sql.Script.Node;
import dev.bqjobs.emulator.sql.Script.Raise;
import dev.bqjobs.emulator.sql.Script.Repeat;
import dev.bqjobs.emulator.sql.Script.Return;
import dev.bqjobs.emulator.sql.Script.Sql;
import dev.bqjobs.emulator.sql.Script.Transaction;
import dev.bqjobs.emulator.sql.Script.While;
import dev.bqjobs.emulator.sql.Token.Kind;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The recursive-descent parser behind {@link Script#parse}: statements, blocks, loops (with labels
 * and the jumps that must be inside them), handlers and the script-only statements, each remembered
 * with its text. {@code i} is the next token.
 */
final class ScriptParser {
  /** Script statements the local server does not run; each named in its refusal. */
  private static final Set<String> NOT_SERVED = Set.of("CALL");

  /** Loop statements, which a label may precede. */
  private static final Set<String> LOOPS = Set.of("LOOP", "WHILE", "REPEAT", "FOR");

  private final List<Token> tokens;
  int i;

  /** Each statement's text, for {@code @@error.statement_text}. */
  final Map<Node, String> texts = new IdentityHashMap<>();

  /** Labels of the enclosing loops ("" for an unlabelled one), innermost first. */
  private final Deque<String> loops = new ArrayDeque<>();

  /** How many exception handlers enclose the statement being parsed. */
  private int handlers;

  ScriptParser(List<Token> tokens) {
    this.tokens = tokens;
  }

  /** Statements until the end or a word in {@code stops} (END, ELSE, ELSEIF) at statement start. */
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

  /** A statement, its text remembered for {@code @@error.statement_text}. */
  private Node statement() {
    int start = i;
    Node node = statementAt();
    texts.put(node, textOf(tokens.subList(start, Math.min(i, tokens.size()))));
    return node;
  }

  private Node statementAt() {
    Token t = tokens.get(i);
    String word = t.kind() == Kind.WORD ? t.upper() : "";
    if (t.isIdentifier() && i + 2 < tokens.size() && tokens.get(i + 1).isSymbol(":")) {
      Token loop = tokens.get(i + 2);
      if (!LOOPS.contains(loop.upper())) {
        throw Rewriter.syntax(
            "Expected a loop after label " + t.value() + " but got " + describe(loop), loop);
      }
      i += 2;
      return loop(loop, t.value().toLowerCase(Locale.ROOT));
    }
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
        return block(t);
      case "COMMIT":
      case "ROLLBACK":
        i++;
        if (peek(0).isWord("TRANSACTION")) {
          i++;
        }
        return new Transaction(t, word);
      case "LOOP":
      case "WHILE":
      case "REPEAT":
      case "FOR":
        return loop(t, null);
      case "BREAK":
      case "LEAVE":
        return new Break(t, jumpLabel(t));
      case "CONTINUE":
      case "ITERATE":
        return new Continue(t, jumpLabel(t));
      case "RETURN":
        i++;
        return new Return(t);
      case "RAISE":
        return raise(t);
      case "ASSERT":
        return assertion(t);
      case "EXECUTE":
        return execute(t);
      default:
        if (NOT_SERVED.contains(word)) {
          throw new SqlTranslationException(
              word + " statements are not supported by the local server at " + t.position());
        }
        return new Sql(until(i, true));
    }
  }

  /** {@code BEGIN ... [EXCEPTION WHEN ERROR THEN ...] END}. */
  private Block block(Token at) {
    i++;
    List<Node> body = statements(Set.of("END", "EXCEPTION"));
    List<Node> handler = null;
    if (peek(0).isWord("EXCEPTION")) {
      i++;
      expectWords("WHEN", "ERROR", "THEN");
      handlers++;
      handler = statements(Set.of("END"));
      handlers--;
    }
    i++; // END
    return new Block(at, body, handler);
  }

  /** A loop statement at {@code at}, with its label (or null). */
  private Node loop(Token at, String label) {
    String kind = at.upper();
    i++;
    loops.push(label == null ? "" : label);
    try {
      switch (kind) {
        case "LOOP":
          {
            List<Node> body = statements(Set.of("END"));
            endOf("LOOP", label);
            return new Loop(at, label, body);
          }
        case "WHILE":
          {
            Expression condition = new Expression(condition("DO"));
            List<Node> body = statements(Set.of("END"));
            endOf("WHILE", label);
            return new While(at, label, condition, body);
          }
        case "REPEAT":
          {
            List<Node> body = statements(Set.of("UNTIL"));
            i++; // UNTIL
            Expression until = new Expression(condition("END"));
            i--; // back on END
            endOf("REPEAT", label);
            return new Repeat(at, label, body, until);
          }
        default:
          {
            Token variable = peek(0);
            if (!variable.isIdentifier()) {
              throw Rewriter.syntax(
                  "Expected a loop variable but got " + describe(variable), variable);
            }
            i++;
            expectWords("IN");
            if (!peek(0).isSymbol("(")) {
              throw Rewriter.syntax("Expected \"(\" but got " + describe(peek(0)), peek(0));
            }
            int close = Divisions.closing(tokens, i);
            if (close < 0) {
              throw Rewriter.syntax("Unclosed parenthesis", peek(0));
            }
            Sql query = new Sql(List.copyOf(tokens.subList(i + 1, close)));
            i = close + 1;
            expectWords("DO");
            List<Node> body = statements(Set.of("END"));
            endOf("FOR", label);
            return new For(at, label, variable.value().toLowerCase(Locale.ROOT), query, body);
          }
      }
    } finally {
      loops.pop();
    }
  }

  /** {@code END kind [label]}. */
  private void endOf(String kind, String label) {
    i++; // END
    expectWords(kind);
    if (label != null && i < tokens.size() && tokens.get(i).isIdentifier()) {
      Token end = tokens.get(i);
      if (!end.value().equalsIgnoreCase(label)) {
        throw Rewriter.syntax("Mismatched end label " + end.value() + " for label " + label, end);
      }
      i++;
    }
  }

  /** The label after BREAK/CONTINUE (or null); checks that an enclosing loop has it. */
  private String jumpLabel(Token at) {
    i++;
    String label = null;
    if (i < tokens.size() && tokens.get(i).isIdentifier()) {
      label = tokens.get(i).value().toLowerCase(Locale.ROOT);
      i++;
    }
    if (loops.isEmpty()) {
      throw Rewriter.syntax(at.upper() + " is only allowed inside a loop", at);
    }
    if (label != null && !loops.contains(label)) {
      throw Rewriter.syntax("Unknown label " + label, tokens.get(i - 1));
    }
    return label;
  }

  private Raise raise(Token at) {
    i++;
    if (i >= tokens.size() || !tokens.get(i).isWord("USING")) {
      if (handlers == 0) {
        throw Rewriter.syntax(
            "RAISE without USING MESSAGE is only allowed in an exception handler", at);
      }
      return new Raise(at, null);
    }
    i++;
    expectWords("MESSAGE");
    if (!peek(0).isSymbol("=")) {
      throw Rewriter.syntax("Expected \"=\" but got " + describe(peek(0)), peek(0));
    }
    i++;
    return new Raise(at, new Expression(until(i, true)));
  }

  private Assert assertion(Token at) {
    i++;
    List<Token> all = until(i, true);
    int as = -1;
    int depth = 0;
    for (int k = 0; k < all.size(); k++) {
      Token t = all.get(k);
      if (t.isSymbol("(") || t.isSymbol("[")) {
        depth++;
      } else if (t.isSymbol(")") || t.isSymbol("]")) {
        depth--;
      } else if (depth == 0 && t.isWord("AS") && k == all.size() - 2) {
        as = k;
      }
    }
    String description = null;
    List<Token> condition = all;
    if (as >= 0) {
      Token literal = all.get(as + 1);
      if (literal.kind() != Kind.STRING) {
        throw Rewriter.syntax("Expected a string literal after AS", literal);
      }
      description = literal.value();
      condition = all.subList(0, as);
    }
    if (condition.isEmpty()) {
      throw Rewriter.syntax("Expected an expression after ASSERT", at);
    }
    return new Assert(at, new Expression(List.copyOf(condition)), description, textOf(condition));
  }

  /** {@code EXECUTE IMMEDIATE sql [INTO a, b] [USING expr [AS name], ...]}. */
  private Execute execute(Token at) {
    i++;
    expectWords("IMMEDIATE");
    List<Token> all = until(i, true);
    int into = topLevelWord(all, "INTO");
    int using = topLevelWord(all, "USING");
    int sqlEnd = into >= 0 ? into : using >= 0 ? using : all.size();
    if (sqlEnd == 0) {
      throw Rewriter.syntax("Expected a SQL string after EXECUTE IMMEDIATE", at);
    }
    Expression sql = new Expression(List.copyOf(all.subList(0, sqlEnd)));
    List<String> intoNames = new ArrayList<>();
    if (into >= 0) {
      int end = using > into ? using : all.size();
      for (int k = into + 1; k < end; k += 2) {
        Token name = all.get(k);
        if (!name.isIdentifier()) {
          throw Rewriter.syntax("Expected a variable name but got " + describe(name), name);
        }
        intoNames.add(name.value().toLowerCase(Locale.ROOT));
        if (k + 1 < end && !all.get(k + 1).isSymbol(",")) {
          throw Rewriter.syntax(
              "Expected \",\" but got " + describe(all.get(k + 1)), all.get(k + 1));
        }
      }
    }
    List<Expression> values = new ArrayList<>();
    List<String> names = new ArrayList<>();
    if (using >= 0) {
      int end = into > using ? into : all.size();
      int start = using + 1;
      int depth = 0;
      for (int k = start; k <= end; k++) {
        Token t = k < end ? all.get(k) : null;
        if (t != null && (t.isSymbol("(") || t.isSymbol("["))) {
          depth++;
        } else if (t != null && (t.isSymbol(")") || t.isSymbol("]"))) {
          depth--;
        } else if (t == null || (depth == 0 && t.isSymbol(","))) {
          List<Token> item = all.subList(start, k);
          String name = null;
          if (item.size() > 2 && item.get(item.size() - 2).isWord("AS")) {
            name = item.get(item.size() - 1).value().toLowerCase(Locale.ROOT);
            item = item.subList(0, item.size() - 2);
          }
          if (item.isEmpty()) {
            throw Rewriter.syntax(
                "Expected an expression in USING", all.get(Math.min(k, all.size() - 1)));
          }
          values.add(new Expression(List.copyOf(item)));
          names.add(name);
          start = k + 1;
        }
      }
    }
    return new Execute(at, sql, intoNames, values, names);
  }

  private static int topLevelWord(List<Token> tokens, String word) {
    return BracketScans.firstAtTopLevel(tokens, t -> t.isWord(word));
  }

  private void expectWords(String... words) {
    for (String word : words) {
      if (!peek(0).isWord(word)) {
        throw Rewriter.syntax(
            "Expected keyword " + word + " but got " + describe(peek(0)), peek(0));
      }
      i++;
    }
  }

  /**
   * Reads {@code a, b, c}: one or more variable names, lower-cased because variables are not case
   * sensitive; stops at the first token after the last name.
   */
  private List<String> variableNames() {
    List<String> names = new ArrayList<>();
    while (true) {
      Token name = peek(0);
      if (!name.isIdentifier()) {
        throw Rewriter.syntax("Expected a variable name but got " + describe(name), name);
      }
      names.add(name.value().toLowerCase(Locale.ROOT));
      i++;
      if (!peek(0).isSymbol(",")) {
        return names;
      }
      i++;
    }
  }

  private Declare declare(Token at) {
    i++;
    List<String> names = variableNames();
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

  private Node assign(Token at) {
    i++;
    Token name = peek(0);
    if (name.isSymbol("(")) {
      return assignMany(at);
    }
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

  private AssignMany assignMany(Token at) {
    i++; // (
    List<String> names = variableNames();
    if (!peek(0).isSymbol(")")) {
      throw Rewriter.syntax("Expected \")\" but got " + describe(peek(0)), peek(0));
    }
    i++;
    if (!peek(0).isSymbol("=")) {
      throw Rewriter.syntax("Expected \"=\" but got " + describe(peek(0)), peek(0));
    }
    i++;
    Expression value = new Expression(until(i, true));
    if (value.asRow() == null) {
      throw new SqlTranslationException(
          "SET (...) = "
              + value.text()
              + " is not supported by the local server (use (x, y) or (SELECT AS STRUCT ...)) at "
              + value.position());
    }
    return new AssignMany(at, names, value);
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
    return condition("THEN");
  }

  /** The tokens up to the keyword {@code stop} (not one closing a CASE); moves past it. */
  private List<Token> condition(String stop) {
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
      } else if (depth == 0 && cases == 0 && t.isWord(stop)) {
        if (i == start) {
          throw Rewriter.syntax("Expected a condition before " + stop, t);
        }
        List<Token> out = tokens.subList(start, i);
        i++;
        return List.copyOf(out);
      }
      i++;
    }
    throw Rewriter.syntax("Expected keyword " + stop, tokens.get(tokens.size() - 1));
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
