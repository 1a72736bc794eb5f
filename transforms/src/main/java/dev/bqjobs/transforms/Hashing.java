package dev.bqjobs.transforms;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 over length-prefixed fields, so ("ab","c") and ("a","bc") never collide. */
final class Hashing {
  private Hashing() {}

  static String sha256Hex(String... fields) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (String field : fields) {
        byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
        digest.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
        digest.update((byte) ':');
        digest.update(bytes);
      }
      StringBuilder hex = new StringBuilder();
      for (byte b : digest.digest()) {
        hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
      }
      return hex.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  /** A stable non-negative int of a string (not String.hashCode: that is not a contract). */
  static int stableBucket(String value, int buckets) {
    String hex = sha256Hex(value).substring(0, 8);
    return (int) (Long.parseLong(hex, 16) % buckets);
  }
}
