package dev.bqjobs.pipelines;

import org.apache.beam.sdk.io.gcp.bigquery.BigQueryOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/**
 * Options of the {@code bqjobs} command.
 *
 * <p>{@code --project} ({@link org.apache.beam.sdk.extensions.gcp.options.GcpOptions#getProject})
 * and {@code --bigQueryEndpoint} ({@link BigQueryOptions#getBigQueryEndpoint}) come from Beam's own
 * interfaces, so one {@code --project} serves both Beam (e.g. Dataflow) and the jobs.
 */
public interface BqJobsOptions extends BigQueryOptions {

  @Description(
      "The jobs file: .yaml/.yml (a list of entries), .json (an array of entries) or"
          + " .jsonl/.ndjson (one entry per line).")
  @Validation.Required
  String getJobs();

  void setJobs(String jobs);

  @Description(
      "Folder for succeeded.jsonl, warnings.jsonl, failed.jsonl and summary.json"
          + " (local or any Beam file system, e.g. gs://).")
  @Default.String("bqjobs-out")
  String getOutput();

  void setOutput(String output);

  @Description("Default location of the jobs (e.g. EU) for entries that name none.")
  String getLocation();

  void setLocation(String location);

  @Description("Readable start of generated job IDs.")
  @Default.String("bqjobs")
  String getJobIdPrefix();

  void setJobIdPrefix(String jobIdPrefix);

  @Description(
      "Fixes the run token in job IDs: rerunning with the same token reattaches to jobs already"
          + " started instead of starting them again (e.g. nightly_2026_12_02 for a retried"
          + " nightly launch). Default: drawn per launch (job name, UTC time, random part), so two"
          + " launches never share jobs.")
  String getRunToken();

  void setRunToken(String runToken);

  @Description("Most jobs in flight at once.")
  @Default.Integer(100)
  Integer getMaxConcurrentJobs();

  void setMaxConcurrentJobs(Integer maxConcurrentJobs);

  @Description(
      "How long one job may run before it is cancelled: 30s, 5m, 6h, 1d, or ISO-8601 such as"
          + " PT1H30M.")
  @Default.String("6h")
  String getJobTimeout();

  void setJobTimeout(String jobTimeout);

  @Description("Exit with code 1 when a job failed. With false, failed jobs still exit 0.")
  @Default.Boolean(true)
  Boolean getFailOnJobFailure();

  void setFailOnJobFailure(Boolean failOnJobFailure);

  @Description(
      "Embedded local server only: the folder standing in for gs:// (gs://BUCKET/PATH is"
          + " DIR/BUCKET/PATH). Default: the jobs file's folder.")
  String getEmulatorGcsRoot();

  void setEmulatorGcsRoot(String emulatorGcsRoot);

  @Description(
      "Embedded local server only: keep its tables in this folder (default: in memory, gone"
          + " when the command ends).")
  String getEmulatorDataDir();

  void setEmulatorDataDir(String emulatorDataDir);

  @Description("Show INFO logs (job starts and ends, runner progress).")
  @Default.Boolean(false)
  Boolean getVerbose();

  void setVerbose(Boolean verbose);
}
