package dev.bqjobs.emulator.engine;

import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobStatistics2;
import com.google.api.services.bigquery.model.TableReference;
import dev.bqjobs.emulator.engine.Errors.JobFailure;
import dev.bqjobs.emulator.errors.BigQueryError;
import dev.bqjobs.emulator.sql.TranslatedStatement;
import java.util.List;

/**
 * Everything that differs between job types (query, load, extract, copy), so that the rest of the
 * engine never asks which type a job is. {@link JobKinds} lists the kinds; adding a job type is one
 * implementation over its runner plus an entry there.
 */
interface JobKind {
  /** {@code configuration.jobType}: QUERY, LOAD, EXTRACT or COPY. */
  String jobType();

  /** Whether {@code config} carries this kind's type-specific object ({@code query}, ...). */
  boolean isKindOf(JobConfiguration config);

  /**
   * Checks what BigQuery refuses with HTTP 400 at jobs.insert, before any job exists, and returns
   * what the insert learned for the run (a query's translated SQL).
   */
  Prepared prepare(String project, String jobId, JobConfiguration config);

  /**
   * The tables the job reads and writes, as far as its configuration (and parsed SQL) names them,
   * in the order BigQuery tries them to infer the job's location; references may lack a project.
   */
  List<TableReference> tablesTouched(String project, JobConfiguration config, Prepared prepared);

  /** Fills the defaults BigQuery shows in a stored job's configuration. */
  default void completeConfiguration(JobConfiguration stored) {}

  /** A dry run's statistics; only query jobs have dry runs on this server. */
  default JobStatistics2 dryRun(
      String project, String location, JobConfiguration config, String principal) {
    throw BigQueryError.invalid("Dry runs are only supported for query jobs by the local server.");
  }

  /** Does the job's work inside a transaction left open for the scheduler to commit at DONE. */
  Execution run(JobRecord record) throws JobFailure;

  /** Writes a successful execution's type-specific statistics into the DONE job. */
  void describeSuccess(Job job, Execution execution);

  /** Adds what BigQuery reports about a failed job of this kind (a query's statement type). */
  default void describeFailure(Job job) {}

  /** What jobs.insert learned about a job that its run needs. */
  final class Prepared {
    static final Prepared NONE = new Prepared(null, null);

    /** The parsed query of a query job, or null (not a query, or the SQL did not translate). */
    final TranslatedStatement statement;

    /** Why the SQL did not translate, or null. */
    final String translationError;

    Prepared(TranslatedStatement statement, String translationError) {
      this.statement = statement;
      this.translationError = translationError;
    }
  }
}
