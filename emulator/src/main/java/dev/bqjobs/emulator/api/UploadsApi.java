package dev.bqjobs.emulator.api;

import com.google.api.services.bigquery.model.Job;
import dev.bqjobs.emulator.engine.JobManager;
import dev.bqjobs.emulator.errors.BigQueryError;
import dev.bqjobs.emulator.http.HttpCall;
import dev.bqjobs.emulator.http.Reply;
import dev.bqjobs.emulator.http.Router;
import dev.bqjobs.emulator.wire.JsonCodec;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Media uploads of load jobs, {@code POST /upload/bigquery/v2/projects/{projectId}/jobs}: {@code
 * uploadType=multipart} (job JSON and data in one multipart/related body) and {@code
 * uploadType=resumable} (a session whose URL the answer's {@code Location} header gives; the data
 * follows in PUTs with {@code Content-Range}, answered 308 until the last one, which returns the
 * job). The uploaded bytes become the load's single source file.
 */
public final class UploadsApi {
  /** Largest single upload request (a multipart body or one resumable chunk). */
  public static final long MAX_UPLOAD_REQUEST_BYTES = 256L * 1024 * 1024;

  private static final Pattern RANGE =
      Pattern.compile("bytes\\s+(?:(\\d+)-(\\d+)|\\*)/(\\d+|\\*)", Pattern.CASE_INSENSITIVE);

  private final JobManager jobs;
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final SecureRandom ids = new SecureRandom();

  /** A resumable upload in progress: the job to insert and the bytes received so far. */
  private static final class Session {
    final String project;
    final Job job;
    final Path file;
    final String principal;
    long received; // guarded by this

    Session(String project, Job job, Path file, String principal) {
      this.project = project;
      this.job = job;
      this.file = file;
      this.principal = principal;
    }
  }

  public UploadsApi(JobManager jobs) {
    this.jobs = jobs;
  }

  public void register(Router router) {
    String base = "/upload/projects/{projectId}/jobs";
    router
        .add("POST", base, "jobs.insert", MAX_UPLOAD_REQUEST_BYTES, this::post)
        .add("PUT", base, "jobs.insert", MAX_UPLOAD_REQUEST_BYTES, this::chunk);
  }

  private Reply post(HttpCall call) throws IOException {
    if (call.query("upload_id") != null) {
      return chunk(call); // some clients send the data of a session with POST
    }
    String type = call.query("uploadType");
    String project = call.param("projectId");
    if ("multipart".equals(type)) {
      return multipart(call, project);
    }
    if ("resumable".equals(type)) {
      return startSession(call, project);
    }
    throw BigQueryError.invalid(
        "Invalid uploadType \""
            + type
            + "\": the local server takes uploadType=multipart or uploadType=resumable.");
  }

  private Reply multipart(HttpCall call, String project) throws IOException {
    Multipart.Parts parts = Multipart.parse(call.header("Content-Type"), call.body());
    Job job = JsonCodec.parse(new String(parts.metadata, StandardCharsets.UTF_8), Job.class, "job");
    Path file = Files.createTempFile("bqjobs-upload-", ".data");
    Files.write(file, parts.media);
    return Reply.ok(jobs.insertUpload(project, job, file, call.principal()));
  }

  private Reply startSession(HttpCall call, String project) throws IOException {
    Job job = call.json(Job.class, "job");
    if (job.getConfiguration() == null || job.getConfiguration().getLoad() == null) {
      throw BigQueryError.invalid("An upload must carry a load job configuration.");
    }
    byte[] bytes = new byte[18];
    ids.nextBytes(bytes);
    String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    Path file = Files.createTempFile("bqjobs-upload-", ".data");
    sessions.put(id, new Session(project, job, file, call.principal()));
    String host = call.header("Host") == null ? "127.0.0.1" : call.header("Host");
    String location =
        "http://"
            + host
            + "/upload/bigquery/v2/projects/"
            + project
            + "/jobs?uploadType=resumable&upload_id="
            + id;
    return Reply.of(200, null).withHeader("Location", location);
  }

  /** One PUT of a resumable session: append the bytes, answer 308 or, at the end, the job. */
  private Reply chunk(HttpCall call) {
    String id = call.query("upload_id");
    Session session = id == null ? null : sessions.get(id);
    if (session == null) {
      throw BigQueryError.notFound("Not found: upload session " + id);
    }
    if (!session.project.equals(call.param("projectId"))) {
      throw BigQueryError.invalid(
          "Upload session " + id + " belongs to project " + session.project + ".");
    }
    byte[] body = call.body();
    String header = call.header("Content-Range");
    long first;
    long total;
    if (header == null) {
      first = 0; // the whole file in one request
      total = body.length;
    } else {
      Matcher m = RANGE.matcher(header.trim());
      if (!m.matches()) {
        throw BigQueryError.invalid("Invalid Content-Range \"" + header + "\".");
      }
      first = m.group(1) == null ? -1 : Long.parseLong(m.group(1));
      total = m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3));
      if (first >= 0 && Long.parseLong(m.group(2)) - first + 1 != body.length) {
        throw BigQueryError.invalid(
            "Content-Range \""
                + header
                + "\" announces "
                + (Long.parseLong(m.group(2)) - first + 1)
                + " bytes, the request carries "
                + body.length
                + ".");
      }
    }
    long received;
    synchronized (session) {
      if (first >= 0) {
        if (first > session.received) {
          throw BigQueryError.invalid(
              "Upload chunk starts at byte "
                  + first
                  + " but only "
                  + session.received
                  + " bytes were received.");
        }
        int skip = (int) (session.received - first); // a resent chunk overlaps what we have
        if (skip < body.length) {
          append(session.file, body, skip);
          session.received += body.length - skip;
        }
      }
      received = session.received;
      if (total < 0 || received < total) {
        Reply incomplete = Reply.of(308, null);
        return received == 0
            ? incomplete
            : incomplete.withHeader("Range", "bytes=0-" + (received - 1));
      }
      if (received > total) {
        throw BigQueryError.invalid(
            "Upload of " + received + " bytes is longer than the announced " + total + " bytes.");
      }
      sessions.remove(id);
    }
    return Reply.ok(
        jobs.insertUpload(session.project, session.job, session.file, session.principal));
  }

  private static void append(Path file, byte[] body, int offset) {
    try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.APPEND)) {
      out.write(body, offset, body.length - offset);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store the uploaded bytes: " + e.getMessage(), e);
    }
  }

  /** multipart/related bodies: the first part is the job JSON, the second the data. */
  static final class Multipart {
    static final class Parts {
      final byte[] metadata;
      final byte[] media;

      Parts(byte[] metadata, byte[] media) {
        this.metadata = metadata;
        this.media = media;
      }
    }

    private Multipart() {}

    static Parts parse(String contentType, byte[] body) {
      String boundary = boundaryOf(contentType);
      byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
      java.util.List<byte[]> parts = new java.util.ArrayList<>();
      int at = indexOf(body, delimiter, 0);
      while (at >= 0) {
        int start = at + delimiter.length;
        if (start + 1 < body.length && body[start] == '-' && body[start + 1] == '-') {
          break; // closing delimiter
        }
        start = skipLineEnd(body, start);
        int next = indexOf(body, delimiter, start);
        if (next < 0) {
          throw BigQueryError.invalid("Multipart body is missing its closing boundary.");
        }
        int end = next;
        if (end > start && body[end - 1] == '\n') {
          end--;
        }
        if (end > start && body[end - 1] == '\r') {
          end--;
        }
        parts.add(contentOf(java.util.Arrays.copyOfRange(body, start, end)));
        at = next;
      }
      if (parts.size() != 2) {
        throw BigQueryError.invalid(
            "A multipart upload needs two parts (job JSON, then data), got " + parts.size() + ".");
      }
      return new Parts(parts.get(0), parts.get(1));
    }

    private static String boundaryOf(String contentType) {
      if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/")) {
        throw BigQueryError.invalid(
            "uploadType=multipart needs a multipart/related body, got Content-Type "
                + contentType
                + ".");
      }
      for (String param : contentType.split(";")) {
        String p = param.trim();
        if (p.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
          String b = p.substring("boundary=".length());
          return b.startsWith("\"") && b.endsWith("\"") ? b.substring(1, b.length() - 1) : b;
        }
      }
      throw BigQueryError.invalid("Content-Type " + contentType + " names no boundary.");
    }

    /** The content of one part, after its headers and the blank line. */
    private static byte[] contentOf(byte[] part) {
      if (part.length > 0 && part[0] == '\n') {
        return java.util.Arrays.copyOfRange(part, 1, part.length); // a part without headers
      }
      if (part.length > 1 && part[0] == '\r' && part[1] == '\n') {
        return java.util.Arrays.copyOfRange(part, 2, part.length);
      }
      for (int i = 0; i < part.length; i++) {
        if (part[i] == '\n'
            && (i + 1 < part.length && part[i + 1] == '\n'
                || i + 2 < part.length && part[i + 1] == '\r' && part[i + 2] == '\n')) {
          int start = part[i + 1] == '\n' ? i + 2 : i + 3;
          return java.util.Arrays.copyOfRange(part, start, part.length);
        }
      }
      return part;
    }

    private static int skipLineEnd(byte[] body, int at) {
      if (at < body.length && body[at] == '\r') {
        at++;
      }
      if (at < body.length && body[at] == '\n') {
        at++;
      }
      return at;
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
      outer:
      for (int i = from; i <= haystack.length - needle.length; i++) {
        for (int j = 0; j < needle.length; j++) {
          if (haystack[i + j] != needle[j]) {
            continue outer;
          }
        }
        return i;
      }
      return -1;
    }
  }
}
