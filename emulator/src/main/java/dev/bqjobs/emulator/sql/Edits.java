package dev.bqjobs.emulator.sql;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Statement-level decisions the {@link StatementAnalyzer} makes and the {@link Rewriter} applies,
 * keyed by token index: text to insert, token ranges to replace, places where a type starts.
 */
final class Edits {
  /** Replaces tokens {@code [start, end)} with {@code text}. */
  record Replacement(int end, String text) {}

  final Map<Integer, String> insertBefore = new HashMap<>();
  final Map<Integer, String> appendAfter = new HashMap<>();
  final Map<Integer, Replacement> replacements = new HashMap<>();
  final Set<Integer> typeStarts = new HashSet<>();

  void drop(int start, int end) {
    replacements.put(start, new Replacement(end, ""));
  }
}
