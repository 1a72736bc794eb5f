package dev.bqjobs.emulator.engine;

import com.google.api.services.bigquery.model.ErrorProto;
import dev.bqjobs.emulator.http.ApiException;

/** Builds the {@link ErrorProto}s that go into a job's {@code status}. */
final class Errors {
  private Errors() {}

  static ErrorProto of(String reason, String message) {
    return new ErrorProto().setReason(reason).setMessage(message);
  }

  static ErrorProto of(ApiException e) {
    return of(e.reason(), e.getMessage());
  }

  /** A job-level failure: the job ends DONE with this errorResult. */
  static final class JobFailure extends Exception {
    final ErrorProto error;

    JobFailure(String reason, String message) {
      super(message, null, false, false);
      this.error = of(reason, message);
    }
  }
}
