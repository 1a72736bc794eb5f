package dev.bqjobs.emulator.engine;

import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.TableReference;
import dev.bqjobs.emulator.engine.Errors.JobFailure;
import java.util.Collections;
import java.util.List;

/** Extract jobs: a table written to gs:// files, run by {@link ExtractRunner}. */
final class ExtractKind implements JobKind {
  private final ExtractRunner runner;

  ExtractKind(ExtractRunner runner) {
    this.runner = runner;
  }

  @Override
  public String jobType() {
    return "EXTRACT";
  }

  @Override
  public boolean isKindOf(JobConfiguration config) {
    return config.getExtract() != null;
  }

  @Override
  public Prepared prepare(String project, String jobId, JobConfiguration config) {
    ExtractRunner.validateAtInsert(config.getExtract());
    return Prepared.NONE;
  }

  @Override
  public List<TableReference> tablesTouched(
      String project, JobConfiguration config, Prepared prepared) {
    return Collections.singletonList(config.getExtract().getSourceTable());
  }

  @Override
  public Execution run(JobRecord record) throws JobFailure {
    return runner.run(record, record.job.getConfiguration().getExtract());
  }

  @Override
  public void describeSuccess(Job job, Execution execution) {
    job.getStatistics().setExtract(execution.extractStatistics);
  }
}
