package dev.bqjobs.pipelines;

import java.util.List;

/** The names of the command's output files, one place for the pipeline, the launcher and tests. */
public final class OutputFiles {
  public static final String SUCCEEDED = "succeeded.jsonl";
  public static final String WARNINGS = "warnings.jsonl";
  public static final String FAILED = "failed.jsonl";
  public static final String SUMMARY = "summary.json";

  /** Every file the command writes, in the order the summary lists them. */
  public static final List<String> ALL = List.of(SUCCEEDED, WARNINGS, FAILED, SUMMARY);

  private OutputFiles() {}
}
