package dev.bqjobs.transforms;

import static org.junit.Assert.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * Pins the exact bytes {@link JobRequestCoder} and {@link JobResultCoder} write: elements already
 * in a runner's shuffle, a Dataflow update or a saved state must decode after any refactoring, and
 * equal requests must keep encoding to the bytes the runner groups by. The pinned hex was taken
 * from the coders before they shared {@link CanonicalJsonCoder}.
 */
@RunWith(JUnit4.class)
public class CoderBytesTest {
  /**
   * What {@link StringUtf8Coder} in a nested context writes, as the coders did: the varint byte
   * length, then the UTF-8 of the canonical JSON.
   */
  private static String pinned(String varintHex, String canonicalJson) {
    byte[] utf8 = canonicalJson.getBytes(StandardCharsets.UTF_8);
    return varintHex + HexFormat.of().formatHex(utf8);
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  @Test
  public void requestBytesArePinned() throws Exception {
    assertEquals(
        REQUEST, hex(CoderUtils.encodeToByteArray(JobRequestCoder.of(), CoderFixtures.request())));
    assertEquals(
        CoderFixtures.request(),
        CoderUtils.decodeFromByteArray(JobRequestCoder.of(), HexFormat.of().parseHex(REQUEST)));
  }

  @Test
  public void resultBytesArePinnedAndRoundTrip() throws Exception {
    for (String[] c :
        List.of(
            new String[] {
              RESULT, hex(CoderUtils.encodeToByteArray(JobResultCoder.of(), CoderFixtures.result()))
            },
            new String[] {
              FAILED_RESULT,
              hex(CoderUtils.encodeToByteArray(JobResultCoder.of(), CoderFixtures.failed()))
            })) {
      assertEquals(c[0], c[1]);
      JobResult decoded =
          CoderUtils.decodeFromByteArray(JobResultCoder.of(), HexFormat.of().parseHex(c[0]));
      assertEquals(c[0], hex(CoderUtils.encodeToByteArray(JobResultCoder.of(), decoded)));
    }
  }

  private static final String REQUEST =
      pinned(
          "ee01",
          "{\"configuration\":{\"jobTimeoutMs\":\"5000\",\"labels\":{\"b\":\"2\",\"team\":\"a\"},"
              + "\"load\":{\"destinationTable\":{\"datasetId\":\"d\",\"projectId\":\"p\","
              + "\"tableId\":\"t\"},\"maxBadRecords\":3,\"sourceUris\":[\"gs://b/x.csv\"]}},"
              + "\"key\":\"k \u00e9\",\"location\":\"EU\",\"project\":\"p\"}");

  private static final String RESULT =
      pinned(
          "b105",
          "{\"attemptJobIds\":[\"j\"],\"errors\":[{\"message\":\"row 3\",\"reason\":\"invalid\"}],"
              + "\"job\":{\"jobReference\":{\"jobId\":\"j\",\"location\":\"EU\",\"projectId\":\"p\"},"
              + "\"statistics\":{\"creationTime\":\"1000\",\"endTime\":\"4000\",\"startTime\":\"1500\","
              + "\"totalBytesProcessed\":\"12345678901234\"},\"status\":{\"errors\":[{\"message\":"
              + "\"row 3\",\"reason\":\"invalid\"}],\"state\":\"DONE\"}},\"jobReference\":"
              + "{\"jobId\":\"j\",\"location\":\"EU\",\"projectId\":\"p\"},\"key\":\"k \u00e9\","
              + "\"outcome\":\"SUCCEEDED_WITH_WARNINGS\",\"request\":{\"configuration\":"
              + "{\"jobTimeoutMs\":\"5000\",\"labels\":{\"b\":\"2\",\"team\":\"a\"},\"load\":"
              + "{\"destinationTable\":{\"datasetId\":\"d\",\"projectId\":\"p\",\"tableId\":\"t\"},"
              + "\"maxBadRecords\":3,\"sourceUris\":[\"gs://b/x.csv\"]}},\"key\":\"k \u00e9\","
              + "\"location\":\"EU\",\"project\":\"p\"}}");

  private static final String FAILED_RESULT =
      pinned(
          "8a03",
          "{\"attemptJobIds\":[\"a\",\"b\"],\"errorResult\":{\"message\":\"bad <value> & more\","
              + "\"reason\":\"invalid\"},\"errors\":[],\"key\":\"k \\\"quoted\\\"\",\"outcome\":\"FAILED\","
              + "\"request\":{\"configuration\":{\"jobTimeoutMs\":\"5000\",\"labels\":{\"b\":\"2\","
              + "\"team\":\"a\"},\"load\":{\"destinationTable\":{\"datasetId\":\"d\",\"projectId\":\"p\","
              + "\"tableId\":\"t\"},\"maxBadRecords\":3,\"sourceUris\":[\"gs://b/x.csv\"]}},"
              + "\"key\":\"k \u00e9\",\"location\":\"EU\",\"project\":\"p\"}}");
}
