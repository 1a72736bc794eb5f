package dev.bqjobs.pipelines.reliability;

import java.util.ArrayList;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.junit.runners.Parameterized.Parameters;

/**
 * The fault matrix's 10% row on Spark ({@code local[2,4]}: two cores, task retries allowed): every
 * fault over 500 jobs (full), or lost insert answers over 100 jobs (short).
 */
@RunWith(Parameterized.class)
public class SparkFaultMatrixIT {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Parameters(name = "{0} at 0.1 on Spark")
  public static List<Object[]> rows() {
    List<Object[]> rows = new ArrayList<>();
    for (FaultRow.Kind kind : FaultRow.Kind.values()) {
      if (Reliability.full() || kind == FaultRow.Kind.LOST_INSERT) {
        rows.add(new Object[] {kind, Reliability.full() ? 500 : 100});
      }
    }
    return rows;
  }

  private final FaultRow.Kind kind;
  private final int jobs;

  public SparkFaultMatrixIT(FaultRow.Kind kind, int jobs) {
    this.kind = kind;
    this.jobs = jobs;
  }

  @Test
  public void everyRequestEndsExactlyOnceOnSpark() throws Exception {
    FaultRow.run(
        "fault_matrix_spark",
        kind,
        0.1,
        jobs,
        tmp.getRoot().toPath(),
        "--runner=SparkRunner",
        "--sparkMaster=local[2,4]");
  }
}
