package dev.bqjobs.transforms;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;

import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobConfigurationQuery;
import java.util.HashMap;
import java.util.Map;
import org.junit.Test;

public class FingerprintAndLabelsTest {

  private static JobRequest query(String sql) {
    return JobRequest.of(
        new JobConfiguration()
            .setQuery(new JobConfigurationQuery().setQuery(sql).setUseLegacySql(false)));
  }

  @Test
  public void fingerprintIgnoresFieldOrderAndOurOwnLabel() {
    JobConfiguration a =
        new JobConfiguration()
            .setQuery(new JobConfigurationQuery().setQuery("SELECT 1").setUseLegacySql(false));
    JobConfiguration b =
        new JobConfiguration()
            .setQuery(new JobConfigurationQuery().setUseLegacySql(false).setQuery("SELECT 1"));
    String fa = Fingerprint.of(JobRequest.of(a).getConfigurationJson(), "p", "EU");
    String fb =
        Fingerprint.of(
            JobRequest.of(b)
                .withLabels(Map.of(Labels.FINGERPRINT_LABEL, "whatever"))
                .getConfigurationJson(),
            "p",
            "EU");
    assertEquals(fa, fb);
    assertThat(fa, matchesPattern("[0-9a-f]{40}"));
  }

  @Test
  public void fingerprintCoversConfigurationProjectAndLocation() {
    String json = query("SELECT 1").getConfigurationJson();
    String base = Fingerprint.of(json, "p", "EU");
    assertNotEquals(base, Fingerprint.of(query("SELECT 2").getConfigurationJson(), "p", "EU"));
    assertNotEquals(base, Fingerprint.of(json, "q", "EU"));
    assertNotEquals(base, Fingerprint.of(json, "p", "US"));
    assertNotEquals(base, Fingerprint.of(json, "p", null));
    assertNotEquals(
        base,
        Fingerprint.of(
            query("SELECT 1").withLabels(Map.of("team", "a")).getConfigurationJson(), "p", "EU"));
  }

  @Test
  public void labelRules() {
    assertThat(Labels.problem(null), nullValue());
    assertThat(Labels.problem(Map.of("team", "data-eng_1", "é", "ünïcode", "k", "")), nullValue());
    assertThat(Labels.problem(Map.of("Team", "a")), containsString("'Team'"));
    assertThat(Labels.problem(Map.of("1team", "a")), containsString("'1team'"));
    assertThat(Labels.problem(Map.of("team", "UPPER")), containsString("'UPPER'"));
    assertThat(Labels.problem(Map.of("k".repeat(64), "a")), containsString("invalid label key"));
    assertThat(Labels.problem(Map.of("k", "v".repeat(64))), containsString("invalid value"));
  }

  @Test
  public void sixtyThreeUserLabelsLeaveNoRoomForOurTwo() {
    Map<String, String> labels = new HashMap<>();
    for (int i = 0; i < 62; i++) {
      labels.put("l" + i, "v");
    }
    assertThat(Labels.problem(labels), nullValue());
    labels.put(Labels.FINGERPRINT_LABEL, "ours-does-not-count");
    labels.put(Labels.KEY_LABEL, "ours-does-not-count");
    assertThat(Labels.problem(labels), nullValue());
    labels.put("l62", "v");
    assertThat(Labels.problem(labels), containsString("no room for the labels 'bqjobs-fp'"));
  }

  @Test
  public void fingerprintIgnoresOurOwnLabels() {
    String plain = "{\"query\":{\"query\":\"SELECT 1\"}}";
    String labelled =
        "{\"labels\":{\"bqjobs-fp\":\"x\",\"bqjobs-key\":\"y\"},\"query\":{\"query\":\"SELECT 1\"}}";
    assertEquals(Fingerprint.of(plain, "p", "EU"), Fingerprint.of(labelled, "p", "EU"));
  }

  @Test
  public void keyHashTellsRequestsAndBaseIdsApart() {
    assertEquals(Labels.keyHash("k", "load_x"), Labels.keyHash("k", "load_x"));
    assertNotEquals(Labels.keyHash("k", "load_x"), Labels.keyHash("k", "load_x-r2"));
    assertNotEquals(Labels.keyHash("a", "id"), Labels.keyHash("b", "id"));
    assertThat(Labels.problem(Map.of("k", Labels.keyHash("k", "id"))), nullValue());
  }

  @Test
  public void locationIsParsedFromThe409Message() {
    assertEquals("EU", InsertJobs.locationFrom409("Already Exists: Job my-proj:EU.job_1", "job_1"));
    assertEquals(
        "asia-northeast1",
        InsertJobs.locationFrom409(
            "Already Exists: Job example.com:proj:asia-northeast1.job-1", "job-1"));
    assertThat(InsertJobs.locationFrom409("Already Exists: Job p:US.job-12", "job-1"), nullValue());
    assertThat(InsertJobs.locationFrom409("something else", "job-1"), nullValue());
    assertThat(InsertJobs.locationFrom409(null, "job-1"), nullValue());
  }
}
