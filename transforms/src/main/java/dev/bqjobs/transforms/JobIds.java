package dev.bqjobs.transforms;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The job ID policy: {@code <prefix>_<run token>_<hash of (run token, key, fingerprint)>}.
 *
 * <p>Nothing random and no wall clock: a re-executed step (bundle retry, recomputed shuffle) must
 * compute the same ID on any runner, so that its insert meets a 409 instead of starting a second
 * job. Reruns of a job that failed retryably append {@code -r2}, {@code -r3}, ...; room for that
 * suffix is kept inside BigQuery's 1,024 characters.
 */
final class JobIds {
  static final int MAX_JOB_ID_LENGTH = 1024;

  /** "-r" plus up to 3 digits, with room to spare. */
  static final int RERUN_SUFFIX_ROOM = 8;

  static final int MAX_EXPLICIT_LENGTH = MAX_JOB_ID_LENGTH - RERUN_SUFFIX_ROOM;
  static final int MAX_PREFIX_LENGTH = 256;
  static final int MAX_RUN_TOKEN_LENGTH = 256;
  static final int HASH_LENGTH = 32;
  static final int MAX_ATTEMPTS = 100;

  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_-]+");
  private static final Pattern INVALID_CHARS = Pattern.compile("[^A-Za-z0-9_-]+");

  private JobIds() {}

  /** Throws with a message naming the prefix if it cannot start a job ID. */
  static String checkPrefix(String prefix) {
    if (prefix == null || prefix.isEmpty() || prefix.length() > MAX_PREFIX_LENGTH) {
      throw new IllegalArgumentException(
          "invalid job ID prefix '"
              + prefix
              + "': it must have 1 to "
              + MAX_PREFIX_LENGTH
              + " letters, digits, '_' or '-'");
    }
    if (!VALID.matcher(prefix).matches()) {
      throw new IllegalArgumentException(
          "invalid job ID prefix '" + prefix + "': only letters, digits, '_' and '-' are allowed");
    }
    return prefix;
  }

  /** Throws with a message naming the token if it cannot be part of a job ID. */
  static String checkRunToken(String token) {
    if (token == null
        || token.isEmpty()
        || token.length() > MAX_RUN_TOKEN_LENGTH
        || !VALID.matcher(token).matches()) {
      throw new IllegalArgumentException(
          "invalid run token '"
              + token
              + "': it must have 1 to "
              + MAX_RUN_TOKEN_LENGTH
              + " letters, digits, '_' or '-'");
    }
    return token;
  }

  /**
   * The default run token of one launch: the pipeline's job name (sanitised), the launch's UTC time
   * and 8 random hex characters, e.g. {@code nightly-load_20261202T063842Z_9f3ab2c1}.
   *
   * <p>Drawn once per launch, at run time: schedulers relaunch pipelines under a fixed job name
   * every day, and a token equal to the job name made day 2 reattach to day 1's jobs and skip its
   * work. Only an explicit run token makes two launches share job IDs.
   */
  static String runTokenForLaunch(@Nullable String jobName, long launchMillis, String randomHex) {
    return runTokenFromJobName(jobName)
        + "_"
        + LAUNCH_TIME.format(Instant.ofEpochMilli(launchMillis))
        + "_"
        + randomHex;
  }

  private static final DateTimeFormatter LAUNCH_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  /**
   * The job name made safe for a job ID. Long names keep a readable head plus a hash of the whole
   * name, so two long names never share a token.
   */
  static String runTokenFromJobName(@Nullable String jobName) {
    String name = jobName == null || jobName.isEmpty() ? "unnamed" : jobName;
    String safe = INVALID_CHARS.matcher(name).replaceAll("_");
    int max = 100;
    if (safe.length() <= max && safe.equals(name)) {
      return safe;
    }
    // Sanitising may merge different names ("a.b" and "a_b"): disambiguate with a hash.
    String head = safe.length() > max ? safe.substring(0, max) : safe;
    return head + "_" + Hashing.sha256Hex(name).substring(0, 8);
  }

  /** The ID of a request's first attempt. */
  static String generate(String prefix, String runToken, String key, String fingerprint) {
    String hash = Hashing.sha256Hex(runToken, key, fingerprint).substring(0, HASH_LENGTH);
    return prefix + "_" + runToken + "_" + hash;
  }

  /** Attempt 1 is the base ID; attempt n > 1 is {@code <base>-r<n>}. */
  static String forAttempt(String baseId, int attempt) {
    return attempt <= 1 ? baseId : baseId + "-r" + attempt;
  }

  /** Why an explicit job ID cannot be used, or null if it can. */
  static @Nullable String problemWithExplicit(String jobId) {
    if (jobId.isEmpty()) {
      return "invalid job ID '': it is empty";
    }
    if (!VALID.matcher(jobId).matches()) {
      return "invalid job ID '" + jobId + "': only letters, digits, '_' and '-' are allowed";
    }
    if (jobId.length() > MAX_EXPLICIT_LENGTH) {
      return "invalid job ID of "
          + jobId.length()
          + " characters: at most "
          + MAX_EXPLICIT_LENGTH
          + " (BigQuery allows "
          + MAX_JOB_ID_LENGTH
          + "; "
          + RERUN_SUFFIX_ROOM
          + " are kept for rerun suffixes such as -r2)";
    }
    return null;
  }
}
