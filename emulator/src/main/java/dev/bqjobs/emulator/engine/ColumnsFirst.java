package dev.bqjobs.emulator.engine;

import dev.bqjobs.emulator.sql.ParameterRef;
import dev.bqjobs.emulator.sql.SqlTranslationException;
import dev.bqjobs.emulator.sql.TranslatedStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * BigQuery's name resolution in scripts: a name that is both a column in scope and a script
 * variable means the column. Each variable a statement uses is tried as a plain name first, and
 * stays a column when the statement binds that way. The trial prepares (binds, never runs) the
 * statement on a connection of its own, because a failed prepare would abort the script's
 * transaction; a table created in the script's open transaction is not visible there, so its
 * columns lose to variables. Answers are cached by statement text, so a loop pays once.
 */
final class ColumnsFirst implements AutoCloseable {
  /** A bound parameter of the translated SQL, {@code $k}. */
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\d+");

  /** Opens the connection that only prepares, when first needed. */
  @FunctionalInterface
  interface Connector {
    Connection connect() throws SQLException;
  }

  private final Connector connector;
  private final Map<String, Boolean> binds = new HashMap<>();
  private Connection probe;

  ColumnsFirst(Connector connector) {
    this.connector = connector;
  }

  /**
   * The statement {@code translate} makes with the variables it is given as placeholders: all of
   * {@code variables} except those the statement reads as columns.
   */
  TranslatedStatement translate(
      Set<String> variables, Function<Set<String>, TranslatedStatement> translate)
      throws SQLException {
    Set<String> names = new HashSet<>(variables);
    TranslatedStatement st = translate.apply(names);
    for (ParameterRef ref : st.parameters()) {
      if (!ref.variable() || ref.name().contains(".")) {
        continue; // FOR fields (r.col) and @@error.* are not plain names
      }
      Set<String> without = new HashSet<>(names);
      without.remove(ref.name());
      TranslatedStatement asColumn;
      try {
        asColumn = translate.apply(without);
      } catch (SqlTranslationException e) {
        continue;
      }
      if (binds(asColumn.duckDbSql())) {
        names = without;
        st = asColumn;
      }
    }
    return st;
  }

  private boolean binds(String duckDbSql) throws SQLException {
    Boolean known = binds.get(duckDbSql);
    if (known != null) {
      return known;
    }
    if (probe == null) {
      probe = connector.connect();
    }
    // Placeholders become NULLs of their types: DuckDB defers binding a statement with parameters
    // to its execution, so the probe must have none to bind now.
    String probed = PLACEHOLDER.matcher(duckDbSql).replaceAll("NULL");
    boolean ok;
    try (PreparedStatement ps = probe.prepareStatement(probed)) {
      ok = true;
    } catch (SQLException e) {
      ok = false;
    }
    binds.put(duckDbSql, ok);
    return ok;
  }

  @Override
  public void close() {
    Execution.discard(probe);
  }
}
