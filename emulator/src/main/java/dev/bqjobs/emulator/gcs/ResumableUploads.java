package dev.bqjobs.emulator.gcs;

import dev.bqjobs.emulator.errors.BigQueryError;
import dev.bqjobs.emulator.errors.ErrorKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resumable upload sessions: started by a POST with the object's metadata, fed by PUTs of chunks
 * with {@code Content-Range: bytes FIRST-LAST/TOTAL} ({@code TOTAL} may be {@code *} until the last
 * chunk), asked for their progress with {@code bytes * /TOTAL}. Bytes go to a staging file; the
 * object appears, whole, when the last byte arrives. A chunk that overlaps bytes already received
 * is taken from where the session stands, as Cloud Storage does; one that leaves a gap is refused.
 */
final class ResumableUploads {
  private static final Pattern RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
  private static final Pattern QUERY = Pattern.compile("bytes \\*/(\\d+|\\*)");

  private final ObjectStore store;
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();

  ResumableUploads(ObjectStore store) {
    this.store = store;
  }

  /** Where a session stands after a chunk: the object when complete, else the bytes received. */
  record Progress(long received, StoredObject object) {}

  private static final class Session {
    final String bucket;
    final String name;
    final ObjectAttributes attributes;
    final Preconditions preconditions;
    final Path staged;
    long received;
    StoredObject object;

    Session(
        String bucket,
        String name,
        ObjectAttributes attributes,
        Preconditions preconditions,
        Path staged) {
      this.bucket = bucket;
      this.name = name;
      this.attributes = attributes;
      this.preconditions = preconditions;
      this.staged = staged;
    }
  }

  /** Opens a session; its ID goes into the {@code Location} the client sends chunks to. */
  String start(String bucket, String name, ObjectAttributes attributes, Preconditions preconditions)
      throws IOException {
    store.bucketDir(bucket);
    ObjectNames.checkObject(bucket, name);
    String id = UUID.randomUUID().toString().replace("-", "");
    sessions.put(id, new Session(bucket, name, attributes, preconditions, store.newStagingFile()));
    return id;
  }

  /**
   * Takes one request of a session: a chunk (with or without {@code Content-Range}) or a status
   * query.
   */
  Progress put(String id, String contentRange, InputStream body) throws IOException {
    Session session = sessions.get(id);
    if (session == null) {
      throw new BigQueryError(
          ErrorKind.NOT_FOUND, "notFound", "No such upload session: upload_id=" + id + ".");
    }
    synchronized (session) {
      String range = contentRange == null ? null : contentRange.trim();
      Matcher query = range == null ? null : QUERY.matcher(range);
      if (query != null && query.matches()) {
        if (session.object == null && !query.group(1).equals("*")) {
          long total = Long.parseLong(query.group(1));
          if (total == session.received) {
            finish(session); // the last chunk declared no total; this request closes the upload
          } else if (total < session.received) {
            throw mismatch(id, "a total of " + total + " bytes", session.received);
          }
        }
        return new Progress(session.received, session.object);
      }
      if (session.object != null) {
        throw BigQueryError.invalid(
            "Upload session upload_id="
                + id
                + " is already complete (object "
                + session.bucket
                + "/"
                + session.name
                + ", generation "
                + session.object.generation()
                + "); start a new session to upload again.");
      }
      long first;
      Long total;
      if (range == null) {
        first = 0;
        total = null; // the whole object in one request
      } else {
        Matcher m = RANGE.matcher(range);
        if (!m.matches()) {
          throw BigQueryError.invalid(
              "Malformed Content-Range header: '"
                  + contentRange
                  + "'. Expected 'bytes FIRST-LAST/TOTAL', 'bytes FIRST-LAST/*' or 'bytes */TOTAL'.");
        }
        first = Long.parseLong(m.group(1));
        long last = Long.parseLong(m.group(2));
        total = m.group(3).equals("*") ? null : Long.parseLong(m.group(3));
        if (last < first || (total != null && last >= total)) {
          throw BigQueryError.invalid("Malformed Content-Range header: '" + contentRange + "'.");
        }
        if (first > session.received) {
          throw mismatch(id, "a chunk starting at byte " + first, session.received);
        }
      }
      long skip = session.received - first;
      long written = 0;
      try (OutputStream out = Files.newOutputStream(session.staged, StandardOpenOption.APPEND)) {
        body.skipNBytes(Math.min(skip, Long.MAX_VALUE));
        written = body.transferTo(out);
      } catch (java.io.EOFException e) {
        written = 0; // the whole chunk was bytes already received
      }
      session.received += written;
      if (range == null || (total != null && session.received >= total)) {
        if (total != null && session.received != total) {
          throw mismatch(id, "a total of " + total + " bytes", session.received);
        }
        finish(session);
      }
      return new Progress(session.received, session.object);
    }
  }

  /** Ends a session unfinished (DELETE on its URL); its bytes are dropped. */
  void cancel(String id) throws IOException {
    Session session = sessions.remove(id);
    if (session == null) {
      throw new BigQueryError(
          ErrorKind.NOT_FOUND, "notFound", "No such upload session: upload_id=" + id + ".");
    }
    Files.deleteIfExists(session.staged);
  }

  /** Commits the object; a session whose commit is refused (412, 400) ends with it. */
  private void finish(Session session) {
    try {
      session.object =
          store.put(
              session.bucket,
              session.name,
              session.staged,
              session.attributes,
              session.preconditions);
    } catch (RuntimeException e) {
      sessions.values().remove(session);
      throw e;
    }
  }

  private static BigQueryError mismatch(String id, String what, long received) {
    return BigQueryError.invalid(
        "Upload session upload_id="
            + id
            + " got "
            + what
            + ", but it has received "
            + received
            + " bytes. Ask for its progress with 'Content-Range: bytes */*' and resume from there.");
  }
}
