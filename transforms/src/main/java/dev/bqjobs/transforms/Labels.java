package dev.bqjobs.transforms;

import java.util.Map;
import java.util.regex.Pattern;
import org.checkerframework.checker.nullness.qual.Nullable;

/** BigQuery's label rules, and the two labels that carry a request's identity on every job. */
final class Labels {
  /** The label holding the request's fingerprint; checked before reattaching after a 409. */
  static final String FINGERPRINT_LABEL = "bqjobs-fp";

  /**
   * The label holding a hash of the request's key and base job ID; checked beside the fingerprint
   * after a 409, so that an explicit ID equal to another request's rerun ID ({@code load_x-r2})
   * cannot silently share that job. Jobs made by earlier versions lack it.
   */
  static final String KEY_LABEL = "bqjobs-key";

  /** How many labels of every job are ours. */
  static final int OWN_LABELS = 2;

  /** The value of {@link #KEY_LABEL}: 40 hex characters, a valid label value. */
  static String keyHash(String key, String baseJobId) {
    return Hashing.sha256Hex("key", key, "baseJobId", baseJobId).substring(0, 40);
  }

  static boolean isOwn(@Nullable String labelKey) {
    return FINGERPRINT_LABEL.equals(labelKey) || KEY_LABEL.equals(labelKey);
  }

  static final int MAX_LABELS = 64;
  // Lowercase letters (international ones too: Ll, and Lo for letters without case), digits, _ -.
  private static final Pattern KEY = Pattern.compile("\\p{Ll}[\\p{Ll}\\p{Lo}\\p{Nd}_-]{0,62}");
  private static final Pattern VALUE = Pattern.compile("[\\p{Ll}\\p{Lo}\\p{Nd}_-]{0,63}");

  private Labels() {}

  /** Why these user labels cannot go on a job (with ours added), or null if they can. */
  static @Nullable String problem(@Nullable Map<String, String> labels) {
    if (labels == null) {
      return null;
    }
    int userLabels = 0;
    for (Map.Entry<String, String> label : labels.entrySet()) {
      String key = label.getKey();
      String value = label.getValue();
      if (isOwn(key)) {
        continue; // ours; replaced on every job
      }
      userLabels++;
      if (key == null || !KEY.matcher(key).matches()) {
        return "invalid label key '"
            + key
            + "': keys start with a lowercase letter and have at most 63 lowercase letters,"
            + " digits, '_' or '-'";
      }
      if (value == null || !VALUE.matcher(value).matches()) {
        return "invalid value '"
            + value
            + "' for label '"
            + key
            + "': values have at most 63 lowercase letters, digits, '_' or '-'";
      }
    }
    if (userLabels > MAX_LABELS - OWN_LABELS) {
      return "too many labels: "
          + userLabels
          + " leave no room for the labels '"
          + FINGERPRINT_LABEL
          + "' and '"
          + KEY_LABEL
          + "' (BigQuery allows at most "
          + MAX_LABELS
          + " labels per job)";
    }
    return null;
  }
}
