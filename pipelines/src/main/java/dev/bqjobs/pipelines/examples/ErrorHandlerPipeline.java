package dev.bqjobs.pipelines.examples;

import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobConfigurationQuery;
import com.google.api.services.bigquery.model.TableReference;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.bqjobs.transforms.BigQueryJobs;
import dev.bqjobs.transforms.JobRequest;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.options.Validation;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.errorhandling.BadRecord;
import org.apache.beam.sdk.transforms.errorhandling.ErrorHandler.BadRecordErrorHandler;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * An example of sending failed BigQuery jobs to Beam's own error handling: one row-count query per
 * table of {@code --tables}, each writing {@code <table>_row_count}; a query that fails (here, a
 * table that does not exist) becomes a Beam {@link BadRecord} in the pipeline's dead-letter sink.
 *
 * <pre>
 * Requests -> RunRowCounts --failed, as BadRecords--> error handler -> WriteBadRecords (JSON lines)
 * </pre>
 *
 * <p>The handler is registered with {@link Pipeline#registerBadRecordErrorHandler} and given to
 * every transform that should report into it, here {@link BigQueryJobs.Run#withErrorHandler}; Beam
 * IOs that take an {@code ErrorHandler<BadRecord, ?>} can share it. It must be closed (the end of
 * the try-with-resources block) before the pipeline runs. {@code failed()} still holds every
 * failure as a {@code JobResult}, for a pipeline that wants to act on them itself (see {@link
 * ChainedReportPipeline}).
 *
 * <p>Run it against a local server ({@code --bigQueryEndpoint=http://127.0.0.1:9050/}) or BigQuery
 * ({@code --project=...}); the dataset must exist.
 */
public final class ErrorHandlerPipeline {

  /** Options of the example; {@code --project} and {@code --bigQueryEndpoint} are Beam's. */
  public interface Options extends BigQueryOptions {
    @Description("Dataset of the tables to count, and of the row-count tables (must exist).")
    @Default.String("demo")
    String getDataset();

    void setDataset(String dataset);

    @Description("Tables to count, comma-separated.")
    @Default.String("orders,customers")
    List<String> getTables();

    void setTables(List<String> tables);

    @Description("Prefix of the bad-record files (one JSON object per line).")
    @Validation.Required
    String getBadRecordPrefix();

    void setBadRecordPrefix(String badRecordPrefix);

    @Description("Run token of the job IDs: rerunning with the same token reattaches.")
    String getRunToken();

    void setRunToken(String runToken);
  }

  private ErrorHandlerPipeline() {}

  public static void main(String[] args) {
    Options options = PipelineOptionsFactory.fromArgs(args).withValidation().as(Options.class);
    run(options).waitUntilFinish();
  }

  /** Builds and starts the pipeline. */
  public static PipelineResult run(Options options) {
    Pipeline p = Pipeline.create(options);
    List<JobRequest> requests =
        options.getTables().stream()
            .map(table -> rowCount(options.getDataset(), table))
            .collect(Collectors.toList());
    try (BadRecordErrorHandler<PDone> badRecords =
        p.registerBadRecordErrorHandler(new WriteBadRecords(options.getBadRecordPrefix()))) {
      p.apply("Requests", Create.of(requests))
          .apply("RunRowCounts", runJobs(options).withErrorHandler(badRecords));
      // The result's succeeded() feeds a next stage as in ChainedReportPipeline; the failures
      // need no glue code: the handler collects them, with every other transform's bad records.
    }
    return p.run();
  }

  private static BigQueryJobs.Run runJobs(Options options) {
    BigQueryJobs.Run run = BigQueryJobs.run().withJobIdPrefix("row_counts");
    if (options.getBigQueryEndpoint() != null) {
      run = run.withRootUrl(options.getBigQueryEndpoint());
    }
    if (options.getProject() != null) {
      run = run.withProject(options.getProject());
    }
    if (options.getRunToken() != null) {
      run = run.withRunToken(options.getRunToken());
    }
    return run;
  }

  static JobRequest rowCount(String dataset, String table) {
    return JobRequest.of(
            new JobConfiguration()
                .setQuery(
                    new JobConfigurationQuery()
                        .setQuery("SELECT COUNT(*) AS row_count FROM " + dataset + "." + table)
                        .setUseLegacySql(false)
                        .setDestinationTable(
                            new TableReference()
                                .setDatasetId(dataset)
                                .setTableId(table + "_row_count"))
                        .setWriteDisposition("WRITE_TRUNCATE")))
        .withKey("count_" + table);
  }

  /** The handler's sink: each bad record as one JSON line, {@code {"record", "failure"}}. */
  static final class WriteBadRecords extends PTransform<PCollection<BadRecord>, PDone> {
    private static final long serialVersionUID = 1L;
    private final String prefix;

    WriteBadRecords(String prefix) {
      this.prefix = prefix;
    }

    @Override
    public PDone expand(PCollection<BadRecord> badRecords) {
      return badRecords
          .apply("ToJson", MapElements.into(TypeDescriptors.strings()).via(WriteBadRecords::json))
          .apply("Write", TextIO.write().to(prefix).withSuffix(".jsonl"));
    }

    static String json(BadRecord badRecord) {
      JsonObject line = new JsonObject();
      String record = badRecord.getRecord().getHumanReadableJsonRecord();
      try {
        // bqjobs' record is JSON already: nest it as an object, not as an escaped string.
        line.add("record", JsonParser.parseString(record));
      } catch (RuntimeException notJson) {
        // Another transform sharing the handler may give null or a toString() instead of JSON.
        line.addProperty("record", record);
      }
      line.addProperty("failure", badRecord.getFailure().getDescription());
      return line.toString();
    }
  }
}
