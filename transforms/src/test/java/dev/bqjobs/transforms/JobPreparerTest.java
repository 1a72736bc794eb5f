package dev.bqjobs.transforms;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;

import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobConfigurationExtract;
import com.google.api.services.bigquery.model.JobConfigurationQuery;
import java.util.Map;
import org.junit.Test;

public class JobPreparerTest {
  private final JobPreparer preparer = new JobPreparer("proj", "EU", "bqjobs");

  private static JobRequest query(String sql) {
    return JobRequest.of(
        new JobConfiguration()
            .setQuery(new JobConfigurationQuery().setQuery(sql).setUseLegacySql(false)));
  }

  @Test
  public void sameKeyAndConfigurationIsOneJob() {
    PreparedJob a = preparer.prepare(query("SELECT 1").withKey("k"), "run", 0);
    PreparedJob b = preparer.prepare(query("SELECT 1").withKey("k"), "run", 0);
    PreparedJob c = preparer.prepare(query("SELECT 1").withKey("k2"), "run", 0);
    assertEquals(a.baseJobId, b.baseJobId);
    assertNotEquals(a.baseJobId, c.baseJobId);
    assertThat(a.baseJobId, startsWith("bqjobs_run_"));
    assertEquals("proj", a.project);
    assertEquals("EU", a.location);
  }

  @Test
  public void withoutKeyTheKeyIsTheFingerprint() {
    PreparedJob a = preparer.prepare(query("SELECT 1"), "run", 0);
    assertEquals(a.fingerprint, a.key);
  }

  @Test
  public void explicitJobIdIsUsedAsIs() {
    assertEquals("mine", preparer.prepare(query("SELECT 1").withJobId("mine"), "run", 0).baseJobId);
  }

  @Test
  public void badRequestsHaveAProblem() {
    assertThat(preparer.problem(query("SELECT 1")), nullValue());
    assertThat(
        preparer.problem(JobRequest.of(new JobConfiguration())), containsString("no job type"));
    assertThat(
        preparer.problem(
            JobRequest.of(
                new JobConfiguration()
                    .setQuery(new JobConfigurationQuery().setQuery("SELECT 1"))
                    .setExtract(new JobConfigurationExtract()))),
        containsString("2 job types"));
    assertThat(preparer.problem(query("SELECT 1").withJobId("a b")), containsString("'a b'"));
    assertThat(
        preparer.problem(query("SELECT 1").withLabels(Map.of("X", "y"))),
        containsString("label key 'X'"));
    assertThat(
        new JobPreparer(null, null, "p").problem(query("SELECT 1")), containsString("no project"));
    JobResult invalid = preparer.invalid(JobRequest.of(new JobConfiguration()), "why");
    assertEquals(JobResult.Outcome.FAILED, invalid.getOutcome());
    assertEquals("invalid", invalid.getErrorResult().getReason());
    assertThat(invalid.getJob(), nullValue());
  }

  @Test
  public void insertedJobCarriesFingerprintLabelAndTimeoutBackstop() {
    PreparedJob p = preparer.prepare(query("SELECT 1").withLabels(Map.of("team", "a")), "run", 0);
    Job job = InsertJobs.build(p, "id-r2", 21_600_000L);
    assertEquals("id-r2", job.getJobReference().getJobId());
    assertEquals("EU", job.getJobReference().getLocation());
    assertEquals(
        Map.of(
            "team",
            "a",
            Labels.FINGERPRINT_LABEL,
            p.fingerprint,
            Labels.KEY_LABEL,
            Labels.keyHash(p.key, p.baseJobId)),
        job.getConfiguration().getLabels());
    assertEquals(Long.valueOf(21_600_000L), job.getConfiguration().getJobTimeoutMs());
    assertEquals(p.fingerprint, InsertJobs.fingerprintOf(job));
    assertEquals(Labels.keyHash(p.key, p.baseJobId), InsertJobs.keyHashOf(job));
  }

  @Test
  public void malformedProjectsAndLocationsAreProblemsNotExceptions() {
    assertThat(
        preparer.problem(query("SELECT 1").withProject("projects/my-proj")),
        containsString("did you mean 'my-proj'?"));
    assertThat(
        preparer.problem(query("SELECT 1").withProject("My-Proj")),
        containsString("did you mean 'my-proj'?"));
    assertThat(preparer.problem(query("SELECT 1").withProject("proj-")), containsString("'proj-'"));
    assertThat(preparer.problem(query("SELECT 1").withProject("example.com:my-proj")), nullValue());
    assertThat(
        preparer.problem(query("SELECT 1").withProject("bigquery-public-data")), nullValue());
    assertThat(
        preparer.problem(query("SELECT 1").withLocation("europe west1")),
        containsString("invalid location 'europe west1'"));
    assertThat(preparer.problem(query("SELECT 1").withLocation("asia-northeast1")), nullValue());
  }
}
