package dev.bqjobs.emulator.store;

import java.util.Locale;

/**
 * BigQuery location names: multi-regions upper case ({@code US}, {@code EU}), regions lower case.
 */
public final class Locations {
  public static final String DEFAULT = "US";

  private Locations() {}

  /** The canonical spelling of a location, or {@code null} for null/blank. */
  public static String normalize(String location) {
    if (location == null || location.isBlank()) {
      return null;
    }
    String trimmed = location.trim();
    if (trimmed.equalsIgnoreCase("US") || trimmed.equalsIgnoreCase("EU")) {
      return trimmed.toUpperCase(Locale.ROOT);
    }
    return trimmed.toLowerCase(Locale.ROOT);
  }

  public static boolean same(String a, String b) {
    String na = normalize(a);
    String nb = normalize(b);
    return na != null && na.equals(nb);
  }
}
