package dev.bqjobs.emulator.engine;

import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.TableReference;
import dev.bqjobs.emulator.engine.Errors.JobFailure;
import java.util.Collections;
import java.util.List;

/** Load jobs: files from gs:// or an upload into a table, run by {@link LoadRunner}. */
final class LoadKind implements JobKind {
  private final LoadRunner runner;

  LoadKind(LoadRunner runner) {
    this.runner = runner;
  }

  @Override
  public String jobType() {
    return "LOAD";
  }

  @Override
  public boolean isKindOf(JobConfiguration config) {
    return config.getLoad() != null;
  }

  @Override
  public Prepared prepare(String project, String jobId, JobConfiguration config) {
    runner.validateAtInsert(project, jobId, config.getLoad());
    return Prepared.NONE;
  }

  @Override
  public List<TableReference> tablesTouched(
      String project, JobConfiguration config, Prepared prepared) {
    return Collections.singletonList(config.getLoad().getDestinationTable());
  }

  @Override
  public Execution run(JobRecord record) throws JobFailure {
    return runner.run(record, record.job.getConfiguration().getLoad());
  }

  @Override
  public void describeSuccess(Job job, Execution execution) {
    job.getStatistics().setLoad(execution.loadStatistics);
  }
}
