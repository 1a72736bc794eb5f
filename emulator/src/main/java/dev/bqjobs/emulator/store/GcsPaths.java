package dev.bqjobs.emulator.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Stands in for Cloud Storage: {@code gs://BUCKET/OBJECT} is the file {@code ROOT/BUCKET/OBJECT}.
 * Source URIs may hold one {@code *} in the object name (matching any characters, {@code /}
 * included, as BigQuery's wildcard does); destination URIs with {@code *} name numbered shards.
 */
public final class GcsPaths {
  /** Where jobs stage files before they appear at their URIs; no bucket can be named like it. */
  public static final String STAGING = ".bqjobs-staging";

  private final Path root;

  public GcsPaths(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  /** A URI that is not {@code gs://BUCKET/OBJECT} or that leaves the root. */
  public static final class InvalidUriException extends IllegalArgumentException {
    InvalidUriException(String message) {
      super(message);
    }
  }

  /** The file a URI without wildcard stands for (it need not exist). */
  public Path resolve(String uri) {
    String[] parts = split(uri);
    if (parts[1].contains("*")) {
      throw new InvalidUriException("URI " + uri + " has a wildcard where a single file is meant.");
    }
    return inside(uri, parts[0], parts[1]);
  }

  /**
   * The existing files a source URI names, sorted by object name: the file itself, or every file
   * its one wildcard matches. Empty when nothing matches.
   */
  public List<Path> match(String uri) {
    String[] parts = split(uri);
    String object = parts[1];
    int star = object.indexOf('*');
    if (star < 0) {
      Path file = inside(uri, parts[0], object);
      return Files.isRegularFile(file) ? List.of(file) : List.of();
    }
    if (object.indexOf('*', star + 1) >= 0) {
      throw new InvalidUriException(
          "URI " + uri + " has more than one wildcard; BigQuery allows one per URI.");
    }
    String prefix = object.substring(0, star);
    String suffix = object.substring(star + 1);
    Path bucket = inside(uri, parts[0], "");
    inside(uri, parts[0], prefix + "x" + suffix); // refuses '..' on either side of the '*'
    if (!Files.isDirectory(bucket)) {
      return List.of();
    }
    List<Path> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(bucket)) {
      files
          .filter(Files::isRegularFile)
          .forEach(
              f -> {
                String name = bucket.relativize(f).toString().replace('\\', '/');
                if (name.length() >= prefix.length() + suffix.length()
                    && name.startsWith(prefix)
                    && name.endsWith(suffix)) {
                  out.add(f);
                }
              });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + bucket + ": " + e.getMessage(), e);
    }
    out.sort(null);
    return out;
  }

  /**
   * {@code uri} with its wildcard replaced by the 12-digit shard number, as BigQuery names them.
   */
  public static String shard(String uri, int shard) {
    return uri.replace("*", String.format(Locale.ROOT, "%012d", shard));
  }

  /** A fresh folder for a job's files until they are moved into place at DONE. */
  public Path newStagingFolder(String prefix) throws IOException {
    Path staging = root.resolve(STAGING);
    Files.createDirectories(staging);
    return Files.createTempDirectory(staging, prefix);
  }

  private static String[] split(String uri) {
    if (uri == null || !uri.startsWith("gs://")) {
      throw new InvalidUriException(
          "Invalid URI: \""
              + uri
              + "\". The local server reads and writes gs://BUCKET/OBJECT only.");
    }
    String rest = uri.substring("gs://".length());
    int slash = rest.indexOf('/');
    if (slash <= 0 || slash == rest.length() - 1) {
      throw new InvalidUriException(
          "Invalid URI: \"" + uri + "\". Expected gs://BUCKET/OBJECT with a bucket and an object.");
    }
    String bucket = rest.substring(0, slash);
    if (bucket.contains("*") || bucket.startsWith(".")) {
      throw new InvalidUriException("Invalid bucket name \"" + bucket + "\" in URI " + uri + ".");
    }
    return new String[] {bucket, rest.substring(slash + 1)};
  }

  private Path inside(String uri, String bucket, String object) {
    Path bucketDir = root.resolve(bucket).normalize();
    Path file = bucketDir.resolve(object).normalize();
    if (!bucketDir.getParent().equals(root) || !file.startsWith(bucketDir)) {
      throw new InvalidUriException(
          "Invalid URI: \"" + uri + "\" points outside its bucket (\"..\" is not allowed).");
    }
    return file;
  }
}
