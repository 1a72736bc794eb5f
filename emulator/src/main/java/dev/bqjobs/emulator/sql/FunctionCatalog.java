package dev.bqjobs.emulator.sql;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Every function of BigQuery's GoogleSQL function reference, by family, each marked supported or
 * refused by the local server. Read once from {@code function-catalog.txt} (next to this class);
 * {@link FunctionCheck} consults it before any rewrite, so a name the catalog does not know (a
 * DuckDB-only function such as {@code list_value}) is refused as BigQuery refuses it.
 */
final class FunctionCatalog {
  /** Whether the local server runs a documented function. */
  enum Status {
    /** Translated or run as is; {@code FunctionSweepTest} has cases with BigQuery's values. */
    SUPPORTED,
    /** Documented by BigQuery but not served: the query fails with {@code Function not found}. */
    REFUSED
  }

  /**
   * One documented function.
   *
   * @param name the upper-case name, dotted for namespaced ones ({@code NET.HOST})
   * @param family the reference page's family ({@code string}, {@code math}, ...)
   * @param status supported or refused
   */
  record Entry(String name, String family, Status status) {
    boolean supported() {
      return status == Status.SUPPORTED;
    }

    /** Whether the function is table-valued (called in FROM). */
    boolean tableValued() {
      return family.equals("table_valued");
    }
  }

  private static final Map<String, Entry> ENTRIES = load();

  private FunctionCatalog() {}

  /** The entry for {@code name} (any case), or null when BigQuery has no such function. */
  static Entry lookup(String name) {
    return ENTRIES.get(name.toUpperCase(Locale.ROOT));
  }

  /** Every entry, in the resource's order (grouped by family). */
  static Collection<Entry> entries() {
    return ENTRIES.values();
  }

  private static Map<String, Entry> load() {
    try (InputStream in = FunctionCatalog.class.getResourceAsStream("function-catalog.txt")) {
      if (in == null) {
        throw new IllegalStateException("function-catalog.txt is missing from the classpath");
      }
      Map<String, Entry> entries = new LinkedHashMap<>();
      new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .map(String::strip)
          .filter(line -> !line.isEmpty() && !line.startsWith("#"))
          .forEach(line -> add(entries, line));
      return entries;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void add(Map<String, Entry> entries, String line) {
    String[] parts = line.split("\\s+");
    if (parts.length != 3) {
      throw new IllegalStateException("function-catalog.txt: expected NAME FAMILY STATUS: " + line);
    }
    Status status = Status.valueOf(parts[2].toUpperCase(Locale.ROOT));
    Entry entry = new Entry(parts[0].toUpperCase(Locale.ROOT), parts[1], status);
    if (entries.put(entry.name(), entry) != null) {
      throw new IllegalStateException("function-catalog.txt lists " + entry.name() + " twice");
    }
  }
}
