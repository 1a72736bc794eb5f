package dev.bqjobs.transforms;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The fingerprint of a job: a hash of its canonical configuration (without our own label), project
 * and location. Carried on the job as label {@value Labels#FINGERPRINT_LABEL}, it tells our own job
 * (reattach) from a different one under the same ID (collision) after an HTTP 409.
 */
final class Fingerprint {
  /** 40 hex characters (160 bits): a valid label value, far from any realistic collision. */
  static final int LENGTH = 40;

  private Fingerprint() {}

  static String of(String canonicalConfigurationJson, String project, @Nullable String location) {
    JsonObject configuration = JsonParser.parseString(canonicalConfigurationJson).getAsJsonObject();
    JsonElement labels = configuration.get("labels");
    if (labels != null && labels.isJsonObject()) {
      labels.getAsJsonObject().remove(Labels.FINGERPRINT_LABEL);
      labels.getAsJsonObject().remove(Labels.KEY_LABEL);
      if (labels.getAsJsonObject().size() == 0) {
        configuration.remove("labels"); // no labels and empty labels are the same job
      }
    }
    return Hashing.sha256Hex(
            "configuration",
            CanonicalJson.toJson(configuration),
            "project",
            project,
            "location",
            location == null ? "" : location)
        .substring(0, LENGTH);
  }
}
