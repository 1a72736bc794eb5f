package dev.bqjobs.emulator.sql;

import java.util.Locale;

/**
 * One value a translated statement takes from outside its text: a named query parameter ({@code
 * @x}), a positional one ({@code ?}, numbered from 1 in order of appearance), or a script variable.
 * Each distinct reference is one DuckDB placeholder {@code $k}, bound as a real value.
 *
 * @param name the parameter or variable name in lower case (BigQuery matches them ignoring case);
 *     {@code null} for a positional parameter
 * @param position the 1-based number of a positional parameter, else 0
 * @param variable true for a script variable
 */
public record ParameterRef(String name, int position, boolean variable) {
  public static ParameterRef named(String name) {
    return new ParameterRef(name.toLowerCase(Locale.ROOT), 0, false);
  }

  public static ParameterRef positional(int position) {
    return new ParameterRef(null, position, false);
  }

  public static ParameterRef variable(String name) {
    return new ParameterRef(name.toLowerCase(Locale.ROOT), 0, true);
  }

  public boolean isPositional() {
    return name == null;
  }

  /** The name, or {@code ?N} for the N-th positional parameter. */
  public String label() {
    return name == null ? "?" + position : name;
  }
}
