package dev.bqjobs.emulator.gcs;

import dev.bqjobs.emulator.errors.BigQueryError;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Checks bucket and object names and maps an object to its file: {@code gs://BUCKET/a/b} is {@code
 * ROOT/BUCKET/a/b}. Every name Cloud Storage accepts that a folder can hold works; the others are
 * refused with 400 {@code invalid} naming the object and saying why, because a file tree cannot
 * hold them: an empty segment ({@code a//b}, a leading or trailing {@code /}, so no {@code dir/}
 * placeholders), a {@code .} or {@code ..} segment, a segment over 255 bytes, a NUL character. (An
 * object {@code a} beside objects under {@code a/} is refused by {@link ObjectStore}, which sees
 * the folder.) Nothing a name says can reach outside its bucket's folder.
 */
public final class ObjectNames {
  /** Cloud Storage's bucket names: 3-63 characters, lowercase letters, digits, - _ and dots. */
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]");

  /** Longest file name most file systems hold (ext4, xfs, APFS, NTFS). */
  static final int MAX_SEGMENT_BYTES = 255;

  /** Cloud Storage's own limit on object names. */
  static final int MAX_NAME_BYTES = 1024;

  private ObjectNames() {}

  /** Refuses a bucket name Cloud Storage would refuse (400 {@code invalid}). */
  public static void checkBucket(String bucket) {
    if (bucket == null || !BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
      throw BigQueryError.invalid(
          "Invalid bucket name: '"
              + bucket
              + "'. Bucket names have 3 to 63 characters: lowercase letters, digits, '-', '_' and"
              + " '.', starting and ending with a letter or digit.");
    }
  }

  /**
   * Refuses an object name Cloud Storage refuses, or one a folder cannot hold (400 {@code invalid},
   * naming the object and the reason).
   */
  public static void checkObject(String bucket, String name) {
    if (name == null || name.isEmpty()) {
      throw BigQueryError.required("Required parameter is missing: object name.");
    }
    if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
      throw refused(bucket, name, "object names are at most 1024 bytes of UTF-8");
    }
    if (name.indexOf('\r') >= 0 || name.indexOf('\n') >= 0) {
      throw refused(bucket, name, "object names cannot contain carriage returns or line feeds");
    }
    if (name.indexOf('\0') >= 0) {
      throw refused(bucket, name, "a file name cannot contain a NUL character");
    }
    if (name.startsWith("/") || name.endsWith("/") || name.contains("//")) {
      throw refused(
          bucket,
          name,
          "an empty path segment (a leading or trailing '/', or '//') has no file in a folder;"
              + " folder placeholders such as 'dir/' are not stored");
    }
    for (String segment : name.split("/", -1)) {
      if (segment.equals(".") || segment.equals("..")) {
        throw refused(bucket, name, "a '" + segment + "' segment would leave its folder");
      }
      if (segment.getBytes(StandardCharsets.UTF_8).length > MAX_SEGMENT_BYTES) {
        throw refused(bucket, name, "a path segment is longer than 255 bytes, a file name's limit");
      }
    }
  }

  /** The file of a checked object name inside {@code bucketDir}; never outside it. */
  static Path fileOf(Path bucketDir, String bucket, String name) {
    checkObject(bucket, name);
    Path file = bucketDir.resolve(name).normalize();
    if (!file.startsWith(bucketDir) || file.equals(bucketDir)) {
      throw refused(bucket, name, "it points outside its bucket's folder");
    }
    return file;
  }

  static BigQueryError refused(String bucket, String name, String why) {
    return BigQueryError.invalid(
        "The local server cannot store object '"
            + name
            + "' in bucket '"
            + bucket
            + "': "
            + why
            + ". (Cloud Storage accepts some such names; a folder standing in for gs:// cannot"
            + " hold them.)");
  }
}
