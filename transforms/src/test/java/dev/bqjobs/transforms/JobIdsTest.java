package dev.bqjobs.transforms;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;

import org.junit.Test;

public class JobIdsTest {

  @Test
  public void generatedIdIsAPureFunctionOfTokenKeyAndFingerprint() {
    String a = JobIds.generate("daily_import", "run1", "key", "fp");
    assertEquals(a, JobIds.generate("daily_import", "run1", "key", "fp"));
    assertThat(a, matchesPattern("daily_import_run1_[0-9a-f]{32}"));
    assertNotEquals(a, JobIds.generate("daily_import", "run2", "key", "fp"));
    assertNotEquals(a, JobIds.generate("daily_import", "run1", "key2", "fp"));
    assertNotEquals(a, JobIds.generate("daily_import", "run1", "key", "fp2"));
  }

  @Test
  public void fieldBoundariesDoNotCollide() {
    assertNotEquals(JobIds.generate("p", "t", "ab", "c"), JobIds.generate("p", "t", "a", "bc"));
  }

  @Test
  public void longestPrefixAndTokenLeaveRoomForRerunSuffixes() {
    String id =
        JobIds.generate(
            "p".repeat(JobIds.MAX_PREFIX_LENGTH),
            "t".repeat(JobIds.MAX_RUN_TOKEN_LENGTH),
            "k",
            "f");
    assertThat(
        JobIds.forAttempt(id, JobIds.MAX_ATTEMPTS).length(),
        lessThanOrEqualTo(JobIds.MAX_JOB_ID_LENGTH));
  }

  @Test
  public void attemptsAppendRerunSuffix() {
    assertEquals("x", JobIds.forAttempt("x", 1));
    assertEquals("x-r2", JobIds.forAttempt("x", 2));
    assertEquals("x-r3", JobIds.forAttempt("x", 3));
  }

  @Test
  public void invalidPrefixIsRejectedWithItsName() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> JobIds.checkPrefix("daily import!"));
    assertThat(e.getMessage(), containsString("'daily import!'"));
    assertThrows(IllegalArgumentException.class, () -> JobIds.checkPrefix(""));
    assertThrows(IllegalArgumentException.class, () -> JobIds.checkPrefix("x".repeat(300)));
    assertEquals("ok-prefix_1", JobIds.checkPrefix("ok-prefix_1"));
  }

  @Test
  public void invalidRunTokenIsRejectedWithItsName() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> JobIds.checkRunToken("night/2026"));
    assertThat(e.getMessage(), containsString("'night/2026'"));
  }

  @Test
  public void runTokenFromJobNameIsSanitisedAndStable() {
    String name = "bigqueryjobstest-root-1126044105-4c0a5d1e";
    assertEquals(name, JobIds.runTokenFromJobName(name));
    String odd = JobIds.runTokenFromJobName("My Job.2026/11/26");
    assertThat(odd, matchesPattern("[A-Za-z0-9_-]+"));
    assertEquals(odd, JobIds.runTokenFromJobName("My Job.2026/11/26"));
    // Sanitising must not merge different names.
    assertNotEquals(JobIds.runTokenFromJobName("a.b"), JobIds.runTokenFromJobName("a_b"));
    assertThat(JobIds.runTokenFromJobName("x".repeat(2000)).length(), lessThanOrEqualTo(120));
    assertNotEquals(
        JobIds.runTokenFromJobName("x".repeat(200) + "1"),
        JobIds.runTokenFromJobName("x".repeat(200) + "2"));
    assertThat(JobIds.runTokenFromJobName(null), not(nullValue()));
  }

  @Test
  public void explicitIdsAreChecked() {
    assertThat(JobIds.problemWithExplicit("my_job-1"), nullValue());
    assertThat(JobIds.problemWithExplicit("my job"), containsString("'my job'"));
    assertThat(JobIds.problemWithExplicit(""), containsString("empty"));
    assertThat(JobIds.problemWithExplicit("j".repeat(1020)), containsString("rerun"));
  }

  @Test
  public void launchRunTokenIsTheJobNameTheUtcTimeAndARandomPart() {
    String token = JobIds.runTokenForLaunch("nightly-load", 1_764_657_522_000L, "9f3ab2c1");
    assertEquals("nightly-load_20251202T063842Z_9f3ab2c1", token);
    assertEquals(token, JobIds.checkRunToken(token));
    assertThat(
        JobIds.runTokenForLaunch("x".repeat(2000), 0, "00000000").length(),
        lessThanOrEqualTo(JobIds.MAX_RUN_TOKEN_LENGTH));
  }
}
