package dev.bqjobs.transforms;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobConfigurationQuery;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.testing.CoderProperties;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.Test;

/** A shard packed into compressed chunks reads back exactly, in order and at random. */
public class PackedShardTest {
  private final JobPreparer preparer = new JobPreparer("proj", "EU", "test");

  private List<PreparedJob> requests(int n, int from) {
    List<PreparedJob> jobs = new ArrayList<>();
    for (int i = from; i < from + n; i++) {
      JobRequest request =
          JobRequest.of(
                  new JobConfiguration()
                      .setQuery(
                          new JobConfigurationQuery()
                              .setQuery("SELECT customer_id FROM sales.orders WHERE day = " + i)
                              .setUseLegacySql(false)))
              .withKey("day_" + i);
      jobs.add(preparer.prepare(request, "run-token", 1_000L + i));
    }
    return jobs;
  }

  @Test
  public void readsBackEveryRequestInOrderAndAtRandom() throws Exception {
    List<PreparedJob> jobs = requests(1_000, 0); // several chunks and a partial last one
    PackedShard packed = PackedShard.of(jobs);
    assertEquals(jobs.size(), packed.size());
    assertEquals(jobs, new ArrayList<>(packed));
    for (int i : new int[] {999, 0, 512, 255, 256, 3}) {
      assertEquals(jobs.get(i), packed.get(i));
    }
    assertThrows(IndexOutOfBoundsException.class, () -> packed.get(1_000));
  }

  @Test
  public void joinedBlocksKeepTheirOrder() throws Exception {
    List<PreparedJob> first = requests(300, 0);
    List<PreparedJob> second = requests(10, 300);
    PackedShard joined =
        PackedShard.join(
            List.of(PackedShard.of(first), PackedShard.of(second), PackedShard.of(List.of())));
    List<PreparedJob> all = new ArrayList<>(first);
    all.addAll(second);
    assertEquals(all, new ArrayList<>(joined));
    assertEquals(all.get(305), joined.get(305));
  }

  @Test
  public void codesExactlyAndSmall() throws Exception {
    List<PreparedJob> jobs = requests(1_000, 0);
    PackedShard packed = PackedShard.of(jobs);
    CoderProperties.coderDecodeEncodeEqual(PackedShard.Coder.of(), packed);
    CoderProperties.coderDecodeEncodeEqual(PackedShard.Coder.of(), PackedShard.of(List.of()));
    assertEquals(jobs, new ArrayList<>(CoderUtils.clone(PackedShard.Coder.of(), packed)));
    long plain = 0;
    for (PreparedJob job : jobs) {
      plain += CoderUtils.encodeToByteArray(PreparedJob.Coder.of(), job).length;
    }
    int packedBytes = CoderUtils.encodeToByteArray(PackedShard.Coder.of(), packed).length;
    // requests of one run share most of their text: what the DirectRunner's copies cost
    assertThat((long) packedBytes, lessThan(plain / 2));
  }
}
