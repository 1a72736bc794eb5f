package dev.bqjobs.emulator.sql;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.Assert.assertThrows;

import com.google.api.client.util.Data;
import com.google.api.services.bigquery.model.TableFieldSchema;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.Test;

public class DuckDbTypesTest {
  private static TableFieldSchema field(String type) {
    return new TableFieldSchema().setName("f").setType(type);
  }

  @Test
  public void mapsDuckDbTypeNamesToBigQuery() {
    assertThat(DuckDbTypes.bigQueryTypeOf("HUGEINT"), equalTo("INTEGER"));
    assertThat(DuckDbTypes.bigQueryTypeOf("REAL"), equalTo("FLOAT"));
    assertThat(DuckDbTypes.bigQueryTypeOf("DECIMAL(38,9)"), equalTo("NUMERIC"));
    assertThat(DuckDbTypes.bigQueryTypeOf("DECIMAL(38,18)"), equalTo("BIGNUMERIC"));
    assertThat(DuckDbTypes.bigQueryTypeOf("TIMESTAMP"), equalTo("DATETIME"));
    assertThat(DuckDbTypes.bigQueryTypeOf("TIMESTAMP WITH TIME ZONE"), equalTo("TIMESTAMP"));
    assertThat(DuckDbTypes.bigQueryTypeOf("UUID"), equalTo("STRING"));
  }

  @Test
  public void parsesNestedStructsAndLists() {
    TableFieldSchema f =
        DuckDbTypes.fieldSchemaOf(
            "r", "STRUCT(a BIGINT, \"b c\" VARCHAR[], d STRUCT(e TIMESTAMP WITH TIME ZONE))[]");
    assertThat(f.getType(), equalTo("RECORD"));
    assertThat(f.getMode(), equalTo("REPEATED"));
    assertThat(
        f.getFields().stream().map(TableFieldSchema::getName).toList(), contains("a", "b c", "d"));
    assertThat(f.getFields().get(1).getMode(), equalTo("REPEATED"));
    assertThat(f.getFields().get(2).getFields().get(0).getType(), equalTo("TIMESTAMP"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> DuckDbTypes.fieldSchemaOf("m", "MAP(VARCHAR, INTEGER)"));
    assertThat(
        e.getMessage(), equalTo("Unsupported DuckDB type for BigQuery: MAP(VARCHAR, INTEGER)"));
  }

  @Test
  public void mapsBigQuerySchemasToDuckDbTypes() {
    assertThat(DuckDbTypes.duckDbTypeOf(field("INTEGER")), equalTo("BIGINT"));
    assertThat(DuckDbTypes.duckDbTypeOf(field("FLOAT64").setMode("REPEATED")), equalTo("DOUBLE[]"));
    assertThat(
        DuckDbTypes.duckDbTypeOf(
            field("RECORD")
                .setFields(List.of(field("BOOL").setName("a"), field("TIMESTAMP").setName("b")))),
        equalTo("STRUCT(\"a\" BOOLEAN, \"b\" TIMESTAMPTZ)"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DuckDbTypes.duckDbTypeOf(field("FOO")));
    assertThat(e.getMessage(), equalTo("Invalid field type: FOO (field f)"));
  }

  @Test
  public void formatsCellsLikeBigQuery() {
    assertThat(DuckDbTypes.toCellValue(null, field("STRING")), equalTo(null));
    assertThat(
        DuckDbTypes.toCellValue(null, field("STRING").setMode("REPEATED")), equalTo(List.of()));
    assertThat(
        DuckDbTypes.toCellValue(new BigDecimal("1.500000000"), field("NUMERIC")), equalTo("1.5"));
    assertThat(
        DuckDbTypes.toCellValue(new BigDecimal("100.000000000"), field("NUMERIC")), equalTo("100"));
    assertThat(
        DuckDbTypes.toCellValue(Double.POSITIVE_INFINITY, field("FLOAT")), equalTo("Infinity"));
    assertThat(
        DuckDbTypes.toCellValue(new Object[] {1L, null}, field("INTEGER").setMode("REPEATED")),
        equalTo(List.of(Map.of("v", "1"), Map.of("v", Data.NULL_STRING))));
    assertThat(DuckDbTypes.epochSeconds(new BigDecimal("0")), equalTo("0.0"));
    assertThat(DuckDbTypes.epochSeconds(new BigDecimal("1700000000")), equalTo("1.7E9"));
    assertThat(DuckDbTypes.epochSeconds(new BigDecimal("-1.5")), equalTo("-1.5"));
  }

  @Test
  public void readsNestedJdbcValues() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT [{'t': TIMESTAMPTZ '1970-01-01 00:00:01.5+00', 'd': DATE '2024-01-01', 'x': NULL::BIGINT}] AS a, TIMESTAMP '2024-01-01 00:00:00' AS b")) {
      rs.next();
      TableFieldSchema a = DuckDbTypes.fieldSchemaOf("a", rs.getMetaData().getColumnTypeName(1));
      assertThat(
          DuckDbTypes.toCellValue(rs.getObject(1), a),
          equalTo(
              List.of(
                  Map.of(
                      "v",
                      Map.of(
                          "f",
                          List.of(
                              Map.of("v", "1.5"),
                              Map.of("v", "2024-01-01"),
                              Map.of("v", Data.NULL_STRING)))))));
      TableFieldSchema b = DuckDbTypes.fieldSchemaOf("b", rs.getMetaData().getColumnTypeName(2));
      assertThat(DuckDbTypes.toCellValue(rs.getObject(2), b), equalTo("2024-01-01T00:00:00"));
    }
  }
}
