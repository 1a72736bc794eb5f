package dev.bqjobs.emulator.engine;

import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobReference;
import dev.bqjobs.emulator.errors.BigQueryError;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;

/**
 * What BigQuery refuses with HTTP 400 at jobs.insert whatever the job type (job ID, labels,
 * timeout), and the runtime a job will stay RUNNING. Type-specific checks are each {@link
 * JobKind}'s.
 */
final class InsertChecks {
  private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9_-]{1,1024}");
  private static final Pattern LABEL_KEY =
      Pattern.compile("[\\p{Ll}\\p{Lo}][\\p{Ll}\\p{Lo}\\p{N}_-]{0,62}");
  private static final Pattern LABEL_VALUE = Pattern.compile("[\\p{Ll}\\p{Lo}\\p{N}_-]{0,63}");
  private static final int MAX_LABELS = 64;

  private final EngineOptions options;
  private final Random runtimes;
  private final SecureRandom ids = new SecureRandom();

  InsertChecks(EngineOptions options) {
    this.options = options;
    this.runtimes = new Random(options.seed);
  }

  /** The configuration, required. */
  static JobConfiguration configuration(JobConfiguration config) {
    if (config == null) {
      throw BigQueryError.required("Required parameter is missing: configuration");
    }
    return config;
  }

  /** The job's ID: the requested one, checked, or a new random one. */
  String jobId(String project, JobReference ref) {
    if (ref.getProjectId() != null && !ref.getProjectId().equals(project)) {
      throw BigQueryError.invalid(
          "Project ID in jobReference ("
              + ref.getProjectId()
              + ") does not match the project of the request URL ("
              + project
              + ").");
    }
    String jobId = ref.getJobId();
    if (jobId == null) {
      return newJobId();
    }
    if (!JOB_ID.matcher(jobId).matches()) {
      throw BigQueryError.invalid(
          "Invalid job ID \""
              + abbreviate(jobId)
              + "\". Job IDs must be alphanumeric (plus underscores and dashes) and must be at"
              + " most 1024 characters long.");
    }
    return jobId;
  }

  /** A random job ID, as BigQuery makes one for a request that names none. */
  String newJobId() {
    byte[] bytes = new byte[18];
    ids.nextBytes(bytes);
    return "job_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).replace('-', '_');
  }

  static void labels(Map<String, String> labels) {
    if (labels == null) {
      return;
    }
    if (labels.size() > MAX_LABELS) {
      throw BigQueryError.invalid(
          "Too many labels: "
              + labels.size()
              + ". A job can have at most "
              + MAX_LABELS
              + " labels.");
    }
    for (Map.Entry<String, String> e : labels.entrySet()) {
      if (!LABEL_KEY.matcher(e.getKey()).matches()) {
        throw BigQueryError.invalid(
            "Invalid label key \""
                + abbreviate(e.getKey())
                + "\": keys must start with a lowercase letter and contain at most 63 lowercase"
                + " letters, digits, underscores and dashes.");
      }
      String value = e.getValue() == null ? "" : e.getValue();
      if (!LABEL_VALUE.matcher(value).matches()) {
        throw BigQueryError.invalid(
            "Invalid value \""
                + abbreviate(value)
                + "\" for label \""
                + e.getKey()
                + "\": values contain at most 63 lowercase letters, digits, underscores and"
                + " dashes.");
      }
    }
  }

  /**
   * How long the job stays RUNNING: its label {@value JobManager#RUNTIME_LABEL}, else the server's
   * random range.
   */
  long runtimeOf(Map<String, String> labels) {
    String value = labels == null ? null : labels.get(JobManager.RUNTIME_LABEL);
    if (value != null) {
      try {
        long ms = Long.parseLong(value);
        if (ms >= 0) {
          return ms;
        }
      } catch (NumberFormatException e) {
        // answered below
      }
      throw BigQueryError.invalid(
          "Label "
              + JobManager.RUNTIME_LABEL
              + " must be an integer number of milliseconds, got \""
              + value
              + "\".");
    }
    if (options.maxRuntimeMs == 0) {
      return 0;
    }
    synchronized (runtimes) {
      return options.minRuntimeMs
          + (long) (runtimes.nextDouble() * (options.maxRuntimeMs - options.minRuntimeMs));
    }
  }

  static void timeout(JobConfiguration config) {
    if (config.getJobTimeoutMs() != null && config.getJobTimeoutMs() <= 0) {
      throw BigQueryError.invalid(
          "Invalid jobTimeoutMs " + config.getJobTimeoutMs() + ": it must be positive.");
    }
  }

  static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "...(" + s.length() + " characters)";
  }
}
