package dev.bqjobs.transforms;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;

import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobConfigurationQuery;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.testing.CoderProperties;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.Test;

public class PreparedJobCoderTest {
  private static final PreparedJob.Coder CODER = PreparedJob.Coder.of();

  private static JobRequest query(String sql) {
    return JobRequest.of(
        new JobConfiguration()
            .setQuery(new JobConfigurationQuery().setQuery(sql).setUseLegacySql(false)));
  }

  private static PreparedJob prepared(JobRequest request) {
    return new PreparedJob("daily", "bqjobs_run_daily", "fp1", "proj", "EU", request, 1234L);
  }

  @Test
  public void roundTripsEveryShapeOfRequest() throws Exception {
    // Request fields absent, equal to the job's own, and different from them.
    PreparedJob[] values = {
      prepared(query("SELECT 1")),
      prepared(query("SELECT 1").withKey("daily").withProject("proj").withLocation("EU")),
      prepared(
          query("SELECT 2")
              .withKey("other-key")
              .withJobId("explicit_id")
              .withProject("other-proj")
              .withLocation("US")),
      new PreparedJob("k", "id", "fp", "proj", null, query("SELECT 3"), -5L),
    };
    for (PreparedJob value : values) {
      CoderProperties.coderDecodeEncodeEqual(CODER, value);
      CoderProperties.coderConsistentWithEquals(CODER, value, value);
      PreparedJob decoded = CoderUtils.clone(CODER, value);
      assertEquals(value.request, decoded.request);
      assertEquals(value.timestampMillis, decoded.timestampMillis);
      assertEquals(value.location, decoded.location);
    }
    CoderProperties.coderDeterministic(CODER, values[1], CoderUtils.clone(CODER, values[1]));
  }

  @Test
  public void equalityFollowsEveryField() {
    PreparedJob a = prepared(query("SELECT 1").withKey("daily"));
    assertEquals(a, prepared(query("SELECT 1").withKey("daily")));
    assertNotEquals(a, prepared(query("SELECT 2").withKey("daily")));
    assertNotEquals(a, prepared(query("SELECT 1").withKey("daily").withJobId("x")));
    assertNotEquals(
        a, new PreparedJob("daily", "bqjobs_run_daily", "fp1", "proj", "EU", a.request, 99L));
  }

  @Test
  public void decodedRequestSharesTheJobsStringsAndParsesNothing() throws Exception {
    PreparedJob decoded =
        CoderUtils.clone(
            CODER,
            prepared(query("SELECT 1").withKey("daily").withProject("proj").withLocation("EU")));
    // One string per value, not one per field: a shard's requests are held in memory.
    assertSame(decoded.key, decoded.request.getKey());
    assertSame(decoded.project, decoded.request.getProject());
    assertSame(decoded.location, decoded.request.getLocation());
    assertSame("proj", decoded.project); // interned: few distinct projects per run
  }

  @Test
  public void corruptEncodingIsACoderException() throws Exception {
    byte[] bytes = CoderUtils.encodeToByteArray(CODER, prepared(query("SELECT 1")));
    // The marker after the configuration JSON says how the request's key relates to the job's.
    int marker = markerOffset(bytes);
    bytes[marker] = 7;
    byte[] corrupt = bytes;
    assertThrows(CoderException.class, () -> CoderUtils.decodeFromByteArray(CODER, corrupt));
  }

  /** Offset of the first field marker: after five length-prefixed strings and the config JSON. */
  private static int markerOffset(byte[] bytes) {
    int offset = 0;
    // key, baseJobId, fingerprint, project: length-prefixed (lengths < 128 here: one byte).
    for (int i = 0; i < 4; i++) {
      offset += 1 + bytes[offset];
    }
    offset += 1; // nullable location: presence byte
    offset += 1 + bytes[offset]; // location
    offset += 1 + bytes[offset]; // configuration JSON
    return offset;
  }
}
