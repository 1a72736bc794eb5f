package dev.bqjobs.emulator.sql;

import dev.bqjobs.emulator.sql.Token.Kind;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads the shape of one statement from its tokens: its type, the table it writes, the tables it
 * reads, and the {@link Edits} that make it valid DuckDB (missing INTO/FROM, dropped BigQuery-only
 * DDL clauses, {@code f0_} aliases, where column types start).
 */
final class StatementAnalyzer {
  private static final Set<String> SCRIPT_WORDS =
      Set.of(
          "DECLARE",
          "SET",
          "BEGIN",
          "IF",
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
          "COMMIT",
          "ROLLBACK");

  /** GoogleSQL statements the local server does not run (it names them in its refusal). */
  private static final Set<String> GOOGLE_SQL_STATEMENTS =
      Set.of(
          "ALTER",
          "GRANT",
          "REVOKE",
          "EXPORT",
          "LOAD",
          "ASSERT",
          "UNDROP",
          "DESCRIBE",
          "EXPLAIN",
          "CLONE",
          "RENAME");

  /** Words that end a FROM list or a select list at their bracket depth. */
  private static final Set<String> CLAUSE_ENDS =
      Set.of(
          "WHERE",
          "GROUP",
          "HAVING",
          "QUALIFY",
          "WINDOW",
          "ORDER",
          "LIMIT",
          "UNION",
          "INTERSECT",
          "EXCEPT",
          "SELECT",
          "SET",
          "WHEN",
          "VALUES",
          "OPTIONS");

  /** Date parts that can end an INTERVAL expression in a select item (not an alias then). */
  private static final Set<String> INTERVAL_PARTS =
      Set.of(
          "MICROSECOND",
          "MILLISECOND",
          "SECOND",
          "MINUTE",
          "HOUR",
          "DAY",
          "WEEK",
          "MONTH",
          "QUARTER",
          "YEAR");

  private final List<Token> tokens;
  final Edits edits = new Edits();
  StatementType type;
  TableName target;
  DatasetName targetDataset;
  boolean orReplace;
  boolean ifNotExists;
  boolean ifExists;
  private int targetIndex = -1;
  private final Set<String> cteNames = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
  private final LinkedHashSet<TableName> referenced = new LinkedHashSet<>();

  StatementAnalyzer(List<Token> tokens) {
    this.tokens = tokens;
  }

  List<TableName> referencedTables() {
    return new ArrayList<>(referenced);
  }

  void analyze() {
    collectCteNames();
    int i = skipWith(0);
    Token first = at(i);
    String word = first.kind() == Kind.WORD ? first.upper() : first.text();
    switch (word) {
      case "SELECT", "(" -> {
        type = StatementType.SELECT;
        nameAnonymousColumns(i);
      }
      case "INSERT" -> {
        type = StatementType.INSERT;
        i = expectAfter(i, "INTO", true);
        target(i);
      }
      case "UPDATE" -> {
        type = StatementType.UPDATE;
        target(i + 1);
      }
      case "DELETE" -> {
        type = StatementType.DELETE;
        target(expectAfter(i, "FROM", true));
      }
      case "MERGE" -> {
        type = StatementType.MERGE;
        target(expectAfter(i, "INTO", true));
      }
      case "CREATE" -> create(i);
      case "DROP" -> drop(i);
      case "TRUNCATE" -> {
        type = StatementType.TRUNCATE_TABLE;
        target(expectAfter(i, "TABLE", false));
      }
      default -> {
        if (SCRIPT_WORDS.contains(word)) {
          throw new SqlTranslationException("Scripts are not supported by the local server");
        }
        if (first.kind() == Kind.WORD && GOOGLE_SQL_STATEMENTS.contains(word)) {
          throw new SqlTranslationException(
              "Unsupported statement: " + word + " is not supported by the local server");
        }
        if (first.kind() == Kind.WORD && !word.equals("WITH")) {
          // Not a GoogleSQL statement at all: BigQuery's parser error.
          throw Rewriter.syntax(
              (Keywords.isReserved(first.text())
                  ? "Unexpected keyword " + word
                  : "Unexpected identifier \"" + first.text() + "\""),
              first);
        }
        throw Rewriter.syntax("Unexpected " + first.text(), first);
      }
    }
    if (tokens.get(0).isWord("WITH") && type != StatementType.SELECT) {
      throw Rewriter.syntax("Unexpected " + first.text(), first);
    }
    collectReferencedTables();
  }

  /**
   * Returns the index after {@code tokens[i]} and an optional {@code word}; when the word is
   * missing and {@code insert}, DuckDB needs it, so it is added.
   */
  private int expectAfter(int i, String word, boolean insert) {
    Token next = at(i + 1);
    if (next.isWord(word)) {
      return i + 2;
    }
    if (insert) {
      edits.insertBefore.put(i + 1, word + " ");
      return i + 1;
    }
    throw Rewriter.syntax("Expected keyword " + word + " but got " + next.text(), next);
  }

  private void create(int i) {
    int j = i + 1;
    if (at(j).isWord("OR")) {
      if (!at(j + 1).isWord("REPLACE")) {
        throw Rewriter.syntax("Expected keyword REPLACE", at(j + 1));
      }
      orReplace = true;
      j += 2;
    }
    if (at(j).isWord("TEMP") || at(j).isWord("TEMPORARY")) {
      // In a script, TempTables has made it a table of the script's dataset before this point.
      throw new SqlTranslationException(
          "Use of CREATE TEMPORARY TABLE requires a script or session at " + at(j).position());
    }
    String what = at(j).upper();
    j++;
    if (at(j).isWord("IF")) {
      if (!at(j + 1).isWord("NOT") || !at(j + 2).isWord("EXISTS")) {
        throw Rewriter.syntax("Expected IF NOT EXISTS", at(j));
      }
      ifNotExists = true;
      j += 3;
    }
    switch (what) {
      case "TABLE" -> createTable(j);
      case "VIEW" -> {
        type = StatementType.CREATE_VIEW;
        int end = target(j);
        int as = dropDdlClauses(end);
        if (as >= 0) {
          nameAnonymousColumns(skipWith(as + 1));
        }
      }
      case "SCHEMA" -> {
        type = StatementType.CREATE_SCHEMA;
        dropDdlClauses(dataset(j));
      }
      default ->
          throw new SqlTranslationException(
              "Unsupported statement: CREATE " + what + " is not supported by the local server");
    }
  }

  private void createTable(int j) {
    int end = target(j);
    if (end < tokens.size()
        && (at(end).isWord("LIKE") || at(end).isWord("COPY") || at(end).isWord("CLONE"))) {
      throw new SqlTranslationException(
          "Unsupported statement: CREATE TABLE ... "
              + at(end).upper()
              + " is not supported by the local server");
    }
    boolean columns = end < tokens.size() && at(end).isSymbol("(");
    if (columns) {
      end = columnDefinitions(end);
    }
    int as = dropDdlClauses(end);
    if (as >= 0 && columns) {
      // DuckDB has no column list on CREATE TABLE AS; say how to write it instead of failing
      // later with a parser error that points nowhere useful.
      throw new SqlTranslationException(
          "Unsupported by the local server: CREATE TABLE with a column list AS SELECT at "
              + at(as).position()
              + "; name and cast the columns in the SELECT instead, e.g. CREATE TABLE t AS"
              + " SELECT CAST(x AS INT64) AS a, ...");
    }
    if (as >= 0) {
      type = StatementType.CREATE_TABLE_AS_SELECT;
      nameAnonymousColumns(skipWith(as + 1));
    } else {
      type = StatementType.CREATE_TABLE;
    }
  }

  /**
   * Marks where each column's type starts; drops column OPTIONS(...). Returns the index after ")".
   */
  private int columnDefinitions(int open) {
    Rewriter r = new Rewriter(tokens, edits);
    int close = r.matching(open);
    for (Rewriter.Range column : r.splitArguments(new Rewriter.Range(open + 1, close))) {
      if (column.end() - column.start() < 2) {
        continue;
      }
      Token name = tokens.get(column.start());
      if (name.isWord("PRIMARY") || name.isWord("FOREIGN") || name.isWord("CONSTRAINT")) {
        throw new SqlTranslationException(
            "Unsupported by the local server: table constraints at " + name.position());
      }
      edits.typeStarts.add(column.start() + 1);
      int options = r.findTopLevel(column, "OPTIONS");
      if (options >= 0 && options + 1 < column.end() && tokens.get(options + 1).isSymbol("(")) {
        edits.drop(options, r.matching(options + 1) + 1);
      }
    }
    return close + 1;
  }

  /**
   * Drops the BigQuery-only DDL clauses (PARTITION BY, CLUSTER BY, OPTIONS, DEFAULT COLLATE) that
   * follow the name of a table, view or schema: DuckDB has no equivalent and they do not change
   * query results. Returns the index of the top-level AS, or -1.
   */
  private int dropDdlClauses(int i) {
    Rewriter r = new Rewriter(tokens, edits);
    while (i < tokens.size()) {
      Token t = tokens.get(i);
      if (t.isWord("AS")) {
        return i;
      }
      int start = i;
      if (t.isWord("OPTIONS") && i + 1 < tokens.size() && tokens.get(i + 1).isSymbol("(")) {
        i = r.matching(i + 1) + 1;
      } else if ((t.isWord("PARTITION") || t.isWord("CLUSTER")) && at(i + 1).isWord("BY")) {
        i += 2;
        int depth = 0;
        while (i < tokens.size()) {
          Token u = tokens.get(i);
          if (depth == 0 && (u.isWord("AS") || u.isWord("OPTIONS") || u.isWord("CLUSTER"))) {
            break;
          }
          depth += u.isSymbol("(") ? 1 : u.isSymbol(")") ? -1 : 0;
          i++;
        }
      } else if (t.isWord("DEFAULT") && at(i + 1).isWord("COLLATE")) {
        i += 3;
      } else {
        throw Rewriter.syntax("Unexpected " + t.text(), t);
      }
      edits.drop(start, i);
    }
    return -1;
  }

  private void drop(int i) {
    String what = at(i + 1).upper();
    int j = i + 2;
    if (at(j).isWord("IF")) {
      if (!at(j + 1).isWord("EXISTS")) {
        throw Rewriter.syntax("Expected keyword EXISTS", at(j + 1));
      }
      ifExists = true;
      j += 2;
    }
    switch (what) {
      case "TABLE" -> {
        type = StatementType.DROP_TABLE;
        target(j);
      }
      case "VIEW" -> {
        type = StatementType.DROP_VIEW;
        target(j);
      }
      case "SCHEMA" -> {
        type = StatementType.DROP_SCHEMA;
        dataset(j);
      }
      default ->
          throw new SqlTranslationException(
              "Unsupported statement: DROP " + what + " is not supported by the local server");
    }
  }

  /** Reads the written table path at {@code i}; returns the index after it. */
  private int target(int i) {
    Path path = path(i);
    if (path == null) {
      throw Rewriter.syntax("Expected a table name but got " + at(i).text(), at(i));
    }
    target = TableName.of(path.parts);
    targetIndex = i;
    return path.end;
  }

  private int dataset(int i) {
    Path path = path(i);
    if (path == null || path.parts.size() > 2) {
      throw Rewriter.syntax("Expected a dataset name but got " + at(i).text(), at(i));
    }
    targetDataset =
        path.parts.size() == 1
            ? new DatasetName(null, path.parts.get(0))
            : new DatasetName(path.parts.get(0), path.parts.get(1));
    return path.end;
  }

  /** An identifier path and the index after it. */
  private record Path(List<String> parts, int end) {}

  /**
   * Reads an identifier path such as {@code `p.d`.t} or {@code my-project.ds.t} (BigQuery allows
   * dashes in unquoted project IDs in table names). Returns {@code null} when none starts at i. A
   * path DuckDB would misread (the dashed form) is replaced by its quoted parts.
   */
  private Path path(int i) {
    if (i >= tokens.size() || !tokens.get(i).isIdentifier()) {
      return null;
    }
    List<String> parts = new ArrayList<>();
    boolean dashed = false;
    int j = i;
    while (true) {
      Token t = tokens.get(j);
      if (t.kind() == Kind.QUOTED_IDENT) {
        parts.addAll(Rewriter.splitPath(t));
        j++;
      } else {
        StringBuilder word = new StringBuilder(t.text());
        j++;
        // my-project: "-" and the next word or number written without spaces.
        while (j + 1 < tokens.size()
            && tokens.get(j).isSymbol("-")
            && tokens.get(j).before().isEmpty()
            && tokens.get(j + 1).before().isEmpty()
            && (tokens.get(j + 1).kind() == Kind.WORD || tokens.get(j + 1).kind() == Kind.NUMBER)) {
          word.append('-').append(tokens.get(j + 1).text());
          dashed = true;
          j += 2;
        }
        parts.add(word.toString());
      }
      if (j + 1 < tokens.size()
          && tokens.get(j).isSymbol(".")
          && (tokens.get(j + 1).kind() == Kind.WORD
              || tokens.get(j + 1).kind() == Kind.QUOTED_IDENT)) {
        j++;
        continue;
      }
      break;
    }
    if (dashed) {
      StringBuilder quoted = new StringBuilder();
      for (String part : parts) {
        quoted.append(quoted.length() == 0 ? "" : ".").append(Rewriter.quoteIdentifier(part));
      }
      edits.replacements.put(i, new Edits.Replacement(j, quoted.toString()));
    }
    return new Path(parts, j);
  }

  /** Skips a leading {@code WITH [RECURSIVE] name AS (...), ...} block. */
  private int skipWith(int i) {
    if (i >= tokens.size() || !tokens.get(i).isWord("WITH")) {
      return i;
    }
    Rewriter r = new Rewriter(tokens, edits);
    int j = i + 1;
    if (at(j).isWord("RECURSIVE")) {
      j++;
    }
    while (true) {
      j++; // the CTE name
      if (!at(j).isWord("AS") || !at(j + 1).isSymbol("(")) {
        throw Rewriter.syntax("Expected AS ( after the name of a WITH entry", at(j));
      }
      j = r.matching(j + 1) + 1;
      if (j < tokens.size() && tokens.get(j).isSymbol(",")) {
        j++;
        continue;
      }
      return j;
    }
  }

  private void collectCteNames() {
    for (int i = 1; i + 2 < tokens.size(); i++) {
      Token prev = tokens.get(i - 1);
      if ((prev.isWord("WITH") || prev.isWord("RECURSIVE") || prev.isSymbol(","))
          && tokens.get(i).isIdentifier()
          && tokens.get(i + 1).isWord("AS")
          && tokens.get(i + 2).isSymbol("(")) {
        cteNames.add(tokens.get(i).value());
      }
    }
  }

  /**
   * BigQuery names the unnamed columns of a query's result {@code f0_}, {@code f1_}, ...; DuckDB
   * would name them after the expression. {@code i} is where the outermost query starts.
   */
  private void nameAnonymousColumns(int i) {
    while (i < tokens.size() && tokens.get(i).isSymbol("(")) {
      i++;
    }
    if (i >= tokens.size() || !tokens.get(i).isWord("SELECT")) {
      return;
    }
    int j = i + 1;
    if (at(j).isWord("DISTINCT") || at(j).isWord("ALL")) {
      j++;
    }
    if (at(j).isWord("AS")) {
      return; // SELECT AS STRUCT / AS VALUE: one value column
    }
    Rewriter r = new Rewriter(tokens, edits);
    int end = j;
    int depth = 0;
    int cases = 0;
    while (end < tokens.size()) {
      Token t = tokens.get(end);
      // CASE ... WHEN ... END is one expression: its WHEN is not the end of a select list.
      if (t.isWord("CASE")) {
        cases++;
      } else if (t.isWord("END") && cases > 0) {
        cases--;
      } else if (cases > 0) {
        end++;
        continue;
      }
      if (t.isSymbol("(") || t.isSymbol("[")) {
        depth++;
      } else if (t.isSymbol(")") || t.isSymbol("]")) {
        if (depth == 0) {
          break;
        }
        depth--;
      } else if (depth == 0 && t.isSymbol(";")) {
        break;
      } else if (depth == 0 && t.isWord("FROM") && !tokens.get(end - 1).isWord("DISTINCT")) {
        break;
      } else if (depth == 0 && t.kind() == Kind.WORD && CLAUSE_ENDS.contains(t.upper())) {
        if (!(t.isWord("EXCEPT") && end + 1 < tokens.size() && tokens.get(end + 1).isSymbol("("))) {
          break;
        }
      }
      end++;
    }
    int anonymous = 0;
    for (Rewriter.Range item : r.splitArguments(new Rewriter.Range(j, end))) {
      if (!item.isEmpty() && isAnonymous(item)) {
        edits.appendAfter.put(item.end() - 1, " AS f" + anonymous++ + "_");
      }
    }
  }

  private boolean isAnonymous(Rewriter.Range item) {
    int n = item.end() - item.start();
    Token last = tokens.get(item.end() - 1);
    // Stars: *, t.*, * EXCEPT (...), * REPLACE (...).
    if (last.isSymbol("*")) {
      return false;
    }
    for (int k = item.start(); k + 1 < item.end(); k++) {
      if (tokens.get(k).isSymbol("*")
          && (tokens.get(k + 1).isWord("EXCEPT") || tokens.get(k + 1).isWord("REPLACE"))) {
        return false;
      }
    }
    // A plain column reference a, t.a, `a`: named after the column.
    boolean plain = true;
    for (int k = item.start(); k < item.end(); k++) {
      Token t = tokens.get(k);
      boolean expectName = (k - item.start()) % 2 == 0;
      if (expectName
          ? !(t.isIdentifier() || (k > item.start() && t.kind() == Kind.WORD))
          : !t.isSymbol(".")) {
        plain = false;
        break;
      }
    }
    if (plain && n % 2 == 1) {
      return false;
    }
    // An alias: "expr AS name" or "expr name".
    if (n >= 2 && last.isIdentifier()) {
      Token prev = tokens.get(item.end() - 2);
      if (prev.isWord("AS")) {
        return false;
      }
      boolean prevEndsExpression =
          prev.isSymbol(")")
              || prev.isSymbol("]")
              || prev.isIdentifier()
              || prev.kind() == Kind.STRING
              || prev.kind() == Kind.NUMBER
              || prev.kind() == Kind.BYTES
              || prev.kind() == Kind.PARAM
              || prev.isWord("END")
              || prev.isWord("NULL")
              || prev.isWord("TRUE")
              || prev.isWord("FALSE");
      boolean intervalPart =
          INTERVAL_PARTS.contains(last.upper())
              && last.kind() == Kind.WORD
              && containsWord(item, "INTERVAL");
      if (prevEndsExpression && !intervalPart) {
        return false;
      }
    }
    return true;
  }

  private boolean containsWord(Rewriter.Range range, String word) {
    for (int k = range.start(); k < range.end(); k++) {
      if (tokens.get(k).isWord(word)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Finds the tables read: paths after FROM, JOIN, commas of a FROM list, and MERGE's USING;
   * skipping subqueries, UNNEST and other table functions, CTE names, EXTRACT(... FROM ...), and
   * comma-joined paths that start with an alias seen before (correlated array references).
   */
  private void collectReferencedTables() {
    Set<String> aliases = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    Deque<boolean[]> frames = new ArrayDeque<>(); // [inFrom, isExtract]
    frames.push(new boolean[] {false, false});
    for (int k = 0; k < tokens.size(); k++) {
      Token t = tokens.get(k);
      boolean[] frame = frames.peek();
      if (t.isSymbol("(")) {
        frames.push(new boolean[] {false, k > 0 && tokens.get(k - 1).isWord("EXTRACT")});
      } else if (t.isSymbol(")")) {
        if (frames.size() > 1) {
          frames.pop();
        }
      } else if (t.isWord("FROM") && !frame[1]) {
        frame[0] = true;
        table(k + 1, false, aliases);
      } else if (t.isWord("JOIN")) {
        table(k + 1, false, aliases);
      } else if (t.isSymbol(",") && frame[0]) {
        table(k + 1, true, aliases);
      } else if (t.isWord("USING") && type == StatementType.MERGE && frames.size() == 1) {
        table(k + 1, false, aliases);
      } else if (t.kind() == Kind.WORD && CLAUSE_ENDS.contains(t.upper())) {
        frame[0] = false;
      }
    }
  }

  private void table(int k, boolean commaJoin, Set<String> aliases) {
    if (k == targetIndex || k >= tokens.size()) {
      return;
    }
    Path path = path(k);
    if (path == null) {
      return;
    }
    if (path.end < tokens.size()
        && (tokens.get(path.end).isSymbol("(") || tokens.get(path.end).isSymbol("."))) {
      return; // a table function
    }
    boolean correlated = commaJoin && path.parts.size() > 1 && aliases.contains(path.parts.get(0));
    boolean cte = path.parts.size() == 1 && cteNames.contains(path.parts.get(0));
    if (!correlated && !cte) {
      referenced.add(TableName.of(path.parts));
    }
    aliases.add(path.parts.get(path.parts.size() - 1));
    int a = path.end;
    if (a < tokens.size() && tokens.get(a).isWord("AS")) {
      a++;
    }
    if (a < tokens.size() && tokens.get(a).isIdentifier()) {
      aliases.add(tokens.get(a).value());
    }
  }

  private Token at(int i) {
    if (i >= tokens.size()) {
      Token last = tokens.get(tokens.size() - 1);
      throw Rewriter.syntax("Unexpected end of statement", last);
    }
    return tokens.get(i);
  }
}
