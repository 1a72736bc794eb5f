package dev.bqjobs.emulator.engine;

import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobConfigurationQuery;
import com.google.api.services.bigquery.model.JobStatistics;
import com.google.api.services.bigquery.model.JobStatistics2;
import com.google.api.services.bigquery.model.TableReference;
import dev.bqjobs.emulator.engine.Errors.JobFailure;
import dev.bqjobs.emulator.errors.BigQueryError;
import dev.bqjobs.emulator.sql.TranslatedStatement;
import java.util.List;

/** Query jobs: SQL translated at insert, run by {@link QueryRunner}. */
final class QueryKind implements JobKind {
  private final QueryRunner runner;

  QueryKind(QueryRunner runner) {
    this.runner = runner;
  }

  @Override
  public String jobType() {
    return "QUERY";
  }

  @Override
  public boolean isKindOf(JobConfiguration config) {
    return config.getQuery() != null;
  }

  @Override
  public Prepared prepare(String project, String jobId, JobConfiguration config) {
    JobConfigurationQuery query = config.getQuery();
    if (query.getQuery() == null || query.getQuery().isBlank()) {
      throw BigQueryError.required("Required parameter is missing: configuration.query.query");
    }
    // A query that does not translate is still a job: it fails when it runs, as in BigQuery.
    TranslatedStatement statement = null;
    StringBuilder translationError = new StringBuilder();
    if (!QueryRunner.isLegacy(query)) {
      QueryRunner.parametersOf(query); // a bad parameter is refused at insert (HTTP 400)
      statement = QueryRunner.translate(query, translationError);
    }
    QueryRunner.validateAtInsert(query, statement);
    return new Prepared(
        statement, translationError.length() == 0 ? null : translationError.toString());
  }

  @Override
  public List<TableReference> tablesTouched(
      String project, JobConfiguration config, Prepared prepared) {
    return QueryRunner.tablesTouched(project, config.getQuery(), prepared.statement);
  }

  @Override
  public void completeConfiguration(JobConfiguration stored) {
    if (stored.getQuery().getPriority() == null) {
      stored.getQuery().setPriority("INTERACTIVE");
    }
  }

  @Override
  public JobStatistics2 dryRun(
      String project, String location, JobConfiguration config, String principal) {
    return runner.dryRun(project, location, config.getQuery(), principal);
  }

  @Override
  public Execution run(JobRecord record) throws JobFailure {
    return runner.run(record, record.job.getConfiguration().getQuery());
  }

  @Override
  public void describeSuccess(Job job, Execution execution) {
    if (execution.queryStatistics != null) {
      job.getStatistics().setQuery(execution.queryStatistics);
    }
    if (execution.resultTable != null) {
      job.getConfiguration().getQuery().setDestinationTable(execution.resultTable);
    }
  }

  @Override
  public void describeFailure(Job job) {
    JobStatistics stats = job.getStatistics();
    if (stats.getQuery() == null) {
      // BigQuery reports the statement type of a failed query whenever it parsed; clients use it
      // to tell a single atomic statement (safe to rerun) from a script.
      String statementType = QueryRunner.statementTypeOrNull(job.getConfiguration().getQuery());
      if (statementType != null) {
        stats.setQuery(new JobStatistics2().setStatementType(statementType));
      }
    }
  }
}
