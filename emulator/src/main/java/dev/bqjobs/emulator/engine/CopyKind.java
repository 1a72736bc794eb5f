package dev.bqjobs.emulator.engine;

import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobConfigurationTableCopy;
import com.google.api.services.bigquery.model.TableReference;
import dev.bqjobs.emulator.engine.Errors.JobFailure;
import java.util.ArrayList;
import java.util.List;

/** Copy jobs: tables copied into one, run by {@link CopyRunner}. */
final class CopyKind implements JobKind {
  private final CopyRunner runner;

  CopyKind(CopyRunner runner) {
    this.runner = runner;
  }

  @Override
  public String jobType() {
    return "COPY";
  }

  @Override
  public boolean isKindOf(JobConfiguration config) {
    return config.getCopy() != null;
  }

  @Override
  public Prepared prepare(String project, String jobId, JobConfiguration config) {
    CopyRunner.validateAtInsert(config.getCopy());
    return Prepared.NONE;
  }

  @Override
  public List<TableReference> tablesTouched(
      String project, JobConfiguration config, Prepared prepared) {
    JobConfigurationTableCopy copy = config.getCopy();
    List<TableReference> touched = new ArrayList<>();
    touched.add(copy.getSourceTable());
    if (copy.getSourceTables() != null) {
      touched.addAll(copy.getSourceTables());
    }
    touched.add(copy.getDestinationTable());
    return touched;
  }

  @Override
  public Execution run(JobRecord record) throws JobFailure {
    return runner.run(record, record.job.getConfiguration().getCopy());
  }

  @Override
  public void describeSuccess(Job job, Execution execution) {
    job.getStatistics().setCopy(execution.copyStatistics);
  }
}
