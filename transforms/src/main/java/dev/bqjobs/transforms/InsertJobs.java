package dev.bqjobs.transforms;

import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobReference;
import java.util.Map;
import java.util.TreeMap;
import org.checkerframework.checker.nullness.qual.Nullable;

/** Builds the {@code Job} resource sent with jobs.insert for one attempt of a request. */
final class InsertJobs {
  private InsertJobs() {}

  static Job build(PreparedJob request, String jobId, long jobTimeoutMillis) {
    JobConfiguration configuration = request.request.getConfiguration();
    Map<String, String> labels = new TreeMap<>();
    if (configuration.getLabels() != null) {
      labels.putAll(configuration.getLabels());
    }
    labels.put(Labels.FINGERPRINT_LABEL, request.fingerprint);
    labels.put(Labels.KEY_LABEL, Labels.keyHash(request.key, request.baseJobId));
    configuration.setLabels(labels);
    // BigQuery's own backstop: no job outlives a dead pipeline by more than the timeout.
    Long own = configuration.getJobTimeoutMs();
    configuration.setJobTimeoutMs(own == null ? jobTimeoutMillis : Math.min(own, jobTimeoutMillis));
    return new Job()
        .setJobReference(
            new JobReference()
                .setProjectId(request.project)
                .setJobId(jobId)
                .setLocation(request.location))
        .setConfiguration(configuration);
  }

  /** The fingerprint label on an existing job, or null. */
  static @Nullable String fingerprintOf(Job job) {
    return label(job, Labels.FINGERPRINT_LABEL);
  }

  /** The key-hash label on an existing job, or null (jobs made by earlier versions). */
  static @Nullable String keyHashOf(Job job) {
    return label(job, Labels.KEY_LABEL);
  }

  private static @Nullable String label(Job job, String name) {
    JobConfiguration configuration = job.getConfiguration();
    Map<String, String> labels = configuration == null ? null : configuration.getLabels();
    return labels == null ? null : labels.get(name);
  }

  /**
   * The location in a 409 message {@code Already Exists: Job PROJECT:LOCATION.JOBID}. Project IDs
   * may contain ':' and '.' (domain-scoped), so parse from the known job ID backwards.
   */
  static @Nullable String locationFrom409(@Nullable String message, String jobId) {
    if (message == null) {
      return null;
    }
    String suffix = "." + jobId;
    int end = message.indexOf(suffix);
    while (end >= 0
        && end + suffix.length() < message.length()
        && isIdChar(message.charAt(end + suffix.length()))) {
      end = message.indexOf(suffix, end + 1); // "...job-1" must not match inside "...job-12"
    }
    if (end < 0) {
      return null;
    }
    int colon = message.lastIndexOf(':', end);
    if (colon < 0 || colon + 1 >= end) {
      return null;
    }
    String location = message.substring(colon + 1, end);
    return location.matches("[A-Za-z0-9_-]+") ? location : null;
  }

  private static boolean isIdChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '-';
  }
}
