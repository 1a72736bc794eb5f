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
 * The fault matrix on the DirectRunner: each injected fault at 10% and 30% over 500 jobs (full), or
 * at 10% over 100 jobs (short). Every row: results = inputs, each exactly once; each job ID
 * executed once; reruns only as declared attempts; one inserted row per succeeded job.
 */
@RunWith(Parameterized.class)
public class FaultMatrixIT {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Parameters(name = "{0} at {1}")
  public static List<Object[]> rows() {
    List<Object[]> rows = new ArrayList<>();
    double[] rates = Reliability.full() ? new double[] {0.1, 0.3} : new double[] {0.1};
    int jobs = Reliability.full() ? 500 : 100;
    for (FaultRow.Kind kind : FaultRow.Kind.values()) {
      for (double rate : rates) {
        rows.add(new Object[] {kind, rate, jobs});
      }
    }
    return rows;
  }

  private final FaultRow.Kind kind;
  private final double rate;
  private final int jobs;

  public FaultMatrixIT(FaultRow.Kind kind, double rate, int jobs) {
    this.kind = kind;
    this.rate = rate;
    this.jobs = jobs;
  }

  @Test
  public void everyRequestEndsExactlyOnceAndNoJobRunsTwice() throws Exception {
    FaultRow.run("fault_matrix_direct", kind, rate, jobs, tmp.getRoot().toPath());
  }
}
