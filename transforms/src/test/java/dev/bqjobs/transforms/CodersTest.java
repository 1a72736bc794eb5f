package dev.bqjobs.transforms;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.instanceOf;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;

import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobConfigurationQuery;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.testing.CoderProperties;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.Test;

public class CodersTest {

  private static JobRequest request() {
    return CoderFixtures.request();
  }

  private static JobResult result() {
    return CoderFixtures.result();
  }

  @Test
  public void defaultCodersAreRegistered() throws Exception {
    CoderRegistry registry = CoderRegistry.createDefault();
    assertThat(registry.getCoder(JobRequest.class), instanceOf(JobRequestCoder.class));
    assertThat(registry.getCoder(JobResult.class), instanceOf(JobResultCoder.class));
  }

  @Test
  public void requestRoundTripsAndIsDeterministic() throws Exception {
    CoderProperties.coderDecodeEncodeEqual(JobRequestCoder.of(), request());
    CoderProperties.coderDeterministic(JobRequestCoder.of(), request(), request());
    CoderProperties.coderConsistentWithEquals(JobRequestCoder.of(), request(), request());
    JobRequestCoder.of().verifyDeterministic();
  }

  @Test
  public void equalRequestsBuiltInAnotherOrderEncodeEqually() throws Exception {
    JobRequest a =
        JobRequest.of(
            new JobConfiguration()
                .setQuery(new JobConfigurationQuery().setQuery("SELECT 1").setUseLegacySql(false))
                .setLabels(Map.of("b", "2", "a", "1")));
    JobRequest b =
        JobRequest.of(
                new JobConfiguration()
                    .setLabels(Map.of("a", "1"))
                    .setQuery(
                        new JobConfigurationQuery().setUseLegacySql(false).setQuery("SELECT 1")))
            .withLabels(Map.of("b", "2"));
    assertEquals(a, b);
    assertArrayEquals(
        CoderUtils.encodeToByteArray(JobRequestCoder.of(), a),
        CoderUtils.encodeToByteArray(JobRequestCoder.of(), b));
  }

  @Test
  public void resultRoundTripsWithInt64AsStrings() throws Exception {
    CoderProperties.coderDecodeEncodeEqual(JobResultCoder.of(), result());
    CoderProperties.coderDeterministic(JobResultCoder.of(), result(), result());
    String json = result().toCanonicalJson();
    assertThat(json, containsString("\"totalBytesProcessed\":\"12345678901234\""));
    JobResult decoded =
        CoderUtils.decodeFromByteArray(
            JobResultCoder.of(), CoderUtils.encodeToByteArray(JobResultCoder.of(), result()));
    assertEquals(Long.valueOf(12345678901234L), decoded.getStatistics().getTotalBytesProcessed());
    assertEquals(1, decoded.getErrors().size());
    assertEquals(2500, decoded.getRuntime().getMillis());
    assertEquals(List.of("j"), decoded.getAttemptJobIds());
  }

  @Test
  public void resultJsonJoinedFromItsPartsEqualsTheSortedTree() {
    JobResult withError =
        JobResult.failed(
            "k \"quoted\" \u00e9",
            request(),
            null,
            null,
            "invalid",
            "bad <value> & more",
            List.of("a", "b"));
    for (JobResult r : List.of(result(), withError, result().lean())) {
      assertEquals(r.toCanonicalJsonBySorting(), r.toCanonicalJson());
    }
  }

  @Test
  public void modelObjectsAreCopiedInAndOut() {
    JobConfiguration configuration =
        new JobConfiguration().setQuery(new JobConfigurationQuery().setQuery("SELECT 1"));
    JobRequest request = JobRequest.of(configuration);
    configuration.getQuery().setQuery("DROP TABLE x");
    request.getConfiguration().getQuery().setQuery("DROP TABLE y");
    assertEquals("SELECT 1", request.getConfiguration().getQuery().getQuery());
    JobResult result = result();
    result.getJob().getStatus().setState("RUNNING");
    assertEquals("DONE", result.getJob().getStatus().getState());
  }

  @Test
  public void requestsAreDataAndNeverThrowForBadContent() {
    JobRequest bad =
        JobRequest.of(new JobConfiguration())
            .withJobId("not a valid id!")
            .withLabels(Map.of("UPPER", "VALUE"));
    assertNull(bad.getKey());
    assertThrows(NullPointerException.class, () -> JobRequest.of(null));
    assertThrows(NullPointerException.class, () -> bad.withKey(null));
  }

  @Test
  public void requestLabelsWinOnAClash() {
    JobRequest request =
        JobRequest.of(
                new JobConfiguration()
                    .setQuery(new JobConfigurationQuery().setQuery("SELECT 1"))
                    .setLabels(Map.of("team", "old", "keep", "x")))
            .withLabels(Map.of("team", "new"));
    assertEquals(Map.of("team", "new", "keep", "x"), request.getConfiguration().getLabels());
  }
}
