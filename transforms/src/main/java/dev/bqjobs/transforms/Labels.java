package dev.bqjobs.transforms;

import java.util.Map;
import java.util.regex.Pattern;
import org.checkerframework.checker.nullness.qual.Nullable;

/** BigQuery's label rules, and the label that carries our fingerprint on every job. */
final class Labels {
  /** The label holding the request's fingerprint; checked before reattaching after a 409. */
  static final String FINGERPRINT_LABEL = "bqjobs-fp";

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
      if (FINGERPRINT_LABEL.equals(key)) {
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
    if (userLabels >= MAX_LABELS) {
      return "too many labels: "
          + userLabels
          + " leave no room for the fingerprint label '"
          + FINGERPRINT_LABEL
          + "' (BigQuery allows at most "
          + MAX_LABELS
          + " labels per job)";
    }
    return null;
  }
}
