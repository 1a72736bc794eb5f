package dev.bqjobs.emulator.engine;

import com.google.api.services.bigquery.model.JobConfiguration;
import dev.bqjobs.emulator.errors.BigQueryError;
import java.util.List;

/** The job types this server runs: the one place that tells a job's kind from its configuration. */
final class JobKinds {
  private final List<JobKind> kinds;

  JobKinds(List<JobKind> kinds) {
    this.kinds = List.copyOf(kinds);
  }

  /** The kind of a configuration; 400 {@code invalid} unless it has exactly one. */
  JobKind of(JobConfiguration config) {
    JobKind found = null;
    int count = 0;
    for (JobKind kind : kinds) {
      if (kind.isKindOf(config)) {
        found = kind;
        count++;
      }
    }
    if (count != 1) {
      throw BigQueryError.invalid(
          "Job configuration must contain exactly one job-specific configuration object (e.g.,"
              + " query, load, extract, copy), but there were "
              + count
              + ".");
    }
    return found;
  }
}
