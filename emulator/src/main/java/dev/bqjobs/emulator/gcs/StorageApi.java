package dev.bqjobs.emulator.gcs;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.bqjobs.emulator.errors.BigQueryError;
import dev.bqjobs.emulator.errors.ErrorKind;
import dev.bqjobs.emulator.http.ApiException;
import dev.bqjobs.emulator.http.Exchange;
import dev.bqjobs.emulator.http.Router;
import dev.bqjobs.emulator.wire.JsonCodec;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cloud Storage's JSON API, answering what Beam's GCS file system ({@code GcsUtil}, gcsio) and
 * Google's clients call: buckets get, insert, list, delete; objects get (metadata, or bytes with
 * {@code alt=media} and {@code Range}), list (prefix, delimiter, pages), delete, rewrite, copy,
 * compose; uploads (media, multipart, resumable in chunks) and batches. Errors come in Google's
 * envelope with Cloud Storage's codes and reasons (404 {@code notFound}, 412 {@code
 * conditionNotMet}, 409 {@code conflict}, 400 {@code invalid}).
 */
public final class StorageApi implements Router.MountedApi {
  private static final Logger LOG = Logger.getLogger(StorageApi.class.getName());

  /** The path prefixes to mount this API under. */
  public static final List<String> PREFIXES =
      List.of("/storage/v1/", "/upload/storage/v1/", "/download/storage/v1/", "/batch/storage/v1");

  /** Bodies read whole (JSON, multipart uploads, batches) may not exceed this. */
  static final long MAX_BUFFERED_BODY = 256L * 1024 * 1024;

  /** Cloud Storage composes at most 32 objects per call. */
  static final int MAX_COMPOSE_SOURCES = 32;

  private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");

  private final ObjectStore store;
  private final ResumableUploads uploads;
  private final Consumer<String> authorize;
  private final java.util.function.Supplier<String> fallbackBaseUrl;
  private final BatchRequests batches = new BatchRequests(this);

  /**
   * @param authorize checks the {@code Authorization} header (null when absent); throws to refuse
   * @param fallbackBaseUrl the server's root URL, for a request without a {@code Host} header
   */
  public StorageApi(
      ObjectStore store,
      Consumer<String> authorize,
      java.util.function.Supplier<String> fallbackBaseUrl) {
    this.store = store;
    this.uploads = new ResumableUploads(store);
    this.authorize = authorize;
    this.fallbackBaseUrl = fallbackBaseUrl;
  }

  @Override
  public Router.Answered handle(Exchange exchange) {
    String apiMethod = null;
    int status;
    try {
      StorageRequest request = StorageRequest.of(exchange);
      if (request == null) {
        throw BigQueryError.notFound("Not found: URL " + exchange.rawPath());
      }
      authorize.accept(exchange.header("Authorization"));
      Route route = route(request);
      apiMethod = route.name;
      status = route.handler.answer(request);
    } catch (BigQueryError e) {
      status = sendError(exchange, ApiException.from(e));
    } catch (ApiException e) {
      status = sendError(exchange, e);
    } catch (Exception e) {
      LOG.log(Level.WARNING, "storage request failed: " + exchange.rawPath(), e);
      status = sendError(exchange, new ApiException(500, "backendError", "Internal error: " + e));
    }
    return new Router.Answered(apiMethod, status);
  }

  private static int sendError(Exchange exchange, ApiException e) {
    Router.sendError(exchange, e);
    return e.code();
  }

  @FunctionalInterface
  private interface Handler {
    /** Answers the request; returns the status sent. */
    int answer(StorageRequest request) throws IOException;
  }

  private record Route(String name, Handler handler) {}

  /** Which API method a request is, by root, method and path shape. */
  private Route route(StorageRequest r) {
    String m = r.method;
    switch (r.root) {
      case BATCH:
        if (m.equals("POST") && r.segments.isEmpty()) {
          return new Route("storage.batch", batches::answer);
        }
        break;
      case UPLOAD:
        if (r.matches("b", null, "o")) {
          if (m.equals("POST") && r.query("upload_id") == null) {
            return new Route("storage.objects.insert", this::upload);
          }
          if (m.equals("PUT") || m.equals("POST")) {
            return new Route("storage.objects.insert", this::resumableChunk);
          }
          if (m.equals("DELETE")) {
            return new Route("storage.objects.insert", this::cancelUpload);
          }
        }
        break;
      case DOWNLOAD:
        if (m.equals("GET") && r.segments.size() >= 4 && r.matches3("b", "o")) {
          return new Route("storage.objects.get", this::download);
        }
        break;
      case API:
        if (r.matches("b")) {
          if (m.equals("GET")) {
            return new Route("storage.buckets.list", this::listBuckets);
          }
          if (m.equals("POST")) {
            return new Route("storage.buckets.insert", this::insertBucket);
          }
        } else if (r.matches("b", null)) {
          if (m.equals("GET")) {
            return new Route("storage.buckets.get", this::getBucket);
          }
          if (m.equals("DELETE")) {
            return new Route("storage.buckets.delete", this::deleteBucket);
          }
        } else if (r.matches("b", null, "o")) {
          if (m.equals("GET")) {
            return new Route("storage.objects.list", this::listObjects);
          }
          if (m.equals("POST")) {
            return new Route("storage.objects.insert", this::upload);
          }
        } else if (r.matches("b", null, "o", null, "compose") && m.equals("POST")) {
          return new Route("storage.objects.compose", this::compose);
        } else if (r.matches("b", null, "o", null, "rewriteTo", "b", null, "o", null)
            && m.equals("POST")) {
          return new Route("storage.objects.rewrite", this::rewrite);
        } else if (r.matches("b", null, "o", null, "copyTo", "b", null, "o", null)
            && m.equals("POST")) {
          return new Route("storage.objects.copy", this::copy);
        } else if (r.segments.size() >= 4 && r.matches3("b", "o")) {
          if (m.equals("GET")) {
            return new Route(
                "storage.objects.get",
                "media".equals(r.query("alt")) ? this::download : this::getObject);
          }
          if (m.equals("DELETE")) {
            return new Route("storage.objects.delete", this::deleteObject);
          }
          if (m.equals("PATCH") || m.equals("PUT")) {
            return new Route("storage.objects.patch", this::patchObject);
          }
        }
        break;
      default:
        break;
    }
    r.exchange.discardBody();
    throw new ApiException(
        404, "notFound", "Not found: " + r.method + " " + r.exchange.rawPath() + " is not served.");
  }

  // ---- buckets

  private int listBuckets(StorageRequest r) throws IOException {
    List<Object> items = new ArrayList<>();
    for (ObjectStore.Bucket b : store.buckets()) {
      items.add(bucketJson(b));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("kind", "storage#buckets");
    out.put("items", items);
    return json(r, 200, out);
  }

  private int insertBucket(StorageRequest r) throws IOException {
    JsonObject body = jsonBody(r);
    String name = body.has("name") ? body.get("name").getAsString() : null;
    if (name == null) {
      throw BigQueryError.required("Required parameter is missing: name.");
    }
    return json(r, 200, bucketJson(store.createBucket(name)));
  }

  private int getBucket(StorageRequest r) throws IOException {
    return json(r, 200, bucketJson(store.bucket(r.segment(1))));
  }

  private int deleteBucket(StorageRequest r) throws IOException {
    store.deleteBucket(r.segment(1));
    r.exchange.respond(204, null);
    return 204;
  }

  // ---- objects

  private int getObject(StorageRequest r) throws IOException {
    StoredObject object = store.get(r.segment(1), objectName(r), r.queryLong("generation"));
    r.preconditions().check(object.generation());
    return json(r, 200, objectJson(r, object));
  }

  private int download(StorageRequest r) throws IOException {
    StoredObject object = store.get(r.segment(1), objectName(r), r.queryLong("generation"));
    r.preconditions().check(object.generation());
    long size = object.size();
    long first = 0;
    long last = size - 1;
    int status = 200;
    String range = r.header("Range");
    if (range != null && !range.isBlank()) {
      Matcher m = RANGE.matcher(range.trim());
      if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
        throw BigQueryError.invalid("Malformed Range header: '" + range + "'.");
      }
      if (m.group(1).isEmpty()) {
        first = Math.max(0, size - Long.parseLong(m.group(2))); // the last N bytes
      } else {
        first = Long.parseLong(m.group(1));
        if (!m.group(2).isEmpty()) {
          last = Math.min(last, Long.parseLong(m.group(2)));
        }
      }
      boolean wholeEmptyObject = size == 0 && first == 0;
      if (!wholeEmptyObject) {
        if (first >= size || last < first) {
          r.exchange.setHeader("Content-Range", "bytes */" + size);
          throw new BigQueryError(
              ErrorKind.OUT_OF_RANGE,
              "requestedRangeNotSatisfiable",
              "The requested range cannot be satisfied: '" + range + "' of " + size + " bytes.");
        }
        status = 206;
        r.exchange.setHeader("Content-Range", "bytes " + first + "-" + last + "/" + size);
      }
    }
    ObjectStore.Hashes hashes = store.hashes(object);
    Exchange ex = r.exchange;
    ex.setHeader("Content-Type", object.contentType());
    ex.setHeader("Accept-Ranges", "bytes");
    ex.setHeader("ETag", etag(object));
    ex.setHeader("x-goog-generation", Long.toString(object.generation()));
    ex.setHeader("x-goog-metageneration", "1");
    ex.setHeader("x-goog-stored-content-length", Long.toString(size));
    ex.setHeader("x-goog-stored-content-encoding", "identity");
    ex.setHeader("x-goog-hash", "crc32c=" + hashes.crc32c() + ",md5=" + hashes.md5());
    long length = Math.max(0, last - first + 1);
    try (InputStream in = store.open(object, first)) {
      ex.respond(status, length, in);
    }
    return status;
  }

  private int deleteObject(StorageRequest r) throws IOException {
    store.delete(r.segment(1), objectName(r), r.queryLong("generation"), r.preconditions());
    r.exchange.respond(204, null);
    return 204;
  }

  /**
   * objects.patch: only what this server keeps (content type, content encoding, metadata) changes.
   * Unlike Cloud Storage, which bumps only the metageneration, the object gets a new generation: a
   * generation is the file's time here, and metagenerations are always 1.
   */
  private int patchObject(StorageRequest r) throws IOException {
    StoredObject object = store.get(r.segment(1), objectName(r), null);
    r.preconditions().check(object.generation());
    JsonObject body = jsonBody(r);
    ObjectAttributes merged = attributes(body, object);
    StoredObject copied =
        store.copy(object, object.bucket(), object.name(), merged, r.preconditions());
    return json(r, 200, objectJson(r, copied));
  }

  private int listObjects(StorageRequest r) throws IOException {
    Long max = r.queryLong("maxResults");
    ObjectStore.Listing listing =
        store.list(
            r.segment(1),
            r.query("prefix"),
            r.query("delimiter"),
            r.query("pageToken"),
            max == null ? ObjectStore.MAX_PAGE : (int) Math.min(max, Integer.MAX_VALUE),
            r.query("startOffset"),
            r.query("endOffset"));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("kind", "storage#objects");
    List<Object> items = new ArrayList<>();
    for (StoredObject o : listing.objects()) {
      items.add(objectJson(r, o, false));
    }
    if (!items.isEmpty()) {
      out.put("items", items);
    }
    if (!listing.prefixes().isEmpty()) {
      out.put("prefixes", listing.prefixes());
    }
    if (listing.nextPageToken() != null) {
      out.put("nextPageToken", listing.nextPageToken());
    }
    return json(r, 200, out);
  }

  private int rewrite(StorageRequest r) throws IOException {
    StoredObject copied = copyFromPath(r);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("kind", "storage#rewriteResponse");
    out.put("totalBytesRewritten", Long.toString(copied.size()));
    out.put("objectSize", Long.toString(copied.size()));
    out.put("done", true);
    out.put("resource", objectJson(r, copied));
    return json(r, 200, out);
  }

  private int copy(StorageRequest r) throws IOException {
    return json(r, 200, objectJson(r, copyFromPath(r)));
  }

  /** rewriteTo and copyTo: {@code b/SB/o/SO/(rewriteTo|copyTo)/b/DB/o/DO}, done in one call. */
  private StoredObject copyFromPath(StorageRequest r) throws IOException {
    StoredObject source = store.get(r.segment(1), r.segment(3), r.queryLong("sourceGeneration"));
    r.sourcePreconditions().check(source.generation());
    JsonObject body = jsonBody(r);
    ObjectAttributes attributes = body.size() == 0 ? null : attributes(body, source);
    return store.copy(source, r.segment(6), r.segment(8), attributes, r.preconditions());
  }

  private int compose(StorageRequest r) throws IOException {
    String bucket = r.segment(1);
    JsonObject body = jsonBody(r);
    if (!body.has("sourceObjects") || !body.get("sourceObjects").isJsonArray()) {
      throw BigQueryError.required("Required parameter is missing: sourceObjects.");
    }
    List<StoredObject> sources = new ArrayList<>();
    for (JsonElement e : body.getAsJsonArray("sourceObjects")) {
      JsonObject s = e.getAsJsonObject();
      if (!s.has("name")) {
        throw BigQueryError.required("Required parameter is missing: sourceObjects[].name.");
      }
      Long generation = s.has("generation") ? s.get("generation").getAsLong() : null;
      StoredObject source = store.get(bucket, s.get("name").getAsString(), generation);
      if (s.has("objectPreconditions")) {
        JsonObject p = s.getAsJsonObject("objectPreconditions");
        if (p.has("ifGenerationMatch")) {
          new Preconditions(p.get("ifGenerationMatch").getAsLong(), null, null, null)
              .check(source.generation());
        }
      }
      sources.add(source);
    }
    if (sources.isEmpty() || sources.size() > MAX_COMPOSE_SOURCES) {
      throw BigQueryError.invalid(
          "A compose request names 1 to 32 source objects, not " + sources.size() + ".");
    }
    JsonObject destination =
        body.has("destination") ? body.getAsJsonObject("destination") : new JsonObject();
    ObjectAttributes attributes = attributes(destination, null);
    StoredObject composed =
        store.compose(sources, bucket, r.segment(3), attributes, r.preconditions());
    return json(r, 200, objectJson(r, composed));
  }

  // ---- uploads

  /** POST of a new object: {@code uploadType=media}, {@code multipart} or {@code resumable}. */
  private int upload(StorageRequest r) throws IOException {
    String bucket = r.segment(1);
    String type = r.query("uploadType");
    if (type == null) {
      type = "media";
    }
    switch (type) {
      case "media":
        {
          String name = requiredName(r.query("name"));
          ObjectNames.checkObject(bucket, name);
          store.bucketDir(bucket);
          Path staged = store.newStagingFile();
          try (InputStream in = r.body()) {
            Files.copy(in, staged, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
          } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(staged);
            throw e;
          }
          ObjectAttributes attributes =
              new ObjectAttributes(r.header("Content-Type"), null, Map.of());
          return json(
              r,
              200,
              objectJson(r, store.put(bucket, name, staged, attributes, r.preconditions())));
        }
      case "multipart":
        return multipartUpload(r, bucket);
      case "resumable":
        {
          JsonObject metadata = jsonBody(r);
          String name =
              requiredName(
                  metadata.has("name") ? metadata.get("name").getAsString() : r.query("name"));
          ObjectAttributes attributes = attributes(metadata, null);
          if (!metadata.has("contentType") && r.header("X-Upload-Content-Type") != null) {
            attributes =
                new ObjectAttributes(
                    r.header("X-Upload-Content-Type"),
                    attributes.contentEncoding(),
                    attributes.metadata());
          }
          String id = uploads.start(bucket, name, attributes, r.preconditions());
          String location =
              r.baseUrl(fallbackBaseUrl.get())
                  + "upload/storage/v1/b/"
                  + encode(bucket)
                  + "/o?uploadType=resumable&upload_id="
                  + id;
          r.exchange.setHeader("Location", location);
          r.exchange.setHeader("X-GUploader-UploadID", id);
          r.exchange.respond(200, null);
          return 200;
        }
      default:
        throw BigQueryError.invalid(
            "Invalid uploadType '"
                + type
                + "': the local server takes media, multipart and resumable uploads.");
    }
  }

  private int multipartUpload(StorageRequest r, String bucket) throws IOException {
    String boundary = Multipart.boundary(r.header("Content-Type"));
    List<Multipart.Part> parts = Multipart.parse(r.bodyBytes(MAX_BUFFERED_BODY), boundary);
    if (parts.size() != 2) {
      throw BigQueryError.invalid(
          "Malformed multipart upload: expected 2 parts (the object's metadata as JSON, then its"
              + " bytes), got "
              + parts.size()
              + ".");
    }
    JsonObject metadata = parseJson(parts.get(0).content());
    String name =
        requiredName(metadata.has("name") ? metadata.get("name").getAsString() : r.query("name"));
    ObjectNames.checkObject(bucket, name);
    store.bucketDir(bucket);
    ObjectAttributes attributes = attributes(metadata, null);
    if (!metadata.has("contentType") && parts.get(1).header("Content-Type") != null) {
      attributes =
          new ObjectAttributes(
              parts.get(1).header("Content-Type"),
              attributes.contentEncoding(),
              attributes.metadata());
    }
    Path staged = store.newStagingFile();
    Files.write(staged, parts.get(1).content());
    return json(
        r, 200, objectJson(r, store.put(bucket, name, staged, attributes, r.preconditions())));
  }

  /** A chunk or status query of a resumable session: 308 with {@code Range} until complete. */
  private int resumableChunk(StorageRequest r) throws IOException {
    String id = r.query("upload_id");
    if (id == null) {
      throw BigQueryError.required("Required parameter is missing: upload_id.");
    }
    ResumableUploads.Progress progress;
    try (InputStream in = r.body()) {
      progress = uploads.put(id, r.header("Content-Range"), in);
    }
    if (progress.object() != null) {
      return json(r, 200, objectJson(r, progress.object()));
    }
    if (progress.received() > 0) {
      r.exchange.setHeader("Range", "bytes=0-" + (progress.received() - 1));
    }
    r.exchange.respond(308, null);
    return 308;
  }

  private int cancelUpload(StorageRequest r) throws IOException {
    String id = r.query("upload_id");
    if (id == null) {
      throw BigQueryError.required("Required parameter is missing: upload_id.");
    }
    uploads.cancel(id);
    r.exchange.respond(499, null);
    return 499;
  }

  // ---- JSON

  private static String requiredName(String name) {
    if (name == null || name.isEmpty()) {
      throw BigQueryError.required("Required parameter is missing: object name.");
    }
    return name;
  }

  /** The object name of {@code b/BUCKET/o/NAME}; an unencoded name with '/' is joined back. */
  private static String objectName(StorageRequest r) {
    return String.join("/", r.segments.subList(3, r.segments.size()));
  }

  private static JsonObject jsonBody(StorageRequest r) throws IOException {
    return parseJson(r.bodyBytes(LocalLimits.MAX_JSON_BODY));
  }

  private static JsonObject parseJson(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.UTF_8).trim();
    if (text.isEmpty()) {
      return new JsonObject();
    }
    try {
      JsonElement e = JsonParser.parseString(text);
      if (!e.isJsonObject()) {
        throw BigQueryError.invalid("Invalid JSON payload: expected an object, got " + text);
      }
      return e.getAsJsonObject();
    } catch (com.google.gson.JsonParseException | IllegalStateException e) {
      throw BigQueryError.invalid("Invalid JSON payload received: " + e.getMessage());
    }
  }

  /** The attributes an object resource in a request sets; {@code base} fills what it omits. */
  private static ObjectAttributes attributes(JsonObject o, StoredObject base) {
    String contentType =
        o.has("contentType")
            ? o.get("contentType").getAsString()
            : base == null ? null : base.contentType();
    String contentEncoding =
        o.has("contentEncoding")
            ? o.get("contentEncoding").getAsString()
            : base == null ? null : base.contentEncoding();
    Map<String, String> metadata = new LinkedHashMap<>();
    if (base != null) {
      metadata.putAll(base.metadata());
    }
    if (o.has("metadata") && o.get("metadata").isJsonObject()) {
      for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("metadata").entrySet()) {
        if (e.getValue().isJsonNull()) {
          metadata.remove(e.getKey());
        } else {
          metadata.put(e.getKey(), e.getValue().getAsString());
        }
      }
    }
    return new ObjectAttributes(contentType, contentEncoding, metadata);
  }

  private Map<String, Object> objectJson(StorageRequest r, StoredObject o) {
    return objectJson(r, o, true);
  }

  /**
   * An object resource. Checksums are computed (reading the file once per generation) for single
   * objects; a list carries only those already known, so listing never reads every file.
   */
  private Map<String, Object> objectJson(StorageRequest r, StoredObject o, boolean computeHashes) {
    String base = r.baseUrl(fallbackBaseUrl.get());
    String path = "b/" + encode(o.bucket()) + "/o/" + encode(o.name());
    String time = Instant.ofEpochMilli(o.updatedMillis()).toString();
    ObjectStore.Hashes hashes = computeHashes ? store.hashes(o) : store.knownHashes(o);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("kind", "storage#object");
    out.put("id", o.bucket() + "/" + o.name() + "/" + o.generation());
    out.put("selfLink", base + "storage/v1/" + path);
    out.put(
        "mediaLink",
        base + "download/storage/v1/" + path + "?generation=" + o.generation() + "&alt=media");
    out.put("name", o.name());
    out.put("bucket", o.bucket());
    out.put("generation", Long.toString(o.generation()));
    out.put("metageneration", "1");
    out.put("contentType", o.contentType());
    if (o.contentEncoding() != null) {
      out.put("contentEncoding", o.contentEncoding());
    }
    out.put("storageClass", "STANDARD");
    out.put("size", Long.toString(o.size()));
    if (hashes != null) {
      out.put("md5Hash", hashes.md5());
      out.put("crc32c", hashes.crc32c());
    }
    out.put("etag", etag(o));
    out.put("timeCreated", time);
    out.put("updated", time);
    out.put("timeStorageClassUpdated", time);
    if (!o.metadata().isEmpty()) {
      out.put("metadata", o.metadata());
    }
    return out;
  }

  private Map<String, Object> bucketJson(ObjectStore.Bucket b) {
    String time = Instant.ofEpochMilli(b.createdMillis()).toString();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("kind", "storage#bucket");
    out.put("id", b.name());
    out.put("selfLink", fallbackBaseUrl.get() + "storage/v1/b/" + encode(b.name()));
    out.put("projectNumber", "0");
    out.put("name", b.name());
    out.put("timeCreated", time);
    out.put("updated", time);
    out.put("metageneration", "1");
    out.put("location", "US");
    out.put("locationType", "multi-region");
    out.put("storageClass", "STANDARD");
    out.put("etag", "CAE=");
    return out;
  }

  private static String etag(StoredObject o) {
    return "\"" + Long.toHexString(o.generation()) + "\"";
  }

  static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static int json(StorageRequest r, int status, Object body) throws IOException {
    r.exchange.setHeader("Content-Type", "application/json; charset=UTF-8");
    r.exchange.respond(status, JsonCodec.write(body).getBytes(StandardCharsets.UTF_8));
    return status;
  }

  /** Limits of bodies read whole. */
  static final class LocalLimits {
    /** JSON request bodies: metadata, rewrite and compose requests. */
    static final long MAX_JSON_BODY = 10L * 1024 * 1024;

    private LocalLimits() {}
  }
}
