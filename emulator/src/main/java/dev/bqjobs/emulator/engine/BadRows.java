package dev.bqjobs.emulator.engine;

import com.google.api.services.bigquery.model.ErrorProto;
import dev.bqjobs.emulator.engine.Errors.JobFailure;
import java.util.ArrayList;
import java.util.List;

/**
 * The bad rows of a load: all counted, the first {@value #MAX_LISTED_ERRORS} listed for
 * status.errors, and the load failed as soon as there are more than {@code maxBadRecords}.
 */
final class BadRows {
  /** status.errors lists at most this many bad rows, as BigQuery lists the first errors only. */
  static final int MAX_LISTED_ERRORS = 100;

  private final String format;
  private final int limit;
  private long count;
  private final List<ErrorProto> listed = new ArrayList<>();

  /**
   * @param format the load's source format; messages name it CSV or JSON
   */
  BadRows(String format, Integer maxBadRecords) {
    this.format = format.equals("CSV") ? "CSV" : "JSON";
    this.limit = maxBadRecords == null ? 0 : maxBadRecords;
  }

  long count() {
    return count;
  }

  /** The listed bad rows, as warnings of a load that succeeded. */
  List<ErrorProto> listed() {
    return listed;
  }

  void add(String uri, long line, String message) throws JobFailure {
    count++;
    if (listed.size() < MAX_LISTED_ERRORS) {
      listed.add(
          new ErrorProto()
              .setReason("invalid")
              .setLocation(uri)
              .setMessage(
                  "Error while reading data, error message: "
                      + message
                      + " File: "
                      + uri
                      + "; line "
                      + line
                      + "."));
    }
    if (count > limit) {
      throw new JobFailure(
          "invalid",
          "Error while reading data, error message: "
              + format
              + " table encountered too many errors, giving up. Rows: "
              + line
              + "; errors: "
              + count
              + "; max bad: "
              + limit
              + ". Please look into the errors[] collection for more details.",
          listed);
    }
  }
}
