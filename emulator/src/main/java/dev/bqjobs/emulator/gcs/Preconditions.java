package dev.bqjobs.emulator.gcs;

import dev.bqjobs.emulator.errors.BigQueryError;
import dev.bqjobs.emulator.errors.ErrorKind;

/**
 * Cloud Storage's request preconditions on an object's generation and metageneration: {@code
 * ifGenerationMatch} (0: the object must not exist), {@code ifGenerationNotMatch}, {@code
 * ifMetagenerationMatch}, {@code ifMetagenerationNotMatch}. A failed one is 412 {@code
 * conditionNotMet}, as Cloud Storage answers. Metagenerations are always 1 here (metadata never
 * changes without a new generation).
 *
 * @param ifGenerationMatch null: no condition
 */
public record Preconditions(
    Long ifGenerationMatch,
    Long ifGenerationNotMatch,
    Long ifMetagenerationMatch,
    Long ifMetagenerationNotMatch) {
  public static final Preconditions NONE = new Preconditions(null, null, null, null);

  /** Checks the conditions against the object's current generation (0: it does not exist). */
  void check(long currentGeneration) {
    boolean exists = currentGeneration != 0;
    long metageneration = exists ? 1 : 0;
    if ((ifGenerationMatch != null && ifGenerationMatch != currentGeneration)
        || (ifGenerationNotMatch != null && ifGenerationNotMatch == currentGeneration)
        || (ifMetagenerationMatch != null && ifMetagenerationMatch != metageneration)
        || (ifMetagenerationNotMatch != null && ifMetagenerationNotMatch == metageneration)) {
      throw new BigQueryError(
          ErrorKind.FAILED_PRECONDITION,
          "conditionNotMet",
          "At least one of the pre-conditions you specified did not hold.");
    }
  }
}
