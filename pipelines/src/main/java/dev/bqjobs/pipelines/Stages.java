package dev.bqjobs.pipelines;

import com.google.api.services.bigquery.model.JobConfiguration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits a jobs file's entries into stages that run one after another; the entries of a stage run
 * concurrently.
 *
 * <p>An entry whose copy or extract reads a table that another entry of the file writes (the {@code
 * destinationTable} of a load, copy or query) goes to a later stage than that writer, so a file
 * that loads a table and copies or extracts it gives the same result on every run. Nothing else is
 * ordered: the SQL of a query is not parsed, so a query that reads a table written by the same file
 * may run before that table exists (run such a query from a second jobs file, or chain stages in a
 * pipeline as {@code ChainedReportPipeline} shows). A cycle (each of two entries reads what the
 * other writes) is a file error.
 */
final class Stages {
  private Stages() {}

  static List<List<JobsFileEntry>> of(Path file, List<JobsFileEntry> entries, String project)
      throws JobsFileException {
    Map<String, List<Integer>> writers = new HashMap<>();
    List<List<String>> reads = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      JobConfiguration c = configuration(entries.get(i));
      String p = projectOf(entries.get(i), project);
      for (String table : TableRefs.writes(c, p)) {
        writers.computeIfAbsent(table, t -> new ArrayList<>()).add(i);
      }
      reads.add(TableRefs.reads(c, p));
    }
    int[] stage = new int[entries.size()];
    // Longest path by relaxation; more rounds than entries means a cycle.
    boolean changed = true;
    int rounds = 0;
    while (changed) {
      changed = false;
      if (rounds++ > entries.size()) {
        throw new JobsFileException(cycleMessage(file, entries, stage));
      }
      for (int i = 0; i < entries.size(); i++) {
        for (String table : reads.get(i)) {
          for (int writer : writers.getOrDefault(table, List.of())) {
            if (writer != i && stage[i] <= stage[writer]) {
              stage[i] = stage[writer] + 1;
              changed = true;
            }
          }
        }
      }
    }
    List<List<JobsFileEntry>> stages = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      while (stages.size() <= stage[i]) {
        stages.add(new ArrayList<>());
      }
      stages.get(stage[i]).add(entries.get(i));
    }
    return stages;
  }

  private static JobConfiguration configuration(JobsFileEntry entry) {
    return entry.request() != null ? entry.request().getConfiguration() : new JobConfiguration();
  }

  private static String projectOf(JobsFileEntry entry, String project) {
    return entry.projectId() != null ? entry.projectId() : project;
  }

  private static String cycleMessage(Path file, List<JobsFileEntry> entries, int[] stage) {
    List<String> involved = new ArrayList<>();
    int max = 0;
    for (int s : stage) {
      max = Math.max(max, s);
    }
    for (int i = 0; i < entries.size(); i++) {
      if (stage[i] >= max - 1 && involved.size() < 5) {
        involved.add(entries.get(i).where() + " (key \"" + entries.get(i).key() + "\")");
      }
    }
    return file
        + ": copies or extracts read tables written by each other, so no order works; involved: "
        + String.join(", ", involved);
  }
}
