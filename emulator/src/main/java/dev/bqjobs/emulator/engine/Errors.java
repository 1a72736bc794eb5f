package dev.bqjobs.emulator.engine;

import com.google.api.services.bigquery.model.ErrorProto;
import dev.bqjobs.emulator.errors.BigQueryError;

/** Builds the {@link ErrorProto}s that go into a job's {@code status}. */
final class Errors {
  private Errors() {}

  static ErrorProto of(String reason, String message) {
    return new ErrorProto().setReason(reason).setMessage(message);
  }

  static ErrorProto of(BigQueryError e) {
    return of(e.reason(), e.getMessage());
  }

  /** A job-level failure: the job ends DONE with this errorResult. */
  static final class JobFailure extends Exception {
    final ErrorProto error;

    /** All of status.errors: the error first, then details such as the bad rows of a load. */
    final java.util.List<ErrorProto> errors;

    JobFailure(String reason, String message) {
      this(reason, message, java.util.List.of());
    }

    JobFailure(String reason, String message, java.util.List<ErrorProto> details) {
      super(message, null, false, false);
      this.error = of(reason, message);
      java.util.List<ErrorProto> all = new java.util.ArrayList<>();
      all.add(error);
      all.addAll(details);
      this.errors = java.util.List.copyOf(all);
    }
  }
}
