package dev.bqjobs.emulator.sql;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.Assert.assertThrows;

import com.google.api.services.bigquery.model.QueryParameter;
import com.google.api.services.bigquery.model.QueryParameterType;
import com.google.api.services.bigquery.model.QueryParameterValue;
import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.List;
import org.junit.Test;

/** Checking and converting request parameters, without a database. */
public class QueryParametersTest {
  private static QueryParameter p(String name, String type, String value) {
    return new QueryParameter()
        .setName(name)
        .setParameterType(new QueryParameterType().setType(type))
        .setParameterValue(value == null ? null : new QueryParameterValue().setValue(value));
  }

  private static Object value(String type, String text) throws Exception {
    QueryParameters ps = QueryParameters.of("NAMED", List.of(p("x", type, text)));
    return ps.jdbcValue(ParameterRef.named("x"), null);
  }

  private static String refusal(String mode, QueryParameter... ps) {
    return assertThrows(IllegalArgumentException.class, () -> QueryParameters.of(mode, List.of(ps)))
        .getMessage();
  }

  @Test
  public void scalarsBecomeJavaValues() throws Exception {
    assertThat(value("INT64", "-7"), equalTo(-7L));
    assertThat(value("FLOAT64", "-Infinity"), equalTo(Double.NEGATIVE_INFINITY));
    assertThat(value("NUMERIC", "1.50"), equalTo(new BigDecimal("1.500000000")));
    assertThat(value("BOOL", "TRUE"), equalTo(true));
    assertThat(
        value("DATETIME", "2024-01-02T03:04:05.5"),
        equalTo(LocalDateTime.parse("2024-01-02T03:04:05.5")));
    assertThat(
        value("TIMESTAMP", "2024-01-02 05:04:05+02:00"),
        equalTo(OffsetDateTime.parse("2024-01-02T03:04:05Z")));
    assertThat(
        value("TIMESTAMP", "2024-01-02 03:04:05 UTC"),
        equalTo(OffsetDateTime.parse("2024-01-02T03:04:05Z")));
    assertThat(value("JSON", "{ \"a\" : 1 }"), equalTo("{\"a\":1}"));
    assertThat(value("INT64", null), nullValue());
  }

  @Test
  public void valuesTheEngineCannotHoldExactlyAreRefused() {
    assertThat(refusal("NAMED", p("x", "NUMERIC", "0.0000000001")), containsString("9 after"));
    assertThat(
        refusal("NAMED", p("x", "BIGNUMERIC", "123456789012345678901")),
        containsString("not supported by the local server"));
    assertThat(
        refusal("NAMED", p("x", "INT64", "9223372036854775808")),
        equalTo("Invalid INT64 value for query parameter x: \"9223372036854775808\""));
    assertThat(
        refusal("NAMED", p("x", "DATE", "2024-02-30")),
        equalTo("Invalid DATE value for query parameter x: \"2024-02-30\""));
  }

  @Test
  public void typesAndModes() {
    assertThat(
        refusal("NAMED", p("x", "INTERVAL", "1")),
        equalTo(
            "Query parameters of type INTERVAL are not supported by the local server (parameter x)"));
    assertThat(refusal("SOMETIMES", p("x", "INT64", "1")), containsString("parameterMode"));
    assertThat(
        refusal("NAMED", p("x", "INT64", "1"), p("X", "INT64", "2")), containsString("Duplicate"));
    QueryParameters named = QueryParameters.of(null, List.of(p("Lim", "INT64", "3")));
    assertThat(named.duckDbType(ParameterRef.named("lim")), equalTo("BIGINT"));
    assertThat(
        assertThrows(
                IllegalArgumentException.class, () -> named.duckDbType(ParameterRef.positional(1)))
            .getMessage(),
        equalTo("Positional parameters are not supported"));
    QueryParameters positional = QueryParameters.of("POSITIONAL", List.of(p(null, "STRING", "a")));
    assertThat(positional.duckDbType(ParameterRef.positional(1)), equalTo("VARCHAR"));
    assertThat(
        assertThrows(
                IllegalArgumentException.class,
                () -> positional.duckDbType(ParameterRef.named("a")))
            .getMessage(),
        equalTo("Named parameters are not supported"));
  }

  @Test
  public void arrayAndStructTypes() {
    QueryParameter arr =
        new QueryParameter()
            .setName("a")
            .setParameterType(
                new QueryParameterType()
                    .setType("ARRAY")
                    .setArrayType(
                        new QueryParameterType()
                            .setType("STRUCT")
                            .setStructTypes(
                                List.of(
                                    new QueryParameterType.StructTypes()
                                        .setName("d")
                                        .setType(new QueryParameterType().setType("DATE"))))));
    QueryParameters ps = QueryParameters.of("NAMED", List.of(arr));
    assertThat(ps.duckDbType(ParameterRef.named("a")), equalTo("STRUCT(\"d\" DATE)[]"));
    assertThat(ps.bigQueryType(ParameterRef.named("a")), equalTo("ARRAY<STRUCT<d DATE>>"));
  }
}
