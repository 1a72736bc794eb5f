package dev.bqjobs.emulator.sql;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * An in-memory DuckDB set up as the engine sets up each database ({@link
 * DuckDbTypes#databaseSetup()}), for the in-process tests that run translated SQL without the
 * server.
 */
public final class EngineLikeDuckDb {
  private EngineLikeDuckDb() {}

  /** Opens one and runs {@code statements} (tables, data) after the engine's setup. */
  public static Connection open(String... statements) throws SQLException {
    return open(List.of(), statements);
  }

  /** As above, with the engine's per-connection setup ({@link DuckDbTypes#sessionSetup()}) too. */
  public static Connection openWithSession(String... statements) throws SQLException {
    return open(DuckDbTypes.sessionSetup(), statements);
  }

  private static Connection open(List<String> session, String... statements) throws SQLException {
    Connection connection = DriverManager.getConnection("jdbc:duckdb:");
    List<String> all = new ArrayList<>(DuckDbTypes.databaseSetup());
    all.addAll(session);
    all.addAll(List.of(statements));
    try (Statement s = connection.createStatement()) {
      for (String sql : all) {
        s.execute(sql);
      }
    } catch (SQLException e) {
      connection.close();
      throw e;
    }
    return connection;
  }
}
