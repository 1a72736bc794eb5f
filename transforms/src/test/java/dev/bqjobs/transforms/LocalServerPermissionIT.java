package dev.bqjobs.transforms;

import static dev.bqjobs.transforms.LocalServerSupport.countAll;
import static dev.bqjobs.transforms.LocalServerSupport.describe;
import static dev.bqjobs.transforms.LocalServerSupport.query;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import dev.bqjobs.emulator.LocalBigQueryRule;
import dev.bqjobs.emulator.testing.IamPolicy;
import java.nio.file.Path;
import java.util.Date;
import java.util.List;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * Credentials over HTTP against a server with access control: the token is sent; a principal
 * without {@code bigquery.jobs.create} gets a FAILED {@code accessDenied} result that names the
 * permission and the roles that grant it, at once (no retries).
 */
public class LocalServerPermissionIT {
  static final String P = "iam-project";
  static final Path POLICY = writePolicy();

  @ClassRule public static final LocalBigQueryRule BQ = new LocalBigQueryRule(b -> b.iam(POLICY));
  @Rule public final transient TestPipeline p = TestPipeline.create();

  static Path writePolicy() {
    return IamPolicy.create()
        .principal("analyst-token", "analyst@example.com")
        .principal("viewer-token", "viewer@example.com")
        .grant("roles/bigquery.jobUser", "iam-project", "analyst@example.com")
        .grant("roles/bigquery.dataViewer", "iam-project", "viewer@example.com")
        .writeTemporary();
  }

  private static BigQueryJobs.Run transform(String token) {
    return BigQueryJobs.run()
        .withRootUrl(BQ.rootUrl())
        .withProject(P)
        .withLocation("US")
        .withRunToken("iam_" + token.replace('-', '_'))
        .withCredentials(GoogleCredentials.create(new AccessToken(token, null)))
        .withPollBackoff(Duration.millis(20), Duration.millis(200));
  }

  @Test
  public void withoutJobsListPermissionTheJobsArePolledOneByOne() {
    // roles/bigquery.jobUser lacks bigquery.jobs.list: the fleet's list is refused (403) and the
    // transform polls each job instead; every job still ends with its result.
    long listsBefore = countAll(BQ.server(), "jobs.list");
    List<JobRequest> requests = new java.util.ArrayList<>();
    List<String> expected = new java.util.ArrayList<>();
    for (int i = 0; i < 12; i++) {
      requests.add(
          query("SELECT " + i + " AS x", "l" + i)
              .withLabels(java.util.Map.of("bqjobs-emulator-runtime-ms", "800")));
      expected.add("l" + i + ":SUCCEEDED");
    }
    BigQueryJobs.Result analyst =
        p.apply(Create.of(requests))
            .apply("NoList", transform("analyst-token").withRunToken("iam_nolist"));
    PAssert.that(describe(analyst.succeeded(), "sl")).containsInAnyOrder(expected);
    PAssert.that(analyst.failed()).empty();
    p.run().waitUntilFinish();
    long lists = countAll(BQ.server(), "jobs.list") - listsBefore;
    assertThat(lists >= 1 && lists <= 2, equalTo(true)); // refused, then never asked again
    assertThat(BQ.server().requestCounts().get("jobs.list 403"), notNullValue());
  }

  @Test
  public void aPrincipalWithoutJobsCreateIsDeniedNamingPermissionAndRoles() {
    long deniedBefore = countAll(BQ.server(), "jobs.insert");
    PCollection<JobRequest> requests = p.apply(Create.of(query("SELECT 1 AS x", "q")));
    BigQueryJobs.Result viewer = requests.apply("AsViewer", transform("viewer-token"));
    BigQueryJobs.Result analyst = requests.apply("AsAnalyst", transform("analyst-token"));

    PAssert.that(viewer.succeeded()).empty();
    PAssert.that(viewer.succeededWithWarnings()).empty();
    PAssert.that(describe(viewer.failed(), "fv")).containsInAnyOrder("q:FAILED:accessDenied");
    PAssert.that(viewer.failed())
        .satisfies(
            rs -> {
              JobResult r = rs.iterator().next();
              assertThat(
                  r.getErrorResult().getMessage(),
                  allOf(
                      containsString("bigquery.jobs.create"),
                      containsString("iam-project"),
                      containsString("bigquery.user"),
                      containsString("bigquery.jobUser"),
                      containsString("bigquery.admin"),
                      not(containsString("viewer-token"))));
              assertThat(r.getJob(), nullValue());
              assertThat(r.getAttemptJobIds(), hasSize(1));
              return null;
            });
    // The same request with a token that may create jobs runs.
    PAssert.that(describe(analyst.succeeded(), "sa")).containsInAnyOrder("q:SUCCEEDED");
    PAssert.that(analyst.succeededWithWarnings()).empty();
    PAssert.that(analyst.failed()).empty();
    p.run().waitUntilFinish();

    // Denied once, not retried: one refused insert and one accepted one.
    assertThat(BQ.server().requestCounts().get("jobs.insert 403"), equalTo(1L));
    assertThat(countAll(BQ.server(), "jobs.insert") - deniedBefore, equalTo(2L));
  }

  @Test
  public void credentialsThatCannotBeRefreshedAreFailedNotACrashedPipeline() {
    // A fixed token cannot be refreshed: the credentials adapter's refresh throws
    // IllegalStateException, once after the server's 401 (unknown token) and once before the
    // request (expired token). Either must be one FAILED result, not a failed pipeline.
    PCollection<JobRequest> requests = p.apply(Create.of(query("SELECT 1 AS x", "q")));
    BigQueryJobs.Result unknown = requests.apply("Unknown", transform("stolen-token"));
    BigQueryJobs.Result expired =
        requests.apply(
            "Expired",
            transform("analyst-token")
                .withRunToken("iam_expired")
                .withCredentials(
                    GoogleCredentials.create(new AccessToken("analyst-token", new Date(0)))));
    for (BigQueryJobs.Result result : List.of(unknown, expired)) {
      PAssert.that(result.succeeded()).empty();
      PAssert.that(result.succeededWithWarnings()).empty();
    }
    PAssert.that(unknown.failed())
        .satisfies(
            rs -> {
              JobResult r = rs.iterator().next();
              assertThat(r.getKey(), equalTo("q"));
              assertThat(r.getErrorResult().getMessage(), containsString("HTTP 401"));
              assertThat(r.getErrorResult().getMessage(), not(containsString("stolen-token")));
              return null;
            });
    PAssert.that(describe(expired.failed(), "fe")).containsInAnyOrder("q:FAILED:authError");
    PAssert.that(describe(unknown.failed(), "fu")).containsInAnyOrder("q:FAILED:authError");
    PAssert.that(expired.failed())
        .satisfies(
            rs -> {
              JobResult r = rs.iterator().next();
              assertThat(
                  r.getErrorResult().getMessage(),
                  allOf(
                      containsString("could not provide an access token"),
                      not(containsString("analyst-token"))));
              return null;
            });
    long insertsBefore = countAll(BQ.server(), "jobs.insert");
    p.run().waitUntilFinish();
    // The unknown token was sent once (no blind retry), the expired one never.
    assertThat(countAll(BQ.server(), "jobs.insert") - insertsBefore, equalTo(1L));
  }
}
