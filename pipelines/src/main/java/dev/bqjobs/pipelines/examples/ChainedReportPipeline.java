package dev.bqjobs.pipelines.examples;

import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobConfigurationExtract;
import com.google.api.services.bigquery.model.JobConfigurationLoad;
import com.google.api.services.bigquery.model.JobConfigurationQuery;
import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.api.services.bigquery.model.TableReference;
import com.google.api.services.bigquery.model.TableSchema;
import com.google.gson.JsonPrimitive;
import dev.bqjobs.transforms.BigQueryJobs;
import dev.bqjobs.transforms.JobRequest;
import dev.bqjobs.transforms.JobResult;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.options.Validation;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * An example of chaining BigQuery jobs in a Beam pipeline: two loads, then (only if both loaded) a
 * query that builds a report table, then an extract of that table; every failed result, of any
 * stage, is written as a dead letter.
 *
 * <pre>
 * LoadRequests -> RunLoads --succeeded + warnings--> CountLoaded -> ReportRequest -> RunReport
 *                     |                                                               |
 *                     |                                    succeeded: the Job resource
 *                     |                                    (resolved destination table)
 *                     |                                                               v
 *                     |                                      ExtractRequest -> RunExtract
 *                     +--failed--------+--failed (report)--+--failed (extract)--> DeadLetters
 * </pre>
 *
 * <h2>How the three outputs feed the next stage</h2>
 *
 * <p>{@link BigQueryJobs#run()} returns {@link BigQueryJobs.Result} with {@code succeeded()},
 * {@code succeededWithWarnings()} and {@code failed()}; every request is in exactly one.
 *
 * <ul>
 *   <li><b>Build the next stage's requests from the results</b>, not from a side channel: a {@link
 *       JobResult} carries the final {@link Job} resource, so the extract below reads the table the
 *       report query actually wrote ({@code getJob().getConfiguration().getQuery()
 *       .getDestinationTable()}). A next stage computed from an output cannot start before that
 *       output exists, so no explicit barrier is needed.
 *   <li><b>Gate on success</b> by counting: {@link Count#globally()} gives one element even for an
 *       empty input, so the gate always fires once, after every load has ended, and emits the
 *       report request only when all loads succeeded. A load that succeeded with warnings (bad rows
 *       skipped within {@code maxBadRecords}) counts as loaded here; treat it as you need.
 *   <li><b>To only wait</b>, without using the results, apply {@code Wait.on(result.succeeded(),
 *       result.succeededWithWarnings(), result.failed())} to the next stage's requests.
 *   <li><b>Failures are data</b>: flatten the {@code failed()} outputs of all stages into one dead
 *       letter sink (here JSON lines via {@code TextIO}); {@link JobResult#getErrorResult()} says
 *       why. A stage that did not run because its gate stayed closed produces no result. A pipeline
 *       with a Beam error handler can instead give it to every stage with {@code withErrorHandler}
 *       ({@link ErrorHandlerPipeline}).
 * </ul>
 *
 * <p>Run it against a local server ({@code --bigQueryEndpoint=http://127.0.0.1:9050/} with the
 * server's {@code --gcs-root} holding {@code demo-bucket/input/...}) or BigQuery ({@code
 * --project=...}); the dataset must exist.
 */
public final class ChainedReportPipeline {

  /** Options of the example; {@code --project} and {@code --bigQueryEndpoint} are Beam's. */
  public interface Options extends BigQueryOptions {
    @Description("Dataset for the loaded tables and the report (must exist).")
    @Default.String("demo")
    String getDataset();

    void setDataset(String dataset);

    @Description("CSV of orders: order_id, customer, amount, order_date (with a header row).")
    @Default.String("gs://demo-bucket/input/orders.csv")
    String getOrdersUri();

    void setOrdersUri(String ordersUri);

    @Description("Newline-delimited JSON of customers: customer, country, signup_date.")
    @Default.String("gs://demo-bucket/input/customers.ndjson")
    String getCustomersUri();

    void setCustomersUri(String customersUri);

    @Description("Where the report is extracted to (CSV).")
    @Default.String("gs://demo-bucket/output/sales_by_country.csv")
    String getReportUri();

    void setReportUri(String reportUri);

    @Description("Prefix of the dead-letter files (failed results as JSON lines).")
    @Validation.Required
    String getDeadLetterPrefix();

    void setDeadLetterPrefix(String deadLetterPrefix);

    @Description("Run token of the job IDs: rerunning with the same token reattaches.")
    String getRunToken();

    void setRunToken(String runToken);
  }

  static final String REPORT_TABLE = "sales_by_country";
  static final List<String> LOAD_KEYS = List.of("load_orders", "load_customers");

  private ChainedReportPipeline() {}

  public static void main(String[] args) {
    Options options = PipelineOptionsFactory.fromArgs(args).withValidation().as(Options.class);
    run(options).waitUntilFinish();
  }

  /** Builds and starts the pipeline. */
  public static PipelineResult run(Options options) {
    Pipeline p = Pipeline.create(options);
    BigQueryJobs.Run runJobs = runJobs(options);

    BigQueryJobs.Result loaded =
        p.apply("LoadRequests", Create.of(loadOrders(options), loadCustomers(options)))
            .apply("RunLoads", runJobs);

    BigQueryJobs.Result report =
        PCollectionList.of(loaded.succeeded())
            .and(loaded.succeededWithWarnings())
            .apply("LoadedTables", Flatten.pCollections())
            .apply("CountLoaded", Count.globally())
            .apply("ReportRequest", ParDo.of(new ReportWhenAllLoaded(options.getDataset())))
            .apply("RunReport", runJobs);

    BigQueryJobs.Result extracted =
        report
            .succeeded()
            .apply("ExtractRequest", ParDo.of(new ExtractReport(options.getReportUri())))
            .apply("RunExtract", runJobs);

    PCollectionList.of(loaded.failed())
        .and(report.failed())
        .and(extracted.failed())
        .apply("AllFailed", Flatten.pCollections())
        .apply(
            "DeadLetterJson",
            MapElements.into(TypeDescriptors.strings()).via(ChainedReportPipeline::deadLetter))
        .setCoder(StringUtf8Coder.of())
        .apply(
            "WriteDeadLetters",
            TextIO.write().to(options.getDeadLetterPrefix()).withSuffix(".jsonl"));
    return p.run();
  }

  private static BigQueryJobs.Run runJobs(Options options) {
    BigQueryJobs.Run run = BigQueryJobs.run().withJobIdPrefix("chained_report");
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

  static JobRequest loadOrders(Options options) {
    return JobRequest.of(
            new JobConfiguration()
                .setLoad(
                    new JobConfigurationLoad()
                        .setSourceUris(List.of(options.getOrdersUri()))
                        .setSourceFormat("CSV")
                        .setSkipLeadingRows(1)
                        .setMaxBadRecords(10)
                        .setSchema(
                            schema(
                                field("order_id", "INTEGER"),
                                field("customer", "STRING"),
                                field("amount", "FLOAT"),
                                field("order_date", "DATE")))
                        .setDestinationTable(table(options.getDataset(), "orders"))
                        .setWriteDisposition("WRITE_TRUNCATE")))
        .withKey(LOAD_KEYS.get(0));
  }

  static JobRequest loadCustomers(Options options) {
    return JobRequest.of(
            new JobConfiguration()
                .setLoad(
                    new JobConfigurationLoad()
                        .setSourceUris(List.of(options.getCustomersUri()))
                        .setSourceFormat("NEWLINE_DELIMITED_JSON")
                        .setSchema(
                            schema(
                                field("customer", "STRING"),
                                field("country", "STRING"),
                                field("signup_date", "DATE")))
                        .setDestinationTable(table(options.getDataset(), "customers"))
                        .setWriteDisposition("WRITE_TRUNCATE")))
        .withKey(LOAD_KEYS.get(1));
  }

  /** Emits the report query once, and only if every load succeeded (with or without warnings). */
  static final class ReportWhenAllLoaded extends DoFn<Long, JobRequest> {
    private static final long serialVersionUID = 1L;
    private final String dataset;

    ReportWhenAllLoaded(String dataset) {
      this.dataset = dataset;
    }

    @ProcessElement
    public void process(@Element Long loadedCount, OutputReceiver<JobRequest> out) {
      if (loadedCount < LOAD_KEYS.size()) {
        return; // a load failed: its dead letter says why; the report would be incomplete
      }
      String sql =
          "SELECT c.country, COUNT(*) AS orders, ROUND(SUM(o.amount), 2) AS revenue"
              + " FROM "
              + dataset
              + ".orders AS o JOIN "
              + dataset
              + ".customers AS c ON o.customer = c.customer"
              + " GROUP BY c.country ORDER BY revenue DESC";
      out.output(
          JobRequest.of(
                  new JobConfiguration()
                      .setQuery(
                          new JobConfigurationQuery()
                              .setQuery(sql)
                              .setUseLegacySql(false)
                              .setDestinationTable(table(dataset, REPORT_TABLE))
                              .setWriteDisposition("WRITE_TRUNCATE")))
              .withKey("report"));
    }
  }

  /** Builds the extract from the report job BigQuery returned: its resolved destination table. */
  static final class ExtractReport extends DoFn<JobResult, JobRequest> {
    private static final long serialVersionUID = 1L;
    private final String destinationUri;

    ExtractReport(String destinationUri) {
      this.destinationUri = destinationUri;
    }

    @ProcessElement
    public void process(@Element JobResult report, OutputReceiver<JobRequest> out) {
      TableReference written = report.getJob().getConfiguration().getQuery().getDestinationTable();
      out.output(
          JobRequest.of(
                  new JobConfiguration()
                      .setExtract(
                          new JobConfigurationExtract()
                              .setSourceTable(written)
                              .setDestinationUris(List.of(destinationUri))
                              .setDestinationFormat("CSV")))
              .withKey("extract_" + report.getKey()));
    }
  }

  /** A dead letter: the key, the outcome's reason and message, and the attempted job IDs. */
  static String deadLetter(JobResult failed) {
    String reason = failed.getErrorResult() == null ? "" : failed.getErrorResult().getReason();
    String message = failed.getErrorResult() == null ? "" : failed.getErrorResult().getMessage();
    return "{\"key\":"
        + quote(failed.getKey())
        + ",\"reason\":"
        + quote(reason)
        + ",\"message\":"
        + quote(message)
        + ",\"attempts\":"
        + failed.getAttemptJobIds().stream()
            .map(ChainedReportPipeline::quote)
            .toList()
            .toString()
            .replace(", ", ",")
        + "}";
  }

  private static String quote(String s) {
    return new JsonPrimitive(s == null ? "" : s).toString();
  }

  private static TableReference table(String dataset, String table) {
    return new TableReference().setDatasetId(dataset).setTableId(table);
  }

  private static TableSchema schema(TableFieldSchema... fields) {
    return new TableSchema().setFields(List.of(fields));
  }

  private static TableFieldSchema field(String name, String type) {
    return new TableFieldSchema().setName(name).setType(type);
  }
}
