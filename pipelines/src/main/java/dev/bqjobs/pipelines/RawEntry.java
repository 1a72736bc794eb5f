package dev.bqjobs.pipelines;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One entry of a jobs file as parsed, before its fields are checked.
 *
 * @param index 1-based position in the file
 * @param line 1-based line where the entry starts
 * @param node the entry's JSON tree (YAML is converted to the same tree)
 */
record RawEntry(int index, int line, JsonNode node) {

  /** How messages name this entry, e.g. {@code entry 3 (line 12)}. */
  String where() {
    return "entry " + index + " (line " + line + ")";
  }
}
