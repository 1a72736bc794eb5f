package dev.bqjobs.emulator.gcs;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.bqjobs.emulator.LocalBigQueryRule;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Raw HTTP at the Cloud Storage API: malformed uploads, reused and unknown upload sessions, names
 * that try to leave the folder, symbolic links out of it. Each gets Cloud Storage's error (or the
 * documented 400), and nothing outside the gs:// folder is read or written.
 */
public class StorageBadInputTest {
  @ClassRule public static final TemporaryFolder OUTSIDE = new TemporaryFolder();

  @ClassRule public static final LocalBigQueryRule BQ = new LocalBigQueryRule();

  static final String BUCKET = "raw-bucket";
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeClass
  public static void bucket() throws Exception {
    assertEquals(
        200,
        send("POST", "storage/v1/b?project=p", null, "{\"name\":\"" + BUCKET + "\"}").statusCode());
  }

  static HttpResponse<String> send(String method, String path, String contentType, String body)
      throws Exception {
    return send(method, path, contentType, null, body);
  }

  static HttpResponse<String> send(
      String method, String path, String contentType, String contentRange, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(path.startsWith("http") ? path : BQ.rootUrl() + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    if (contentRange != null) {
      b.header("Content-Range", contentRange);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String upload(String name) {
    return "upload/storage/v1/b/" + BUCKET + "/o?uploadType=media&name=" + name;
  }

  private static Set<Path> filesUnder(Path dir) throws Exception {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.collect(Collectors.toSet());
    }
  }

  @Test
  public void malformedMultipartUploadIs400() throws Exception {
    HttpResponse<String> noBoundary =
        send(
            "POST",
            "upload/storage/v1/b/" + BUCKET + "/o?uploadType=multipart",
            "multipart/related",
            "{}");
    assertEquals(400, noBoundary.statusCode());
    assertThat(noBoundary.body(), containsString("boundary"));
    HttpResponse<String> onePart =
        send(
            "POST",
            "upload/storage/v1/b/" + BUCKET + "/o?uploadType=multipart",
            "multipart/related; boundary=XX",
            "--XX\r\nContent-Type: application/json\r\n\r\n{\"name\":\"m\"}\r\n--XX--\r\n");
    assertEquals(400, onePart.statusCode());
    assertThat(onePart.body(), containsString("expected 2 parts"));
    HttpResponse<String> badType =
        send("POST", "upload/storage/v1/b/" + BUCKET + "/o?uploadType=chunked&name=x", null, "x");
    assertEquals(400, badType.statusCode());
  }

  @Test
  public void resumableSessionReusedAfterCompletionIs400() throws Exception {
    HttpResponse<String> start =
        send(
            "POST",
            "upload/storage/v1/b/" + BUCKET + "/o?uploadType=resumable",
            "application/json",
            "{\"name\":\"resumed.txt\"}");
    assertEquals(200, start.statusCode());
    String session = start.headers().firstValue("Location").orElseThrow();
    assertTrue(session, session.startsWith(BQ.rootUrl()));
    HttpResponse<String> first = send("PUT", session, null, "bytes 0-4/*", "hello");
    assertEquals(308, first.statusCode());
    assertEquals("bytes=0-4", first.headers().firstValue("Range").orElseThrow());
    HttpResponse<String> last = send("PUT", session, null, "bytes 5-10/11", " world");
    assertEquals(200, last.statusCode());
    assertEquals(
        "hello world",
        Files.readString(BQ.server().gcsRoot().resolve(BUCKET).resolve("resumed.txt")));
    HttpResponse<String> status = send("PUT", session, null, "bytes */11", null);
    assertEquals("a status query after completion answers the object", 200, status.statusCode());
    HttpResponse<String> reused = send("PUT", session, null, "bytes 0-3/4", "more");
    assertEquals(400, reused.statusCode());
    assertThat(reused.body(), containsString("already complete"));
    HttpResponse<String> unknown =
        send(
            "PUT",
            "upload/storage/v1/b/" + BUCKET + "/o?uploadType=resumable&upload_id=nope",
            null,
            "bytes 0-3/4",
            "more");
    assertEquals(404, unknown.statusCode());
    HttpResponse<String> gap = resumableGap();
    assertEquals(400, gap.statusCode());
  }

  private static HttpResponse<String> resumableGap() throws Exception {
    String session =
        send(
                "POST",
                "upload/storage/v1/b/" + BUCKET + "/o?uploadType=resumable&name=gap.txt",
                null,
                null)
            .headers()
            .firstValue("Location")
            .orElseThrow();
    return send("PUT", session, null, "bytes 10-12/13", "abc");
  }

  @Test
  public void namesThatClimbOutTouchNothingOutside() throws Exception {
    Path root = BQ.server().gcsRoot();
    Path sentinel = OUTSIDE.newFile("sentinel.txt").toPath();
    Files.writeString(sentinel, "untouched");
    Set<Path> before = filesUnder(OUTSIDE.getRoot().toPath());
    Set<Path> rootBefore = filesUnder(root);
    for (String name :
        List.of(
            "..%2F..%2Fescape.txt",
            "%2E%2E%2Fescape.txt", "a%2F..%2F..%2F..%2Fescape.txt", "%2Fabsolute.txt")) {
      HttpResponse<String> r = send("POST", upload(name), "text/plain", "x");
      assertEquals(name + ": " + r.body(), 400, r.statusCode());
      HttpResponse<String> get =
          send("GET", "storage/v1/b/" + BUCKET + "/o/" + name + "?alt=media", null, null);
      assertEquals(name, 404, get.statusCode());
    }
    HttpResponse<String> bucketEscape =
        send("GET", "storage/v1/b/..%2F" + root.getFileName() + "/o", null, null);
    assertEquals(400, bucketEscape.statusCode());
    assertEquals(before, filesUnder(OUTSIDE.getRoot().toPath()));
    assertEquals("untouched", Files.readString(sentinel));
    assertFalse(Files.exists(root.getParent().resolve("escape.txt")));
    assertTrue(filesUnder(root).containsAll(rootBefore));
  }

  @Test
  public void symbolicLinksOutOfTheFolderAreNeitherReadNorListed() throws Exception {
    Path secret = OUTSIDE.newFile("secret.txt").toPath();
    Files.writeString(secret, "secret");
    Path bucket = BQ.server().gcsRoot().resolve(BUCKET);
    Files.createDirectories(bucket.resolve("links"));
    Files.createSymbolicLink(bucket.resolve("links/secret.txt"), secret);
    Files.createSymbolicLink(bucket.resolve("links/outdir"), OUTSIDE.getRoot().toPath());
    HttpResponse<String> read =
        send("GET", "storage/v1/b/" + BUCKET + "/o/links%2Fsecret.txt?alt=media", null, null);
    assertEquals(404, read.statusCode());
    HttpResponse<String> throughDir =
        send(
            "GET",
            "storage/v1/b/" + BUCKET + "/o/links%2Foutdir%2Fsecret.txt?alt=media",
            null,
            null);
    assertFalse(throughDir.body(), throughDir.body().contains("secret\""));
    assertTrue(throughDir.statusCode() >= 400);
    HttpResponse<String> list =
        send("GET", "storage/v1/b/" + BUCKET + "/o?prefix=links", null, null);
    assertFalse(list.body(), list.body().contains("secret"));
    HttpResponse<String> write =
        send("POST", upload("links%2Foutdir%2Fplanted.txt"), "text/plain", "x");
    assertTrue(write.body(), write.statusCode() >= 400);
    assertFalse(Files.exists(OUTSIDE.getRoot().toPath().resolve("planted.txt")));
    assertEquals("secret", Files.readString(secret, StandardCharsets.UTF_8));
  }

  @Test
  public void rangeBeyondTheObjectIs416() throws Exception {
    assertEquals(200, send("POST", upload("short.txt"), "text/plain", "abc").statusCode());
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create(
                        BQ.rootUrl()
                            + "download/storage/v1/b/"
                            + BUCKET
                            + "/o/short.txt?alt=media"))
                .header("Range", "bytes=10-20")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(416, r.statusCode());
  }
}
