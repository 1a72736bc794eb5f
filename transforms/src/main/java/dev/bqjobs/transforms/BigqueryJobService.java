package dev.bqjobs.transforms;

import com.google.api.client.googleapis.json.GoogleJsonError;
import com.google.api.client.googleapis.json.GoogleJsonResponseException;
import com.google.api.client.http.HttpRequest;
import com.google.api.client.http.HttpRequestInitializer;
import com.google.api.client.http.HttpResponseException;
import com.google.api.client.http.HttpTransport;
import com.google.api.client.http.HttpUnsuccessfulResponseHandler;
import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.api.services.bigquery.Bigquery;
import com.google.api.services.bigquery.BigqueryScopes;
import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobCancelResponse;
import com.google.api.services.bigquery.model.JobList;
import com.google.auth.Credentials;
import com.google.auth.http.HttpCredentialsAdapter;
import com.google.auth.oauth2.GoogleCredentials;
import java.io.IOException;
import java.math.BigInteger;
import java.util.List;
import java.util.logging.Level;
import org.apache.beam.sdk.extensions.gcp.options.GcpOptions;
import org.apache.beam.sdk.options.PipelineOptions;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link JobService} over the BigQuery v2 REST API ({@code google-api-services-bigquery}).
 *
 * <p>The HTTP client makes no retries of its own (no IOException handler, no backoff handler):
 * {@link RetryClassifier} decides, and a retried insert must reuse its job ID. The only repeated
 * request is the one the credentials adapter makes after refreshing an expired token on a 401.
 * Requests that carry credentials are never logged with their headers: with the logger {@code
 * com.google.api.client.http.HttpTransport} at {@code ALL}, google-http-client would log the bearer
 * token.
 */
final class BigqueryJobService implements JobService {
  private static final Logger LOG = LoggerFactory.getLogger(BigqueryJobService.class);
  static final String DEFAULT_ROOT_URL = "https://bigquery.googleapis.com/";
  static final int CONNECT_TIMEOUT_MILLIS = 20_000;
  static final int READ_TIMEOUT_MILLIS = 60_000;

  /** google-http-client's request logger. */
  private static final java.util.logging.Logger HTTP_LOG =
      java.util.logging.Logger.getLogger(HttpTransport.class.getName());

  private static final List<String> ACTIVE_STATES = List.of("pending", "running");
  private static final List<String> DONE_STATES = List.of("done");

  private final Bigquery client;

  BigqueryJobService(Bigquery client) {
    this.client = client;
  }

  static BigqueryJobService create(String rootUrl, @Nullable Credentials credentials) {
    HttpTransport transport = new NetHttpTransport();
    HttpCredentialsAdapter auth =
        credentials == null ? null : new HttpCredentialsAdapter(credentials);
    HttpRequestInitializer initializer =
        (HttpRequest request) -> {
          if (auth != null) {
            initializeAuth(auth, request);
          }
          request.setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
          request.setReadTimeout(READ_TIMEOUT_MILLIS);
          request.setIOExceptionHandler(null);
          request.setNumberOfRetries(auth == null ? 0 : 1);
          if (auth != null && HTTP_LOG.isLoggable(Level.ALL)) {
            // google-http-client writes the Authorization header in clear when its logger is at
            // Level.ALL (at CONFIG it writes "<Not Logged>"): never log credentialed requests then.
            request.setLoggingEnabled(false);
            request.setCurlLoggingEnabled(false);
          }
        };
    Bigquery client =
        new Bigquery.Builder(transport, CanonicalJson.JSON_FACTORY, initializer)
            .setRootUrl(rootUrl.endsWith("/") ? rootUrl : rootUrl + "/")
            .setApplicationName("bqjobs")
            .build();
    return new BigqueryJobService(client);
  }

  /**
   * Sets the Authorization header and the adapter's 401 handler (refresh the credentials, send once
   * more). The adapter lets a RuntimeException from refreshing escape, e.g. the {@code
   * IllegalStateException} of credentials made from a fixed {@code AccessToken}, which cannot be
   * refreshed: that escaped {@code execute()} and the DoFn, failing the whole pipeline for one bad
   * token (guarantee 4). Such a failure is now an answer: at request time a 401 {@code authError}
   * (not retried: the credentials will not get better), after a 401 answer no second try, so the
   * server's own 401 is reported. Messages never include the credentials.
   */
  private static void initializeAuth(HttpCredentialsAdapter auth, HttpRequest request)
      throws IOException {
    try {
      auth.initialize(request);
    } catch (RuntimeException e) {
      throw new JobServiceException(
          401, "authError", "the credentials could not provide an access token: " + e.getMessage());
    }
    HttpUnsuccessfulResponseHandler refresh = request.getUnsuccessfulResponseHandler();
    if (refresh != null) {
      request.setUnsuccessfulResponseHandler(
          (req, response, supportsRetry) -> {
            try {
              return refresh.handleResponse(req, response, supportsRetry);
            } catch (RuntimeException e) {
              LOG.warn(
                  "BigQuery answered HTTP {} and the credentials could not be refreshed: {}",
                  response.getStatusCode(),
                  e.getMessage());
              return false;
            }
          });
    }
  }

  @Override
  public Job insert(String projectId, Job job) throws IOException {
    try {
      return client.jobs().insert(projectId, job).execute();
    } catch (HttpResponseException e) {
      throw translate(e);
    }
  }

  @Override
  public Job get(String projectId, String jobId, @Nullable String location) throws IOException {
    try {
      return client.jobs().get(projectId, jobId).setLocation(location).execute();
    } catch (HttpResponseException e) {
      throw translate(e);
    }
  }

  @Override
  public JobList listActive(String projectId, long minCreationTime, @Nullable String pageToken)
      throws IOException {
    return list(projectId, ACTIVE_STATES, "minimal", minCreationTime, pageToken);
  }

  @Override
  public JobList listDone(String projectId, long minCreationTime, @Nullable String pageToken)
      throws IOException {
    return list(projectId, DONE_STATES, "full", minCreationTime, pageToken);
  }

  private JobList list(
      String projectId,
      List<String> states,
      String projection,
      long minCreationTime,
      @Nullable String pageToken)
      throws IOException {
    try {
      return client
          .jobs()
          .list(projectId)
          .setStateFilter(states)
          .setProjection(projection)
          .setMinCreationTime(BigInteger.valueOf(minCreationTime))
          .setMaxResults(1000L)
          .setPageToken(pageToken)
          .execute();
    } catch (HttpResponseException e) {
      throw translate(e);
    }
  }

  @Override
  public Job cancel(String projectId, String jobId, @Nullable String location) throws IOException {
    try {
      JobCancelResponse response =
          client.jobs().cancel(projectId, jobId).setLocation(location).execute();
      return response.getJob();
    } catch (HttpResponseException e) {
      throw translate(e);
    }
  }

  /** An HTTP error answer as status code, first error reason and message. */
  static JobServiceException translate(HttpResponseException e) {
    String reason = null;
    String message = e.getStatusMessage();
    if (e instanceof GoogleJsonResponseException) {
      GoogleJsonError details = ((GoogleJsonResponseException) e).getDetails();
      if (details != null) {
        if (details.getMessage() != null) {
          message = details.getMessage();
        }
        if (details.getErrors() != null && !details.getErrors().isEmpty()) {
          reason = details.getErrors().get(0).getReason();
          if (message == null) {
            message = details.getErrors().get(0).getMessage();
          }
        }
      }
    }
    if (reason == null && e.getStatusCode() == 401) {
      // The JDK's HttpURLConnection drops the body of a 401 to a POST sent in streaming mode (as
      // jobs.insert is), so BigQuery's reason is lost: it is authError for an invalid token.
      reason = "authError";
    }
    return new JobServiceException(
        e.getStatusCode(), reason, message == null ? "HTTP " + e.getStatusCode() : message);
  }

  /**
   * Makes the service on the worker, with credentials built there: nothing secret travels in the
   * pipeline graph, templates or staged files. In order: the deprecated serialised credentials if
   * given; the user's {@link BigQueryJobs.CredentialFactory} if given; against BigQuery itself, the
   * worker's {@code GcpOptions} credential, as Beam's BigQueryIO uses it ({@code
   * --credentialFactoryClass}, {@code --impersonateServiceAccount}, Application Default
   * Credentials); against a custom root URL (a local server), none.
   */
  static final class Factory implements JobService.Factory {
    private static final long serialVersionUID = 2L;

    private final String rootUrl;
    private final BigQueryJobs.@Nullable CredentialFactory credentialFactory;
    private final @Nullable Credentials serialisedCredentials;

    Factory(
        String rootUrl,
        BigQueryJobs.@Nullable CredentialFactory credentialFactory,
        @Nullable Credentials serialisedCredentials) {
      this.rootUrl = rootUrl;
      this.credentialFactory = credentialFactory;
      this.serialisedCredentials = serialisedCredentials;
    }

    @Override
    public JobService create() throws IOException {
      return create(null);
    }

    @Override
    public JobService create(@Nullable PipelineOptions options) throws IOException {
      return BigqueryJobService.create(rootUrl, credentials(options));
    }

    private @Nullable Credentials credentials(@Nullable PipelineOptions options)
        throws IOException {
      if (serialisedCredentials != null) {
        return serialisedCredentials;
      }
      if (credentialFactory != null) {
        return credentialFactory.create(options);
      }
      if (!DEFAULT_ROOT_URL.equals(rootUrl)) {
        return null; // a local server or proxy gets no credentials unless asked
      }
      if (options != null) {
        Credentials fromOptions = options.as(GcpOptions.class).getGcpCredential();
        if (fromOptions != null) {
          return fromOptions;
        }
      }
      return GoogleCredentials.getApplicationDefault().createScoped(BigqueryScopes.all());
    }

    @Override
    public String toString() {
      // Never the credentials themselves.
      return "BigqueryJobService.Factory{"
          + rootUrl
          + ", credentials="
          + (serialisedCredentials != null
              ? "serialised"
              : credentialFactory != null ? "factory" : "default")
          + "}";
    }
  }
}
