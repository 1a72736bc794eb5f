package dev.bqjobs.transforms;

import com.google.api.client.googleapis.json.GoogleJsonError;
import com.google.api.client.googleapis.json.GoogleJsonResponseException;
import com.google.api.client.http.HttpRequest;
import com.google.api.client.http.HttpRequestInitializer;
import com.google.api.client.http.HttpResponseException;
import com.google.api.client.http.HttpTransport;
import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.api.services.bigquery.Bigquery;
import com.google.api.services.bigquery.BigqueryScopes;
import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobCancelResponse;
import com.google.auth.Credentials;
import com.google.auth.http.HttpCredentialsAdapter;
import com.google.auth.oauth2.GoogleCredentials;
import java.io.IOException;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * {@link JobService} over the BigQuery v2 REST API ({@code google-api-services-bigquery}).
 *
 * <p>The HTTP client makes no retries of its own (no IOException handler, no backoff handler):
 * {@link RetryClassifier} decides, and a retried insert must reuse its job ID. The only repeated
 * request is the one the credentials adapter makes after refreshing an expired token on a 401.
 */
final class BigqueryJobService implements JobService {
  static final String DEFAULT_ROOT_URL = "https://bigquery.googleapis.com/";
  static final int CONNECT_TIMEOUT_MILLIS = 20_000;
  static final int READ_TIMEOUT_MILLIS = 60_000;

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
            auth.initialize(request); // sets the Authorization header and a 401 refresh handler
          }
          request.setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
          request.setReadTimeout(READ_TIMEOUT_MILLIS);
          request.setIOExceptionHandler(null);
          request.setNumberOfRetries(auth == null ? 0 : 1);
        };
    Bigquery client =
        new Bigquery.Builder(transport, CanonicalJson.JSON_FACTORY, initializer)
            .setRootUrl(rootUrl.endsWith("/") ? rootUrl : rootUrl + "/")
            .setApplicationName("bqjobs")
            .build();
    return new BigqueryJobService(client);
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
    return new JobServiceException(
        e.getStatusCode(), reason, message == null ? "HTTP " + e.getStatusCode() : message);
  }

  /**
   * Makes the service on the worker. Credentials: the given ones for any root URL; otherwise
   * Application Default Credentials for BigQuery itself and none for a custom root URL (a local
   * server).
   */
  static final class Factory implements JobService.Factory {
    private static final long serialVersionUID = 1L;

    private final String rootUrl;
    private final @Nullable Credentials credentials;

    Factory(String rootUrl, @Nullable Credentials credentials) {
      this.rootUrl = rootUrl;
      this.credentials = credentials;
    }

    @Override
    public JobService create() throws IOException {
      Credentials effective = credentials;
      if (effective == null && DEFAULT_ROOT_URL.equals(rootUrl)) {
        effective = GoogleCredentials.getApplicationDefault().createScoped(BigqueryScopes.all());
      }
      return BigqueryJobService.create(rootUrl, effective);
    }

    @Override
    public String toString() {
      // Never the credentials themselves.
      return "BigqueryJobService.Factory{"
          + rootUrl
          + ", credentials="
          + (credentials != null)
          + "}";
    }
  }
}
