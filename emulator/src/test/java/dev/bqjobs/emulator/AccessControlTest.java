package dev.bqjobs.emulator;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.Assert.assertThrows;

import com.google.api.client.googleapis.json.GoogleJsonResponseException;
import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.api.services.bigquery.Bigquery;
import com.google.api.services.bigquery.model.Dataset;
import com.google.api.services.bigquery.model.DatasetReference;
import com.google.api.services.bigquery.model.Job;
import dev.bqjobs.emulator.testing.IamPolicy;
import dev.bqjobs.emulator.wire.JsonCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

/** --iam: tokens, roles, job-level table checks, and the refusal to bind openly without it. */
public class AccessControlTest {
  static final String PROJECT = "iam-project";
  static final Path POLICY = writePolicy();

  @ClassRule public static final LocalBigQueryRule BQ = new LocalBigQueryRule(b -> b.iam(POLICY));

  static Path writePolicy() {
    return IamPolicy.create()
        .principal("admin-token", "admin@example.com")
        .principal("analyst-token", "analyst@example.com")
        .principal("viewer-token", "viewer@example.com")
        .grant("roles/bigquery.admin", "*", "admin@example.com")
        .grant("roles/bigquery.jobUser", "iam-project", "analyst@example.com")
        .grantOnDataset(
            "roles/bigquery.dataViewer",
            "iam-project",
            "open",
            "analyst@example.com",
            "viewer@example.com")
        .writeTemporary();
  }

  static Bigquery clientWithToken(String token) {
    return new Bigquery.Builder(
            new NetHttpTransport(),
            JsonCodec.factory(),
            request -> {
              if (token != null) {
                request.getHeaders().setAuthorization("Bearer " + token);
              }
            })
        .setRootUrl(BQ.rootUrl())
        .build();
  }

  @BeforeClass
  public static void createData() throws Exception {
    Bigquery admin = clientWithToken("admin-token");
    for (String ds : new String[] {"open", "secret"}) {
      admin
          .datasets()
          .insert(
              PROJECT, new Dataset().setDatasetReference(new DatasetReference().setDatasetId(ds)))
          .execute();
      Job done =
          QueryJobsTest.waitDone(
              admin,
              admin
                  .jobs()
                  .insert(
                      PROJECT, query("create_" + ds, "CREATE TABLE " + ds + ".t AS SELECT 1 AS x"))
                  .execute());
      assertThat(done.getStatus().getErrorResult(), equalTo(null));
    }
  }

  static Job query(String jobId, String sql) {
    Job job = QueryJobsTest.queryJob(jobId, sql);
    job.getJobReference().setProjectId(PROJECT);
    return job;
  }

  @Test
  public void missingOrUnknownTokenIs401() {
    GoogleJsonResponseException none =
        assertThrows(
            GoogleJsonResponseException.class,
            () -> clientWithToken(null).jobs().list(PROJECT).execute());
    assertThat(none.getStatusCode(), equalTo(401));
    GoogleJsonResponseException unknown =
        assertThrows(
            GoogleJsonResponseException.class,
            () -> clientWithToken("stolen").jobs().list(PROJECT).execute());
    assertThat(unknown.getStatusCode(), equalTo(401));
  }

  @Test
  public void insertWithoutJobsCreateIsAccessDeniedNamingThePermission() {
    GoogleJsonResponseException e =
        assertThrows(
            GoogleJsonResponseException.class,
            () ->
                clientWithToken("viewer-token")
                    .jobs()
                    .insert(PROJECT, query("v1", "SELECT 1"))
                    .execute());
    assertThat(e.getStatusCode(), equalTo(403));
    assertThat(e.getDetails().getErrors().get(0).getReason(), equalTo("accessDenied"));
    assertThat(
        e.getDetails().getMessage(),
        equalTo(
            "Access Denied: Project iam-project: User does not have bigquery.jobs.create"
                + " permission in project iam-project."));
  }

  @Test
  public void jobReadingAForbiddenTableFailsAccessDenied() throws Exception {
    Bigquery analyst = clientWithToken("analyst-token");
    Job allowed =
        QueryJobsTest.waitDone(
            analyst,
            analyst.jobs().insert(PROJECT, query("a_open", "SELECT x FROM open.t")).execute());
    assertThat(allowed.getStatus().getErrorResult(), equalTo(null));
    assertThat(allowed.getUserEmail(), equalTo("analyst@example.com"));
    Job denied =
        QueryJobsTest.waitDone(
            analyst,
            analyst.jobs().insert(PROJECT, query("a_secret", "SELECT x FROM secret.t")).execute());
    assertThat(denied.getStatus().getErrorResult().getReason(), equalTo("accessDenied"));
    assertThat(denied.getStatus().getErrorResult().getMessage(), containsString("secret.t"));
  }

  @Test
  public void loadIntoADatasetWithoutWriteAccessFailsAccessDenied() throws Exception {
    Path csv = BQ.server().gcsRoot().resolve("bucket").resolve("rows.csv");
    Files.createDirectories(csv.getParent());
    Files.writeString(csv, "1\n2\n");
    Bigquery analyst = clientWithToken("analyst-token");
    Job load =
        new Job()
            .setJobReference(
                new com.google.api.services.bigquery.model.JobReference()
                    .setProjectId(PROJECT)
                    .setJobId("a_load"))
            .setConfiguration(
                new com.google.api.services.bigquery.model.JobConfiguration()
                    .setLoad(
                        new com.google.api.services.bigquery.model.JobConfigurationLoad()
                            .setSourceUris(java.util.List.of("gs://bucket/rows.csv"))
                            .setAutodetect(true)
                            .setDestinationTable(
                                new com.google.api.services.bigquery.model.TableReference()
                                    .setProjectId(PROJECT)
                                    .setDatasetId("open")
                                    .setTableId("loaded"))));
    Job done = QueryJobsTest.waitDone(analyst, analyst.jobs().insert(PROJECT, load).execute());
    assertThat(done.getStatus().getErrorResult().getReason(), equalTo("accessDenied"));
    assertThat(
        done.getStatus().getErrorResult().getMessage(),
        containsString("bigquery.tables.updateData"));
  }

  @Test
  public void othersJobsAreHidden() throws Exception {
    Bigquery admin = clientWithToken("admin-token");
    admin.jobs().insert(PROJECT, query("admins_job", "SELECT 1")).execute();
    GoogleJsonResponseException e =
        assertThrows(
            GoogleJsonResponseException.class,
            () ->
                clientWithToken("analyst-token")
                    .jobs()
                    .get(PROJECT, "admins_job")
                    .setLocation("US")
                    .execute());
    assertThat(e.getStatusCode(), equalTo(403));
  }

  @Test
  public void nonLoopbackBindWithoutIamIsRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> LocalBigQuery.builder().host("0.0.0.0").start());
    assertThat(e.getMessage(), containsString("--iam"));
  }
}
