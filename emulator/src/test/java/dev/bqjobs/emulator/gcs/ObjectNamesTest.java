package dev.bqjobs.emulator.gcs;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertThrows;

import dev.bqjobs.emulator.errors.BigQueryError;
import org.junit.Test;

/** Which names a folder can hold, and what a refusal says. */
public class ObjectNamesTest {
  @Test
  public void legalNamesPass() {
    for (String name :
        new String[] {"a", "a/b/c.txt", "with space", "ünïcødé/名前", ".hidden", "a..b", "..."}) {
      ObjectNames.checkObject("bucket", name);
    }
    ObjectNames.checkBucket("my-bucket.v2_x");
  }

  @Test
  public void refusalsNameTheObjectAndTheReason() {
    String[][] cases = {
      {"dir/", "empty path segment"},
      {"a//b", "empty path segment"},
      {"/lead", "empty path segment"},
      {"x/../y", "'..' segment"},
      {"./y", "'.' segment"},
      {"nul\0char", "NUL"},
      {"line\nbreak", "line feeds"},
      {"x/" + "s".repeat(256), "255 bytes"},
      {"n".repeat(1025), "1024 bytes"},
    };
    for (String[] c : cases) {
      BigQueryError e =
          assertThrows(c[0], BigQueryError.class, () -> ObjectNames.checkObject("bucket", c[0]));
      assertThat(e.getMessage(), containsString("'" + c[0] + "'"));
      assertThat(e.getMessage(), containsString(c[1]));
    }
  }

  @Test
  public void bucketNamesFollowCloudStorage() {
    for (String bad : new String[] {"UP", "ab", ".dot", "a..b", "../x", "x/y", "-dash"}) {
      assertThrows(bad, BigQueryError.class, () -> ObjectNames.checkBucket(bad));
    }
  }
}
