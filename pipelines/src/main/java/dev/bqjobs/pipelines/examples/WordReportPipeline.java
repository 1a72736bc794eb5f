package dev.bqjobs.pipelines.examples;

import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobConfigurationExtract;
import com.google.api.services.bigquery.model.JobConfigurationLoad;
import com.google.api.services.bigquery.model.JobConfigurationQuery;
import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.api.services.bigquery.model.TableReference;
import com.google.api.services.bigquery.model.TableSchema;
import com.google.gson.JsonObject;
import dev.bqjobs.transforms.BigQueryJobs;
import dev.bqjobs.transforms.JobRequest;
import dev.bqjobs.transforms.JobResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.io.WriteFilesResult;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.options.Validation;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.FlatMapElements;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * A whole pipeline of files and jobs on {@code gs://}, the kind that runs end to end on the
 * DirectRunner against the local server ({@code LocalBigQuery.pipelineArgs()}): text files in with
 * {@code TextIO}, words counted in Beam and staged as JSON lines on {@code gs://}, a load job, a
 * query, an extract, and the extracted report read back and written out as one CSV file.
 *
 * <ol>
 *   <li>{@code ReadText}: every line of {@code --input} (a glob on {@code gs://}).
 *   <li>{@code CountWords} and {@code StageCounts}: one JSON line per word, written to {@code
 *       --stagingPrefix} with the written file names as output.
 *   <li>{@code LoadRequest}, {@code RunLoad}: once every staged file is written (the names are
 *       grouped under one key, so the request is built once, from the exact files), a load job
 *       truncates {@code DATASET.word_counts} and loads them.
 *   <li>{@code ReportRequest}, {@code RunReport}: after the load, a query writes the {@code
 *       --topWords} most frequent words to {@code DATASET.top_words}.
 *   <li>{@code ExtractRequest}, {@code RunExtract}: the report table to CSV files at {@code
 *       --extractUri} (with one {@code *}: numbered shards).
 *   <li>{@code MatchExtract}, {@code ReadExtract}, {@code SortReport}, {@code WriteReport}: the
 *       extracted files, found from the extract job's own destination URIs, read back, sorted and
 *       written to {@code --report} as one CSV file with a header.
 * </ol>
 *
 * <p>Failed jobs go to {@code --deadLetterPrefix} as JSON lines. The dataset must exist.
 */
public final class WordReportPipeline {

  /**
   * Options; {@code --project}, {@code --bigQueryEndpoint} and {@code --gcsEndpoint} are Beam's.
   */
  public interface Options extends BigQueryOptions {
    @Description("Text files to count the words of, e.g. gs://my-bucket/input/*.txt.")
    @Validation.Required
    String getInput();

    void setInput(String input);

    @Description("Prefix of the staged word counts (JSON lines), e.g. gs://my-bucket/staged/words.")
    @Validation.Required
    String getStagingPrefix();

    void setStagingPrefix(String stagingPrefix);

    @Description("Where the report table is extracted to, e.g. gs://my-bucket/extract/top-*.csv.")
    @Validation.Required
    String getExtractUri();

    void setExtractUri(String extractUri);

    // Not "output": BqJobsOptions declares that one with a default, and Beam refuses one property
    // declared differently by two registered options interfaces.
    @Description("The final report: one CSV file (word,count), most frequent first.")
    @Validation.Required
    String getReport();

    void setReport(String report);

    // Declared as the other examples declare it: Beam refuses one property declared with different
    // defaults by two registered options interfaces.
    @Description("Dataset of the word_counts and top_words tables (must exist).")
    @Default.String("demo")
    String getDataset();

    void setDataset(String dataset);

    @Description("How many of the most frequent words the report keeps.")
    @Default.Integer(10)
    Integer getTopWords();

    void setTopWords(Integer topWords);

    @Description("Prefix of the dead-letter files (failed jobs as JSON lines).")
    @Validation.Required
    String getDeadLetterPrefix();

    void setDeadLetterPrefix(String deadLetterPrefix);
  }

  static final String COUNTS_TABLE = "word_counts";
  static final String REPORT_TABLE = "top_words";
  static final String HEADER = "word,count";

  private WordReportPipeline() {}

  public static void main(String[] args) {
    Options options = PipelineOptionsFactory.fromArgs(args).withValidation().as(Options.class);
    run(options).waitUntilFinish();
  }

  /** Builds and starts the pipeline. */
  public static PipelineResult run(Options options) {
    Pipeline p = Pipeline.create(options);
    BigQueryJobs.Run runJobs = BigQueryJobs.run().withJobIdPrefix("word_report");
    if (options.getBigQueryEndpoint() != null) {
      runJobs = runJobs.withRootUrl(options.getBigQueryEndpoint());
    }
    if (options.getProject() != null) {
      runJobs = runJobs.withProject(options.getProject());
    }

    WriteFilesResult<Void> staged =
        p.apply("ReadText", TextIO.read().from(options.getInput()))
            .apply(
                "Words",
                FlatMapElements.into(TypeDescriptors.strings())
                    .via(line -> Arrays.asList(line.toLowerCase(Locale.ROOT).split("[^\\p{L}']+"))))
            .apply("NonEmpty", Filter.by(word -> !word.isEmpty()))
            .apply("CountWords", Count.perElement())
            .apply(
                "AsJsonLines",
                MapElements.into(TypeDescriptors.strings()).via(WordReportPipeline::jsonLine))
            .apply(
                "StageCounts",
                TextIO.write()
                    .to(options.getStagingPrefix())
                    .withSuffix(".json")
                    .withOutputFilenames());

    BigQueryJobs.Result loaded =
        staged
            .getPerDestinationOutputFilenames()
            .apply("StagedFiles", Values.create())
            .apply("AllFiles", WithKeys.of("staged"))
            .apply("GroupFiles", GroupByKey.create())
            .apply("LoadRequest", ParDo.of(new LoadStagedFiles(options.getDataset())))
            .apply("RunLoad", runJobs);

    BigQueryJobs.Result report =
        loaded
            .succeeded()
            .apply(
                "ReportRequest",
                ParDo.of(new TopWordsQuery(options.getDataset(), options.getTopWords())))
            .apply("RunReport", runJobs);

    BigQueryJobs.Result extracted =
        report
            .succeeded()
            .apply("ExtractRequest", ParDo.of(new ExtractReport(options.getExtractUri())))
            .apply("RunExtract", runJobs);

    extracted
        .succeeded()
        .apply("ExtractedUris", ParDo.of(new DestinationUris()))
        .apply("MatchExtract", FileIO.matchAll())
        .apply("OpenExtract", FileIO.readMatches())
        .apply("ReadExtract", TextIO.readFiles())
        .apply("AllRows", WithKeys.of("report"))
        .apply("GroupRows", GroupByKey.create())
        .apply("SortReport", ParDo.of(new SortByCount()))
        .setCoder(StringUtf8Coder.of())
        .apply(
            "WriteReport",
            TextIO.write().to(options.getReport()).withoutSharding().withHeader(HEADER));

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

  static String jsonLine(KV<String, Long> count) {
    JsonObject o = new JsonObject();
    o.addProperty("word", count.getKey());
    o.addProperty("count", count.getValue());
    return o.toString();
  }

  /** One load job of exactly the staged files, built once they are all written. */
  static final class LoadStagedFiles extends DoFn<KV<String, Iterable<String>>, JobRequest> {
    private static final long serialVersionUID = 1L;
    private final String dataset;

    LoadStagedFiles(String dataset) {
      this.dataset = dataset;
    }

    @ProcessElement
    public void process(
        @Element KV<String, Iterable<String>> files, OutputReceiver<JobRequest> out) {
      List<String> uris = new ArrayList<>();
      files.getValue().forEach(uris::add);
      uris.sort(null);
      out.output(
          JobRequest.of(
                  new JobConfiguration()
                      .setLoad(
                          new JobConfigurationLoad()
                              .setSourceUris(uris)
                              .setSourceFormat("NEWLINE_DELIMITED_JSON")
                              .setSchema(
                                  new TableSchema()
                                      .setFields(
                                          List.of(
                                              field("word", "STRING"), field("count", "INTEGER"))))
                              .setDestinationTable(table(dataset, COUNTS_TABLE))
                              .setWriteDisposition("WRITE_TRUNCATE")))
              .withKey("load_word_counts"));
    }
  }

  /** The report query, after the load. */
  static final class TopWordsQuery extends DoFn<JobResult, JobRequest> {
    private static final long serialVersionUID = 1L;
    private final String dataset;
    private final int topWords;

    TopWordsQuery(String dataset, int topWords) {
      this.dataset = dataset;
      this.topWords = topWords;
    }

    @ProcessElement
    public void process(OutputReceiver<JobRequest> out) {
      String sql =
          "SELECT word, count FROM "
              + dataset
              + "."
              + COUNTS_TABLE
              + " ORDER BY count DESC, word LIMIT "
              + topWords;
      out.output(
          JobRequest.of(
                  new JobConfiguration()
                      .setQuery(
                          new JobConfigurationQuery()
                              .setQuery(sql)
                              .setUseLegacySql(false)
                              .setDestinationTable(table(dataset, REPORT_TABLE))
                              .setWriteDisposition("WRITE_TRUNCATE")))
              .withKey("top_words"));
    }
  }

  /** Extracts the table the report query wrote, as BigQuery returned it, to CSV without header. */
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
                              .setDestinationFormat("CSV")
                              .setPrintHeader(false)))
              .withKey("extract_top_words"));
    }
  }

  /** The URIs (patterns) an extract job wrote to, from the job itself. */
  static final class DestinationUris extends DoFn<JobResult, String> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process(@Element JobResult extract, OutputReceiver<String> out) {
      extract.getJob().getConfiguration().getExtract().getDestinationUris().forEach(out::output);
    }
  }

  /** The report's CSV rows, most frequent word first (ties by word). */
  static final class SortByCount extends DoFn<KV<String, Iterable<String>>, String> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process(@Element KV<String, Iterable<String>> rows, OutputReceiver<String> out) {
      List<String> lines = new ArrayList<>();
      rows.getValue().forEach(lines::add);
      lines.sort(
          (a, b) -> {
            long ca = Long.parseLong(a.substring(a.lastIndexOf(',') + 1));
            long cb = Long.parseLong(b.substring(b.lastIndexOf(',') + 1));
            return ca != cb ? Long.compare(cb, ca) : a.compareTo(b);
          });
      lines.forEach(out::output);
    }
  }

  private static TableReference table(String dataset, String table) {
    return new TableReference().setDatasetId(dataset).setTableId(table);
  }

  private static TableFieldSchema field(String name, String type) {
    return new TableFieldSchema().setName(name).setType(type);
  }
}
