package dev.bqjobs.emulator.engine;

import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobConfigurationLoad;
import com.google.api.services.bigquery.model.JobStatistics3;
import com.google.api.services.bigquery.model.TableReference;
import dev.bqjobs.emulator.engine.Errors.JobFailure;
import dev.bqjobs.emulator.engine.LoadSources.Source;
import dev.bqjobs.emulator.errors.BigQueryError;
import dev.bqjobs.emulator.store.Catalog;
import dev.bqjobs.emulator.store.GcsPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Runs load jobs: checks the destination, resolves the files ({@link LoadSources}) and hands them
 * to the source format's loader ({@link TextLoader} for CSV and JSON with bad-row accounting,
 * {@link ParquetLoader}). All of it happens inside the job's transaction, so a failed or cancelled
 * load leaves the table as it was.
 */
final class LoadRunner {
  private final Catalog catalog;
  private final DatasetChecks checks;

  private final LoadSources sources;

  /** The source formats by name: the one place a new format is added. */
  private final Map<String, LoadFormat> formats =
      Map.of(
          "CSV", new TextLoader(),
          "NEWLINE_DELIMITED_JSON", new TextLoader(),
          "PARQUET", new ParquetLoader(),
          "AVRO", new AvroLoader());

  LoadRunner(Catalog catalog, DatasetChecks checks, GcsPaths gcs) {
    this.catalog = catalog;
    this.checks = checks;
    this.sources = new LoadSources(gcs);
  }

  // ---------------------------------------------------------------- insert time

  /** What BigQuery refuses with HTTP 400 before a load job exists. */
  void validateAtInsert(String project, String jobId, JobConfigurationLoad load) {
    boolean uploaded = sources.hasUpload(project, jobId);
    TableReference dest = load.getDestinationTable();
    if (dest == null || dest.getDatasetId() == null || dest.getTableId() == null) {
      throw BigQueryError.required(
          "Required parameter is missing: destinationTable (with datasetId and tableId)");
    }
    List<String> uris = load.getSourceUris() == null ? List.of() : load.getSourceUris();
    if (uploaded && !uris.isEmpty()) {
      throw BigQueryError.invalid("A load job with an uploaded file must not list sourceUris.");
    }
    if (!uploaded && uris.isEmpty()) {
      throw BigQueryError.invalid("Load configuration must specify at least one source URI");
    }
    if (!formats.containsKey(format(load))) {
      throw BigQueryError.invalid(
          "Unsupported source format \""
              + load.getSourceFormat()
              + "\": the local server loads CSV, NEWLINE_DELIMITED_JSON, PARQUET and AVRO.");
    }
    if (load.getMaxBadRecords() != null && load.getMaxBadRecords() < 0) {
      throw BigQueryError.invalid(
          "Invalid maxBadRecords " + load.getMaxBadRecords() + ": it must not be negative.");
    }
    if (load.getSkipLeadingRows() != null && load.getSkipLeadingRows() < 0) {
      throw BigQueryError.invalid(
          "Invalid skipLeadingRows " + load.getSkipLeadingRows() + ": it must not be negative.");
    }
    try {
      TextLoader.delimiter(load);
    } catch (JobFailure f) {
      throw BigQueryError.invalid(f.getMessage());
    }
  }

  private static String format(JobConfigurationLoad load) {
    return load.getSourceFormat() == null ? "CSV" : load.getSourceFormat().toUpperCase(Locale.ROOT);
  }

  // ---------------------------------------------------------------- run

  /**
   * Registers {@code data} as the single source of the job {@code jobId} while {@code insert}
   * creates it; an insert that fails takes the file with it.
   */
  Job withUpload(String project, String jobId, Path data, Supplier<Job> insert) {
    return sources.withUpload(project, jobId, data, insert);
  }

  Execution run(JobRecord record, JobConfigurationLoad load) throws JobFailure {
    Path uploaded = sources.takeUpload(record.project, record.jobId);
    try {
      return load(record, load, uploaded);
    } finally {
      if (uploaded != null) {
        LoadSources.deleteQuietly(
            uploaded); // the rows are in the transaction now, or never will be
      }
    }
  }

  private Execution load(JobRecord record, JobConfigurationLoad load, Path uploaded)
      throws JobFailure {
    TableReference dest = DatasetChecks.resolve(load.getDestinationTable(), record.project);
    checks.requireWritableDestination(record, dest);
    String create = TableWrites.createDisposition(load.getCreateDisposition());
    String write = TableWrites.writeDisposition(load.getWriteDisposition(), "WRITE_APPEND");
    List<Source> files = sources.resolve(load, uploaded);
    boolean exists = TableWrites.check(catalog, dest, create, write);

    JobStatistics3 stats = new JobStatistics3().setInputFiles((long) files.size());
    long inputBytes = 0;
    for (Source s : files) {
      try {
        inputBytes += Files.size(s.path);
      } catch (IOException e) {
        throw new JobFailure("notFound", "Not found: URI " + s.uri);
      }
    }
    stats.setInputFileBytes(inputBytes);

    Connection c = null;
    try {
      c = catalog.connect(dest.getProjectId(), null);
      c.setAutoCommit(false);
      String format = format(load);
      BadRows bad = new BadRows(format, load.getMaxBadRecords());
      LoadFormat.Loaded loaded =
          formats
              .get(format)
              .load(
                  c,
                  new LoadFormat.LoadJob(record, load, dest, exists, write, files, format, catalog),
                  bad);
      stats
          .setOutputRows(loaded.rows)
          .setOutputBytes(TableWrites.estimateBytes(loaded.rows, loaded.fields.size()))
          .setBadRecords(bad.count());
      Execution e = Execution.builder(c).writes(List.of(dest)).load(stats, bad.listed()).build();
      c = null;
      return e;
    } catch (SQLException e) {
      throw new JobFailure(
          "invalid",
          "Error while loading "
              + DatasetChecks.fullName(dest)
              + ": "
              + Catalog.firstLine(e.getMessage()));
    } catch (IOException e) {
      throw new JobFailure("invalid", "Error while reading data, error message: " + e.getMessage());
    } finally {
      Execution.discard(c);
    }
  }
}
