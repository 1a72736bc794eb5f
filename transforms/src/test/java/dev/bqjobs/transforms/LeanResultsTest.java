package dev.bqjobs.transforms;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import com.google.api.services.bigquery.model.ExplainQueryStage;
import com.google.api.services.bigquery.model.ExplainQueryStep;
import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobReference;
import com.google.api.services.bigquery.model.JobStatistics;
import com.google.api.services.bigquery.model.JobStatistics2;
import com.google.api.services.bigquery.model.JobStatus;
import com.google.api.services.bigquery.model.QueryTimelineSample;
import com.google.api.services.bigquery.model.TableReference;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.Test;

/**
 * {@code withLeanResults()}: what it drops, what it keeps, and what it saves on a typical query
 * result (four stages, a timeline of eight samples, as BigQuery reports for a join and an
 * aggregation). The sizes are printed: run this test to measure.
 */
public class LeanResultsTest {

  static Job typicalQueryJob() {
    List<ExplainQueryStage> plan = new ArrayList<>();
    String[] names = {"S00: Input", "S01: Input", "S02: Join+", "S03: Output"};
    for (int i = 0; i < names.length; i++) {
      plan.add(
          new ExplainQueryStage()
              .setName(names[i])
              .setId((long) i)
              .setStatus("COMPLETE")
              .setStartMs(1_764_657_522_000L + i * 300L)
              .setEndMs(1_764_657_522_900L + i * 300L)
              .setRecordsRead(1_250_000L)
              .setRecordsWritten(42_000L)
              .setShuffleOutputBytes(8_400_000L)
              .setShuffleOutputBytesSpilled(0L)
              .setParallelInputs(12L)
              .setCompletedParallelInputs(12L)
              .setWaitRatioAvg(0.02)
              .setWaitRatioMax(0.08)
              .setReadRatioAvg(0.3)
              .setReadRatioMax(0.5)
              .setComputeRatioAvg(0.6)
              .setComputeRatioMax(1.0)
              .setWriteRatioAvg(0.05)
              .setWriteRatioMax(0.1)
              .setSlotMs(18_000L)
              .setSteps(
                  List.of(
                      new ExplainQueryStep()
                          .setKind("READ")
                          .setSubsteps(List.of("$1:customer_id, $2:amount", "FROM sales.orders")),
                      new ExplainQueryStep()
                          .setKind("AGGREGATE")
                          .setSubsteps(List.of("GROUP BY $30 := $1", "$20 := SUM($2)")),
                      new ExplainQueryStep()
                          .setKind("WRITE")
                          .setSubsteps(List.of("$30, $20", "TO __stage03_output")))));
    }
    List<QueryTimelineSample> timeline = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      timeline.add(
          new QueryTimelineSample()
              .setElapsedMs(250L * (i + 1))
              .setTotalSlotMs(9_000L * (i + 1))
              .setPendingUnits(48L - 6 * i)
              .setCompletedUnits(6L * i)
              .setActiveUnits(6L));
    }
    return new Job()
        .setJobReference(
            new JobReference().setProjectId("proj").setLocation("EU").setJobId("bqjobs_x"))
        .setStatus(new JobStatus().setState("DONE"))
        .setStatistics(
            new JobStatistics()
                .setCreationTime(1_764_657_522_000L)
                .setStartTime(1_764_657_522_100L)
                .setEndTime(1_764_657_524_300L)
                .setTotalBytesProcessed(52_428_800L)
                .setQuery(
                    new JobStatistics2()
                        .setStatementType("SELECT")
                        .setTotalBytesProcessed(52_428_800L)
                        .setTotalBytesBilled(52_428_800L)
                        .setTotalSlotMs(72_000L)
                        .setCacheHit(false)
                        .setQueryPlan(plan)
                        .setTimeline(timeline)));
  }

  private static JobResult result(Job job) {
    JobRequest request =
        BigQueryJobsTest.query("SELECT customer_id, SUM(amount) FROM sales.orders");
    job.setConfiguration(request.getConfiguration());
    job.getConfiguration()
        .getQuery()
        .setDestinationTable(
            new TableReference().setProjectId("proj").setDatasetId("_anon").setTableId("anon1"));
    return OutcomeClassifier.result(
        new PreparedJob("daily", "bqjobs_x", "fp", "proj", "EU", request, 0),
        job,
        List.of("bqjobs_x"));
  }

  @Test
  public void leanDropsThePlanAndTimelineAndKeepsTheRest() throws Exception {
    JobResult full = result(typicalQueryJob());
    JobResult lean = full.lean();
    assertNull(lean.getJob().getStatistics().getQuery().getQueryPlan());
    assertNull(lean.getJob().getStatistics().getQuery().getTimeline());
    assertEquals(
        full.getJob().getStatistics().getQuery().getTotalBytesProcessed(),
        lean.getJob().getStatistics().getQuery().getTotalBytesProcessed());
    assertEquals(
        full.getJob().getConfiguration().getQuery().getDestinationTable(),
        lean.getJob().getConfiguration().getQuery().getDestinationTable());
    assertEquals(full.getOutcome(), lean.getOutcome());
    assertEquals(full.getAttemptJobIds(), lean.getAttemptJobIds());
    // The full result is untouched.
    assertEquals(4, full.getJob().getStatistics().getQuery().getQueryPlan().size());

    int fullBytes = CoderUtils.encodeToByteArray(JobResultCoder.of(), full).length;
    int leanBytes = CoderUtils.encodeToByteArray(JobResultCoder.of(), lean).length;
    System.out.printf(
        "lean-results: typical query result encodes to %d bytes, %d lean (%.0f%% saved)%n",
        fullBytes, leanBytes, 100.0 * (fullBytes - leanBytes) / fullBytes);
    assertThat(leanBytes * 3, lessThan(fullBytes));
  }

  @Test
  public void aResultWithoutAPlanIsUnchanged() {
    JobResult noJob =
        JobResult.failed(
            "k", BigQueryJobsTest.query("SELECT 1"), null, null, "invalid", "x", List.of());
    assertEquals(noJob, noJob.lean());
  }
}
