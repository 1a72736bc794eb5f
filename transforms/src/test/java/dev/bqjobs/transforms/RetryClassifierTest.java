package dev.bqjobs.transforms;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.google.api.services.bigquery.model.ErrorProto;
import java.io.IOException;
import java.net.SocketTimeoutException;
import org.junit.Test;

public class RetryClassifierTest {

  private static JobServiceException http(int code, String reason) {
    return new JobServiceException(code, reason, "message");
  }

  @Test
  public void transientRequestErrorsAreRetried() {
    assertTrue(RetryClassifier.isTransient(http(500, "backendError")));
    assertTrue(RetryClassifier.isTransient(http(503, null)));
    assertTrue(RetryClassifier.isTransient(http(502, "badGateway")));
    assertTrue(RetryClassifier.isTransient(http(500, "internalError")));
    assertTrue(RetryClassifier.isTransient(http(429, null)));
    assertTrue(RetryClassifier.isTransient(http(403, "rateLimitExceeded")));
    assertTrue(RetryClassifier.isTransient(http(400, "tableUnavailable")));
    assertTrue(RetryClassifier.isTransient(new SocketTimeoutException("read timed out")));
    assertTrue(RetryClassifier.isTransient(new IOException("Connection reset")));
  }

  @Test
  public void rateLimitAnswersAskToSlowDown() {
    assertTrue(RetryClassifier.isRateLimited(http(403, "rateLimitExceeded")));
    assertTrue(RetryClassifier.isRateLimited(http(429, null)));
    assertFalse(RetryClassifier.isRateLimited(http(503, "backendError")));
    assertFalse(RetryClassifier.isRateLimited(http(403, "quotaExceeded")));
    assertFalse(RetryClassifier.isRateLimited(new IOException("Connection reset")));
  }

  @Test
  public void permanentRequestErrorsAreNot() {
    assertFalse(RetryClassifier.isTransient(http(403, "accessDenied")));
    assertFalse(RetryClassifier.isTransient(http(403, "billingNotEnabled")));
    assertFalse(RetryClassifier.isTransient(http(403, "quotaExceeded")));
    assertFalse(RetryClassifier.isTransient(http(400, "invalid")));
    assertFalse(RetryClassifier.isTransient(http(400, "invalidQuery")));
    assertFalse(RetryClassifier.isTransient(http(404, "notFound")));
    assertFalse(RetryClassifier.isTransient(http(409, "duplicate")));
    assertFalse(RetryClassifier.isTransient(new IllegalStateException()));
  }

  @Test
  public void conflictsAndNotFoundAreRecognised() {
    assertTrue(RetryClassifier.isAlreadyExists(http(409, "duplicate")));
    assertFalse(RetryClassifier.isAlreadyExists(http(400, "duplicate")));
    assertTrue(RetryClassifier.isNotFound(http(404, "notFound")));
  }

  @Test
  public void retryableJobFailuresAreRerun() {
    for (String reason :
        new String[] {
          "backendError",
          "internalError",
          "jobBackendError",
          "jobInternalError",
          "jobRateLimitExceeded",
          "rateLimitExceeded"
        }) {
      assertTrue(reason, RetryClassifier.isRerunnable(new ErrorProto().setReason(reason)));
    }
    // duplicate inside a job (e.g. WRITE_EMPTY into a non-empty table) is an ordinary failure.
    for (String reason : new String[] {"duplicate", "invalid", "invalidQuery", "stopped"}) {
      assertFalse(reason, RetryClassifier.isRerunnable(new ErrorProto().setReason(reason)));
    }
    assertFalse(RetryClassifier.isRerunnable(null));
  }

  @Test
  public void reasons() {
    assertEquals("accessDenied", RetryClassifier.reasonOf(http(403, "accessDenied")));
    assertEquals("backendError", RetryClassifier.reasonOf(http(503, null)));
    assertEquals("backendError", RetryClassifier.reasonOf(new IOException("reset")));
  }

  @Test
  public void backoffGrowsIsCappedAndJittered() {
    assertEquals(1000, Backoff.delayMillis(1000, 30_000, 0, 0.5));
    assertEquals(1500, Backoff.delayMillis(1000, 30_000, 1, 0.5));
    assertEquals(30_000, Backoff.delayMillis(1000, 30_000, 50, 0.5));
    assertEquals(30_000, Backoff.delayMillis(1000, 30_000, 50, 0.99));
    assertEquals(800, Backoff.delayMillis(1000, 30_000, 0, 0.0));
    assertEquals(24_000, Backoff.delayMillis(1000, 30_000, 50, 0.0));
  }
}
