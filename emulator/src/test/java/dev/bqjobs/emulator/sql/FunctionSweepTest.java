package dev.bqjobs.emulator.sql;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;

import com.google.api.services.bigquery.model.TableFieldSchema;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The function sweep: each line of {@code function-sweep.txt} is a GoogleSQL expression and the
 * value BigQuery's reference documentation gives for it (plus NULL-argument cases), run on DuckDB
 * through the translator and read back as a tabledata.list cell. Every family is there: string,
 * bytes, math, date/time/timestamp, array, JSON, aggregate, window, conversion, conditional, hash.
 */
public class FunctionSweepTest {
  private Connection connection;

  @Before
  public void setUp() throws SQLException {
    connection = EngineLikeDuckDb.openWithSession();
    JavaFunctions.register(connection);
  }

  @After
  public void tearDown() throws SQLException {
    connection.close();
  }

  private static List<String> cases() throws IOException {
    try (InputStream in = FunctionSweepTest.class.getResourceAsStream("function-sweep.txt")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
  }

  private String cell(String expression) {
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery(BigQuerySql.translate("SELECT " + expression).duckDbSql())) {
      rs.next();
      TableFieldSchema field =
          DuckDbTypes.fieldSchemaOf("f", rs.getMetaData().getColumnTypeName(1));
      return String.valueOf(DuckDbTypes.toCellValue(rs.getObject(1), field));
    } catch (SQLException | RuntimeException e) {
      return "error: " + e.getMessage().lines().findFirst().orElse("");
    }
  }

  @Test
  public void everyDocumentedExampleGivesBigQuerysValue() throws IOException {
    List<String> mismatches = new ArrayList<>();
    int checked = 0;
    for (String line : cases()) {
      if (line.isBlank() || line.startsWith("--")) {
        continue;
      }
      String[] parts = line.split(" => ", 2);
      String got = cell(parts[0].strip());
      String expected = parts[1].strip();
      // "error" stands for any failure: the sweep runs DuckDB directly, before the engine maps
      // its messages to BigQuery's (tested in GoogleSqlTest).
      boolean matches = expected.equals("error") ? got.startsWith("error: ") : got.equals(expected);
      if (!matches) {
        mismatches.add(parts[0] + ": expected " + parts[1] + ", got " + got);
      }
      checked++;
    }
    assertThat(checked, greaterThan(450));
    assertThat(String.join("\n", mismatches), mismatches, empty());
  }
}
