package dev.bqjobs.emulator.gcs;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.bqjobs.emulator.errors.BigQueryError;
import dev.bqjobs.emulator.errors.ErrorKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The store alone, on a temporary folder with a clock the test moves. */
public class ObjectStoreTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private final AtomicLong clockMicros = new AtomicLong(1_700_000_000_000_000L);
  private ObjectStore store;
  private Path root;

  @Before
  public void store() throws Exception {
    root = tmp.newFolder("gcs").toPath();
    store = new ObjectStore(root, root.resolve(".bqjobs-staging/api"), clockMicros::get);
    store.createBucket("bkt");
  }

  private StoredObject put(String name, String content, Preconditions p) throws Exception {
    Path staged = store.newStagingFile();
    Files.writeString(staged, content);
    return store.put("bkt", name, staged, ObjectAttributes.DEFAULT, p);
  }

  private StoredObject put(String name, String content) throws Exception {
    return put(name, content, Preconditions.NONE);
  }

  @Test
  public void generationIsTheClockAndGrowsEvenWhenTheClockStandsStill() throws Exception {
    StoredObject first = put("x", "1");
    assertEquals(clockMicros.get(), first.generation());
    StoredObject second = put("x", "2");
    assertEquals(first.generation() + 1, second.generation());
    assertEquals(second.generation(), store.get("bkt", "x", null).generation());
    assertThrows(BigQueryError.class, () -> store.get("bkt", "x", first.generation()));
  }

  @Test
  public void preconditionsAreCheckedAgainstTheCurrentGeneration() throws Exception {
    StoredObject first = put("x", "1", new Preconditions(0L, null, null, null));
    BigQueryError exists =
        assertThrows(
            BigQueryError.class, () -> put("x", "2", new Preconditions(0L, null, null, null)));
    assertEquals(ErrorKind.FAILED_PRECONDITION, exists.kind());
    assertEquals("conditionNotMet", exists.reason());
    put("x", "2", new Preconditions(first.generation(), null, null, null));
    assertEquals("2", Files.readString(root.resolve("bkt/x")));
    assertEquals(
        "no staging file is left behind",
        0,
        Files.list(root.resolve(".bqjobs-staging/api")).count());
  }

  @Test
  public void listsByPrefixDelimiterAndPages() throws Exception {
    for (String name : List.of("d/1", "d/2", "d/e/3", "f", "g")) {
      put(name, name);
    }
    ObjectStore.Listing top = store.list("bkt", "", "/", null, 0, null, null);
    assertEquals(List.of("f", "g"), names(top));
    assertEquals(List.of("d/"), top.prefixes());

    ObjectStore.Listing page1 = store.list("bkt", "d/", null, null, 2, null, null);
    assertEquals(List.of("d/1", "d/2"), names(page1));
    ObjectStore.Listing page2 = store.list("bkt", "d/", null, page1.nextPageToken(), 2, null, null);
    assertEquals(List.of("d/e/3"), names(page2));
    assertNull(page2.nextPageToken());

    assertEquals(List.of("d/2", "d/e/3"), names(store.list("bkt", "", null, null, 0, "d/2", "f")));
  }

  @Test
  public void anObjectBesideAFolderOfObjectsIsRefusedEitherWay() throws Exception {
    put("a/b", "inside");
    BigQueryError e = assertThrows(BigQueryError.class, () -> put("a", "file"));
    assertThat(e.getMessage(), containsString("'a/...'"));
    put("c", "file");
    e = assertThrows(BigQueryError.class, () -> put("c/d", "inside"));
    assertThat(e.getMessage(), containsString("object 'c' exists"));
  }

  @Test
  public void anEmptyFolderLeftBehindGivesWayAndDeletesLeaveNoEmptyFolders() throws Exception {
    Files.createDirectories(root.resolve("bkt/empty/deeper"));
    put("empty", "now a file");
    assertTrue(Files.isRegularFile(root.resolve("bkt/empty")));
    put("p/q/r", "x");
    store.delete("bkt", "p/q/r", null, Preconditions.NONE);
    assertTrue(Files.notExists(root.resolve("bkt/p")));
    assertTrue(Files.isDirectory(root.resolve("bkt")));
  }

  @Test
  public void composeConcatenatesInOrder() throws Exception {
    StoredObject one = put("1", "ab");
    StoredObject two = put("2", "cd");
    StoredObject whole =
        store.compose(
            List.of(two, one, two), "bkt", "whole", ObjectAttributes.DEFAULT, Preconditions.NONE);
    assertEquals(6, whole.size());
    assertEquals("cdabcd", Files.readString(root.resolve("bkt/whole")));
  }

  @Test
  public void unknownBucketIsNotFound() {
    BigQueryError e = assertThrows(BigQueryError.class, () -> store.find("nope", "x"));
    assertEquals(ErrorKind.NOT_FOUND, e.kind());
  }

  private static List<String> names(ObjectStore.Listing listing) {
    return listing.objects().stream().map(StoredObject::name).collect(Collectors.toList());
  }
}
