package dev.bqjobs.emulator.sql;

/**
 * What the translator knows about the values a statement may use: the DuckDB type each is bound as,
 * so the placeholder can be written {@code CAST($k AS type)} and DuckDB types the statement the way
 * BigQuery does.
 */
public interface ParameterTypes {
  /**
   * The DuckDB type {@code ref} is bound as.
   *
   * @throws IllegalArgumentException with BigQuery's message (without position) when the statement
   *     may not use {@code ref}: an unknown name, or a named parameter in a positional query
   */
  String duckDbType(ParameterRef ref);

  /** No values at all: any parameter is an error, as in a query sent without queryParameters. */
  ParameterTypes NONE =
      ref -> {
        throw new IllegalArgumentException(
            ref.isPositional()
                ? "Positional parameters are not supported"
                : "Query parameter '" + ref.name() + "' not found");
      };
}
