package dev.bqjobs.emulator.faults;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.Assert.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.Test;

public class FaultPlanTest {
  @Test
  public void sameSeedSameDecisions() {
    List<FaultPlan.CallFault> a = draws(FaultPlan.parse("jobs.get:503=0.3,lost=0.1", 7), 200);
    List<FaultPlan.CallFault> b = draws(FaultPlan.parse("jobs.get:503=0.3,lost=0.1", 7), 200);
    List<FaultPlan.CallFault> c = draws(FaultPlan.parse("jobs.get:503=0.3,lost=0.1", 8), 200);
    assertThat(a, equalTo(b));
    assertThat(a.equals(c), equalTo(false));
  }

  @Test
  public void frequenciesFollowProbabilities() {
    List<FaultPlan.CallFault> d = draws(FaultPlan.parse("jobs.get:503=0.3,lost=0.1", 1), 10_000);
    long refused = d.stream().filter(f -> f == FaultPlan.CallFault.HTTP_503).count();
    long lost = d.stream().filter(f -> f == FaultPlan.CallFault.LOST).count();
    assertThat(refused, allOf(greaterThan(2700L), lessThan(3300L)));
    assertThat(lost, allOf(greaterThan(800L), lessThan(1200L)));
  }

  @Test
  public void jobFaultIsAFunctionOfTheJobIdAlone() {
    FaultPlan plan = FaultPlan.parse("job:backendError=0.5", 3);
    int failed = 0;
    for (int i = 0; i < 1000; i++) {
      String first = plan.jobFault("p", "job_" + i);
      assertThat(plan.jobFault("p", "job_" + i), equalTo(first));
      if (first != null) {
        failed++;
      }
    }
    assertThat(failed, allOf(greaterThan(400), lessThan(600)));
  }

  @Test
  public void wildcardAndShortMethodNames() {
    FaultPlan plan = FaultPlan.parse("*:500=1", 1);
    assertThat(plan.nextCall("tables.get"), equalTo(FaultPlan.CallFault.HTTP_500));
    assertThat(
        FaultPlan.parse("getQueryResults:429=1", 1).nextCall("jobs.getQueryResults"),
        equalTo(FaultPlan.CallFault.HTTP_429));
  }

  @Test
  public void badSpecsNameTheBadPart() {
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> FaultPlan.parse("jobs.get:502=0.1", 1))
            .getMessage(),
        containsString("unknown fault \"502\""));
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> FaultPlan.parse("jobs.get:503=2", 1))
            .getMessage(),
        containsString("probability \"2\""));
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> FaultPlan.parse("job:oops=0.1", 1))
            .getMessage(),
        containsString("unknown job fault \"oops\""));
    assertThat(
        assertThrows(
                IllegalArgumentException.class,
                () -> FaultPlan.parse("jobs.get:503=0.7,429=0.7", 1))
            .getMessage(),
        containsString("more than 1"));
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> FaultPlan.parse("jobs.get", 1))
            .getMessage(),
        containsString("TARGET:FAULT=P"));
  }

  @Test
  public void quotaBucketAllowsBurstThenRate() {
    AtomicLong now = new AtomicLong();
    RateQuotas q = RateQuotas.parse("jobs.insert=10", now::get);
    int allowed = 0;
    for (int i = 0; i < 20; i++) {
      if (q.allow("jobs.insert")) {
        allowed++;
      }
    }
    assertThat(allowed, equalTo(10));
    now.addAndGet(500_000_000L); // half a second refills five
    allowed = 0;
    for (int i = 0; i < 20; i++) {
      if (q.allow("jobs.insert")) {
        allowed++;
      }
    }
    assertThat(allowed, equalTo(5));
    assertThat(q.allow("jobs.get"), equalTo(true));
    assertThrows(IllegalArgumentException.class, () -> RateQuotas.parse("jobs.get=-1", now::get));
  }

  private static List<FaultPlan.CallFault> draws(FaultPlan plan, int n) {
    List<FaultPlan.CallFault> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(plan.nextCall("jobs.get"));
    }
    return out;
  }
}
