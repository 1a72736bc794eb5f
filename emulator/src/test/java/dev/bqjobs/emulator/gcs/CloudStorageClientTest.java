package dev.bqjobs.emulator.gcs;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.google.cloud.NoCredentials;
import com.google.cloud.ReadChannel;
import com.google.cloud.WriteChannel;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.BucketInfo;
import com.google.cloud.storage.CopyWriter;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageBatch;
import com.google.cloud.storage.StorageBatchResult;
import com.google.cloud.storage.StorageException;
import com.google.cloud.storage.StorageOptions;
import dev.bqjobs.emulator.LocalBigQueryRule;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * Google's official Cloud Storage client ({@code google-cloud-storage}) against the local server:
 * every call Beam's GCS file system and ordinary users make, and the errors they must get.
 */
public class CloudStorageClientTest {
  @ClassRule public static final LocalBigQueryRule BQ = new LocalBigQueryRule();

  static final String BUCKET = "client-bucket";
  static Storage storage;

  @BeforeClass
  public static void client() {
    storage =
        StorageOptions.newBuilder()
            .setHost(BQ.rootUrl().replaceAll("/$", "")) // the client adds the slash itself
            .setProjectId("p")
            .setCredentials(NoCredentials.getInstance())
            .build()
            .getService();
    storage.create(BucketInfo.of(BUCKET));
  }

  private static Path file(String name) {
    return BQ.server().gcsRoot().resolve(BUCKET).resolve(name);
  }

  private static BlobInfo blob(String name) {
    return BlobInfo.newBuilder(BUCKET, name).setContentType("text/plain").build();
  }

  private static byte[] text(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  public void bucketsAreFoldersOfTheGcsRoot() {
    assertNotNull(storage.get(BUCKET));
    assertTrue(Files.isDirectory(BQ.server().gcsRoot().resolve(BUCKET)));
    List<String> names = new ArrayList<>();
    storage.list().iterateAll().forEach(b -> names.add(b.getName()));
    assertTrue(names.toString(), names.contains(BUCKET));
    assertNull(storage.get("no-such-bucket"));
    StorageException conflict =
        assertThrows(StorageException.class, () -> storage.create(BucketInfo.of(BUCKET)));
    assertEquals(409, conflict.getCode());
  }

  @Test
  public void resumableUploadInChunksLandsInTheFolder() throws Exception {
    byte[] data = new byte[3 * 256 * 1024 + 12_345];
    new Random(7).nextBytes(data);
    try (WriteChannel writer = storage.writer(blob("chunks/big.bin"))) {
      writer.setChunkSize(256 * 1024);
      for (int off = 0; off < data.length; off += 100_000) {
        writer.write(ByteBuffer.wrap(data, off, Math.min(100_000, data.length - off)));
      }
    }
    assertArrayEquals(data, Files.readAllBytes(file("chunks/big.bin")));
    Blob stored = storage.get(BlobId.of(BUCKET, "chunks/big.bin"));
    assertEquals(data.length, stored.getSize().longValue());
    assertEquals("text/plain", stored.getContentType());
    assertArrayEquals(data, storage.readAllBytes(BlobId.of(BUCKET, "chunks/big.bin")));
  }

  @Test
  public void listsWithDelimiterAndPages() {
    for (String name : List.of("list/a/1", "list/a/2", "list/b/c/3", "list/top", "list/zed")) {
      storage.create(blob(name), text(name));
    }
    List<String> level =
        StreamSupport.stream(
                storage
                    .list(
                        BUCKET,
                        Storage.BlobListOption.prefix("list/"),
                        Storage.BlobListOption.currentDirectory())
                    .iterateAll()
                    .spliterator(),
                false)
            .map(b -> (b.isDirectory() ? "dir:" : "") + b.getName())
            .collect(Collectors.toList());
    // the client lists a page's objects first, then its prefixes
    assertEquals(List.of("list/top", "list/zed", "dir:list/a/", "dir:list/b/"), level);

    List<String> all = new ArrayList<>();
    storage
        .list(BUCKET, Storage.BlobListOption.prefix("list/"), Storage.BlobListOption.pageSize(2))
        .iterateAll()
        .forEach(b -> all.add(b.getName()));
    assertEquals(List.of("list/a/1", "list/a/2", "list/b/c/3", "list/top", "list/zed"), all);
  }

  @Test
  public void readsARange() throws Exception {
    storage.create(blob("range.txt"), text("0123456789abcdefghij"));
    try (ReadChannel reader = storage.reader(BlobId.of(BUCKET, "range.txt"))) {
      reader.seek(5);
      reader.limit(12);
      ByteBuffer buffer = ByteBuffer.allocate(64);
      while (reader.read(buffer) >= 0) {
        // read to the limit
      }
      assertEquals(
          "56789ab", new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8));
    }
  }

  @Test
  public void rewritesComposesAndDeletes() throws Exception {
    storage.create(blob("parts/1"), text("Hello, "));
    storage.create(blob("parts/2"), text("local "));
    storage.create(blob("parts/3"), text("storage."));
    CopyWriter copy =
        storage.copy(Storage.CopyRequest.of(BUCKET, "parts/1", BlobId.of(BUCKET, "copies/first")));
    assertEquals("Hello, ", new String(copy.getResult().getContent(), StandardCharsets.UTF_8));
    assertTrue(copy.isDone());

    Blob whole =
        storage.compose(
            Storage.ComposeRequest.newBuilder()
                .addSource("parts/1", "parts/2", "parts/3")
                .setTarget(blob("whole.txt"))
                .build());
    assertEquals(21, whole.getSize().longValue());
    assertEquals("Hello, local storage.", Files.readString(file("whole.txt")));

    assertTrue(storage.delete(BlobId.of(BUCKET, "parts/1")));
    assertFalse(Files.exists(file("parts/1")));
    assertFalse("a second delete finds nothing", storage.delete(BlobId.of(BUCKET, "parts/1")));
  }

  @Test
  public void missingObjectsAre404AndFailedPreconditions412() {
    assertNull(storage.get(BlobId.of(BUCKET, "missing")));
    StorageException notFound =
        assertThrows(
            StorageException.class, () -> storage.readAllBytes(BlobId.of(BUCKET, "missing")));
    assertEquals(404, notFound.getCode());

    Blob first = storage.create(blob("guarded"), text("v1"));
    StorageException exists =
        assertThrows(
            StorageException.class,
            () ->
                storage.create(
                    blob("guarded"), text("v2"), Storage.BlobTargetOption.doesNotExist()));
    assertEquals(412, exists.getCode());
    StorageException stale =
        assertThrows(
            StorageException.class,
            () ->
                storage.create(
                    BlobInfo.newBuilder(BlobId.of(BUCKET, "guarded", first.getGeneration() + 1))
                        .build(),
                    text("v2"),
                    Storage.BlobTargetOption.generationMatch()));
    assertEquals(412, stale.getCode());
    Blob second =
        storage.create(
            BlobInfo.newBuilder(BlobId.of(BUCKET, "guarded", first.getGeneration())).build(),
            text("v2"),
            Storage.BlobTargetOption.generationMatch());
    assertTrue(second.getGeneration() > first.getGeneration());
    assertEquals(
        "v2", new String(storage.readAllBytes(second.getBlobId()), StandardCharsets.UTF_8));
  }

  @Test
  public void batchServesMixedGetsAndDeletes() throws Exception {
    storage.create(blob("batch/keep"), text("keep"));
    storage.create(blob("batch/drop"), text("drop"));
    StorageBatch batch = storage.batch();
    StorageBatchResult<Blob> kept = batch.get(BlobId.of(BUCKET, "batch/keep"));
    StorageBatchResult<Boolean> dropped = batch.delete(BlobId.of(BUCKET, "batch/drop"));
    StorageBatchResult<Blob> missing = batch.get(BlobId.of(BUCKET, "batch/missing"));
    StorageBatchResult<Boolean> missingDelete = batch.delete(BlobId.of(BUCKET, "batch/missing"));
    batch.submit();
    assertEquals(4L, kept.get().getSize().longValue());
    assertTrue(dropped.get());
    assertNull(missing.get());
    assertFalse(missingDelete.get());
    assertFalse(Files.exists(file("batch/drop")));
    assertTrue(Files.exists(file("batch/keep")));
  }

  @Test
  public void unknownBucketIs404() {
    StorageException e =
        assertThrows(
            StorageException.class,
            () -> storage.create(BlobInfo.newBuilder("no-such-bucket", "x").build(), text("x")));
    assertEquals(404, e.getCode());
    assertThat(e.getMessage(), containsString("bucket does not exist"));
  }

  @Test
  public void namesAFolderCannotHoldAre400NamingTheObject() throws Exception {
    storage.create(blob("clash"), text("a file"));
    for (String name : List.of("dir/", "a//b", "x/../y", "clash/inside")) {
      StorageException e =
          assertThrows(name, StorageException.class, () -> storage.create(blob(name), text("x")));
      assertEquals(name, 400, e.getCode());
      assertThat(e.getMessage(), containsString("'" + name + "'"));
    }
    storage.create(blob("tree/leaf"), text("leaf"));
    StorageException e =
        assertThrows(StorageException.class, () -> storage.create(blob("tree"), text("x")));
    assertThat(e.getMessage(), containsString("tree/..."));
  }
}
