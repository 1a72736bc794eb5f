package dev.bqjobs.emulator.gcs;

import dev.bqjobs.emulator.errors.BigQueryError;
import dev.bqjobs.emulator.errors.ErrorKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * Cloud Storage objects as files of the folder standing in for {@code gs://}: a bucket is a folder
 * directly under the root, an object the file at its name. The store writes every object whole: its
 * bytes go to a staging file first and are moved into place atomically, so readers (and load jobs)
 * never see half an object, and the preconditions are checked and the move made under one lock.
 *
 * <p>Nothing outside the root is read or written: names are checked by {@link ObjectNames},
 * symbolic links are neither followed nor listed, and every path is checked against the root's real
 * path before use.
 */
public final class ObjectStore {
  private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

  /** Lists return at most this many entries per page when the caller asks for no fewer. */
  public static final int MAX_PAGE = 1000;

  private final Path root;
  private final Path realRoot;
  private final Path staging;
  private final LongSupplier clockMicros;
  private final Object writeLock = new Object();
  private final Map<String, Kept> attributes = new ConcurrentHashMap<>();

  /** The checksums of each object's latest generation seen: one entry per object, not more. */
  private final Map<String, HashesOf> hashes = new ConcurrentHashMap<>();

  /** Attributes kept for one generation of an object. */
  private record Kept(long generation, ObjectAttributes attributes) {}

  private record HashesOf(long generation, Hashes hashes) {}

  /** An object's checksums, base64 as Cloud Storage sends them. */
  public record Hashes(String md5, String crc32c) {}

  /** A page of a list: objects, common prefixes (with a delimiter), and the next page's token. */
  public record Listing(List<StoredObject> objects, List<String> prefixes, String nextPageToken) {}

  /** A bucket: its name and when its folder was made. */
  public record Bucket(String name, long createdMillis) {}

  /**
   * @param root the folder standing in for {@code gs://}
   * @param staging a folder on the same file system, outside every bucket, for bytes not yet
   *     committed
   * @param clockMicros the time in microseconds, from which new generations are drawn
   */
  public ObjectStore(Path root, Path staging, LongSupplier clockMicros) throws IOException {
    this.root = root.toAbsolutePath().normalize();
    this.realRoot = this.root.toRealPath();
    Files.createDirectories(staging);
    this.staging = staging;
    this.clockMicros = clockMicros;
  }

  // ---- buckets

  /** Every bucket, by name. */
  public List<Bucket> buckets() {
    List<Bucket> out = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
      for (Path dir : dirs) {
        String name = dir.getFileName().toString();
        if (Files.isDirectory(dir, NOFOLLOW) && isBucketName(name)) {
          out.add(new Bucket(name, createdMillis(dir)));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.sort(Comparator.comparing(Bucket::name));
    return out;
  }

  /** A bucket, or 404 {@code notFound}. */
  public Bucket bucket(String name) {
    return new Bucket(name, createdMillis(bucketDir(name)));
  }

  /** Makes a bucket; 409 {@code conflict} when it exists. */
  public Bucket createBucket(String name) {
    ObjectNames.checkBucket(name);
    Path dir = root.resolve(name);
    synchronized (writeLock) {
      try {
        Files.createDirectory(dir);
      } catch (FileAlreadyExistsException e) {
        throw new BigQueryError(
            ErrorKind.ALREADY_EXISTS,
            "conflict",
            "Your previous request to create the named bucket succeeded and you already own it.");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return bucket(name);
  }

  /** Deletes an empty bucket; 409 {@code conflict} when objects remain. */
  public void deleteBucket(String name) {
    Path dir = bucketDir(name);
    synchronized (writeLock) {
      if (containsFile(dir)) {
        throw new BigQueryError(
            ErrorKind.ALREADY_EXISTS, "conflict", "The bucket you tried to delete is not empty.");
      }
      deleteTree(dir);
    }
  }

  // ---- objects

  /**
   * The object's current generation, or the one asked for; 404 {@code notFound} when there is none.
   *
   * @param generation null: the current one
   */
  public StoredObject get(String bucket, String name, Long generation) {
    StoredObject object = find(bucket, name);
    if (object == null || (generation != null && generation != object.generation())) {
      throw noSuchObject(bucket, name);
    }
    return object;
  }

  /** The object, or null when it does not exist. */
  public StoredObject find(String bucket, String name) {
    Path bucketDir = bucketDir(bucket);
    Path file;
    try {
      file = ObjectNames.fileOf(bucketDir, bucket, name);
    } catch (BigQueryError e) {
      // a name no file can have (e.g. Beam's 'dir/' temp folder) names no object here: 404
      return null;
    }
    return describe(bucket, name, file);
  }

  /** Reads the object's bytes from {@code offset}; the caller closes the stream. */
  public InputStream open(StoredObject object, long offset) throws IOException {
    requireInside(object.file());
    InputStream in = Files.newInputStream(object.file(), NOFOLLOW);
    in.skipNBytes(offset);
    return in;
  }

  /** The object's MD5 and CRC32C, computed once per generation. */
  public Hashes hashes(StoredObject object) {
    String key = object.bucket() + "/" + object.name();
    HashesOf known = hashes.get(key);
    if (known != null && known.generation() == object.generation()) {
      return known.hashes();
    }
    Hashes computed = computeHashes(object);
    hashes.put(key, new HashesOf(object.generation(), computed));
    return computed;
  }

  /**
   * The checksums if they are known for the object's generation, else null: a listing must not read
   * every file it lists.
   */
  public Hashes knownHashes(StoredObject object) {
    HashesOf known = hashes.get(object.bucket() + "/" + object.name());
    return known != null && known.generation() == object.generation() ? known.hashes() : null;
  }

  /** A new empty staging file for bytes on their way in; the store moves or deletes it. */
  public Path newStagingFile() throws IOException {
    return Files.createTempFile(staging, "object-", ".part");
  }

  /**
   * Makes {@code staged} the new generation of the object (moving it), after checking {@code
   * preconditions} against the current one.
   */
  public StoredObject put(
      String bucket,
      String name,
      Path staged,
      ObjectAttributes attributes,
      Preconditions preconditions) {
    Path bucketDir = bucketDir(bucket);
    Path file = ObjectNames.fileOf(bucketDir, bucket, name);
    try {
      synchronized (writeLock) {
        StoredObject current = describe(bucket, name, file);
        preconditions.check(current == null ? 0 : current.generation());
        makeRoomFor(bucketDir, bucket, name, file);
        long generation = clockMicros.getAsLong();
        if (current != null && generation <= current.generation()) {
          generation = current.generation() + 1;
        }
        Files.setLastModifiedTime(staged, FileTime.from(generation, TimeUnit.MICROSECONDS));
        Files.move(
            staged, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        this.attributes.put(bucket + "/" + name, new Kept(generation, attributes));
        return get(bucket, name, null);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store gs://" + bucket + "/" + name, e);
    } finally {
      deleteQuietly(staged);
    }
  }

  /** Deletes the object after checking {@code preconditions}; 404 when it does not exist. */
  public void delete(String bucket, String name, Long generation, Preconditions preconditions) {
    Path bucketDir = bucketDir(bucket);
    synchronized (writeLock) {
      StoredObject current = get(bucket, name, generation);
      preconditions.check(current.generation());
      try {
        Files.delete(current.file());
      } catch (NoSuchFileException e) {
        throw noSuchObject(bucket, name);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      attributes.remove(bucket + "/" + name);
      hashes.remove(bucket + "/" + name);
      removeEmptyParents(bucketDir, current.file().getParent());
    }
  }

  /**
   * Copies a source object (its current generation, or {@code sourceGeneration}) to the
   * destination; {@code attributes} null keeps the source's.
   */
  public StoredObject copy(
      StoredObject source,
      String bucket,
      String name,
      ObjectAttributes attributes,
      Preconditions preconditions)
      throws IOException {
    ObjectAttributes kept =
        attributes != null
            ? attributes
            : new ObjectAttributes(
                source.contentType(), source.contentEncoding(), source.metadata());
    return compose(List.of(source), bucket, name, kept, preconditions); // a copy: one part
  }

  /** Concatenates the sources, in order, into the destination object. */
  public StoredObject compose(
      List<StoredObject> sources,
      String bucket,
      String name,
      ObjectAttributes attributes,
      Preconditions preconditions)
      throws IOException {
    Path staged = newStagingFile();
    try (OutputStream out = Files.newOutputStream(staged)) {
      for (StoredObject source : sources) {
        try (InputStream in = open(source, 0)) {
          in.transferTo(out);
        }
      }
    }
    return put(bucket, name, staged, attributes, preconditions);
  }

  /**
   * One page of the objects whose names start with {@code prefix}, in Cloud Storage's order (by
   * UTF-8 bytes). With a delimiter, names holding it after the prefix are rolled up into {@code
   * prefixes} (each once, counted as one entry of the page).
   *
   * @param pageToken from the previous page, or null
   * @param startOffset, endOffset names in {@code [startOffset, endOffset)}; null: unbounded
   */
  public Listing list(
      String bucket,
      String prefix,
      String delimiter,
      String pageToken,
      int maxResults,
      String startOffset,
      String endOffset) {
    Path bucketDir = bucketDir(bucket);
    String p = prefix == null ? "" : prefix;
    String after = pageToken == null || pageToken.isEmpty() ? null : decodeToken(pageToken);
    int slash = p.lastIndexOf('/');
    Path start = slash < 0 ? bucketDir : bucketDir.resolve(p.substring(0, slash)).normalize();
    List<String> names = new ArrayList<>();
    if (start.startsWith(bucketDir) && Files.isDirectory(start, NOFOLLOW)) {
      requireInside(start);
      try (Stream<Path> files = Files.walk(start)) {
        files
            .filter(f -> Files.isRegularFile(f, NOFOLLOW))
            .map(f -> bucketDir.relativize(f).toString().replace('\\', '/'))
            .filter(n -> n.startsWith(p))
            .filter(n -> startOffset == null || BY_UTF8.compare(n, startOffset) >= 0)
            .filter(n -> endOffset == null || BY_UTF8.compare(n, endOffset) < 0)
            .forEach(names::add);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list gs://" + bucket + "/" + p, e);
      }
    }
    names.sort(BY_UTF8);
    List<StoredObject> objects = new ArrayList<>();
    List<String> prefixes = new ArrayList<>();
    String last = null;
    int page = maxResults <= 0 ? MAX_PAGE : Math.min(maxResults, MAX_PAGE);
    int count = 0;
    String next = null;
    for (String name : names) {
      String key = name;
      boolean rolledUp = false;
      if (delimiter != null && !delimiter.isEmpty()) {
        int at = name.indexOf(delimiter, p.length());
        if (at >= 0) {
          key = name.substring(0, at + delimiter.length());
          rolledUp = true;
        }
      }
      if (key.equals(last) || (after != null && BY_UTF8.compare(key, after) <= 0)) {
        continue;
      }
      if (count == page) {
        next = encodeToken(last);
        break;
      }
      last = key;
      count++;
      if (rolledUp) {
        prefixes.add(key);
      } else {
        StoredObject object = describe(bucket, name, bucketDir.resolve(name));
        if (object != null) {
          objects.add(object);
        }
      }
    }
    return new Listing(objects, prefixes, next);
  }

  // ---- helpers

  /** Orders names as Cloud Storage does: by UTF-8 bytes, which is by code points. */
  static final Comparator<String> BY_UTF8 =
      (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
          int ca = a.codePointAt(i);
          int cb = b.codePointAt(j);
          if (ca != cb) {
            return Integer.compare(ca, cb);
          }
          i += Character.charCount(ca);
          j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
      };

  private static String encodeToken(String lastKey) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(lastKey.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private static String decodeToken(String token) {
    try {
      return new String(
          Base64.getUrlDecoder().decode(token), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw BigQueryError.invalid("Invalid pageToken: '" + token + "'.");
    }
  }

  private static boolean isBucketName(String name) {
    try {
      ObjectNames.checkBucket(name);
      return true;
    } catch (BigQueryError e) {
      return false;
    }
  }

  /** The bucket's folder; 404 when there is no such bucket, 400 for a malformed name. */
  Path bucketDir(String bucket) {
    ObjectNames.checkBucket(bucket);
    Path dir = root.resolve(bucket);
    if (!Files.isDirectory(dir, NOFOLLOW)) {
      throw new BigQueryError(
          ErrorKind.NOT_FOUND, "notFound", "The specified bucket does not exist.");
    }
    return dir;
  }

  private StoredObject describe(String bucket, String name, Path file) {
    if (!Files.isRegularFile(file, NOFOLLOW)) {
      return null;
    }
    requireInside(file);
    try {
      long size = Files.size(file);
      long generation = Files.getLastModifiedTime(file, NOFOLLOW).to(TimeUnit.MICROSECONDS);
      Kept kept = attributes.get(bucket + "/" + name);
      ObjectAttributes a =
          kept != null && kept.generation() == generation
              ? kept.attributes()
              : ObjectAttributes.DEFAULT;
      return new StoredObject(
          bucket, name, file, size, generation, a.contentType(), a.contentEncoding(), a.metadata());
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Clears the way for a file at {@code file}: every folder above it must be a folder (not an
   * object), and the name must not be a folder holding objects. An empty folder left where the
   * object goes (by a job, or by hand) is removed.
   */
  private void makeRoomFor(Path bucketDir, String bucket, String name, Path file)
      throws IOException {
    for (Path dir = file.getParent(); !dir.equals(bucketDir); dir = dir.getParent()) {
      if (Files.exists(dir, NOFOLLOW) && !Files.isDirectory(dir, NOFOLLOW)) {
        String other = bucketDir.relativize(dir).toString().replace('\\', '/');
        throw ObjectNames.refused(
            bucket,
            name,
            "object '"
                + other
                + "' exists, and a folder cannot hold both '"
                + other
                + "' and '"
                + name
                + "'");
      }
    }
    if (Files.isDirectory(file, NOFOLLOW)) {
      if (containsFile(file)) {
        throw ObjectNames.refused(
            bucket, name, "objects named '" + name + "/...' exist, and a folder cannot hold both");
      }
      deleteTree(file);
    } else if (Files.exists(file, NOFOLLOW) && !Files.isRegularFile(file, NOFOLLOW)) {
      throw ObjectNames.refused(bucket, name, "its path holds something that is not a file");
    }
    Files.createDirectories(file.getParent());
    requireInside(file.getParent());
  }

  /**
   * Refuses a path whose real location (symbolic links resolved) is outside the root: a link put in
   * the folder by hand must not open the rest of the disk.
   */
  private void requireInside(Path path) {
    Path existing = path;
    while (existing != null && !Files.exists(existing, NOFOLLOW)) {
      existing = existing.getParent();
    }
    try {
      if (existing == null || !existing.toRealPath().startsWith(realRoot)) {
        throw BigQueryError.invalid(
            "The local server refuses " + root.relativize(path) + ": it leads outside gs://.");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Hashes computeHashes(StoredObject object) {
    try (InputStream in = open(object, 0)) {
      java.security.MessageDigest md5 = java.security.MessageDigest.getInstance("MD5");
      java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
      byte[] buffer = new byte[1 << 16];
      int n;
      while ((n = in.read(buffer)) > 0) {
        md5.update(buffer, 0, n);
        crc.update(buffer, 0, n);
      }
      long c = crc.getValue();
      byte[] crcBytes = {(byte) (c >>> 24), (byte) (c >>> 16), (byte) (c >>> 8), (byte) c};
      return new Hashes(
          Base64.getEncoder().encodeToString(md5.digest()),
          Base64.getEncoder().encodeToString(crcBytes));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static long createdMillis(Path dir) {
    try {
      return Files.getLastModifiedTime(dir, NOFOLLOW).toMillis();
    } catch (IOException e) {
      return 0;
    }
  }

  private static boolean containsFile(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.anyMatch(f -> !Files.isDirectory(f, NOFOLLOW));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void removeEmptyParents(Path bucketDir, Path dir) {
    for (Path d = dir;
        d != null && !d.equals(bucketDir) && d.startsWith(bucketDir);
        d = d.getParent()) {
      try {
        Files.delete(d);
      } catch (IOException e) {
        return; // not empty (or gone): stop there
      }
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(ObjectStore::deleteQuietly);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // a staging file left behind is harmless
    }
  }

  static BigQueryError noSuchObject(String bucket, String name) {
    return new BigQueryError(
        ErrorKind.NOT_FOUND, "notFound", "No such object: " + bucket + "/" + name);
  }
}
