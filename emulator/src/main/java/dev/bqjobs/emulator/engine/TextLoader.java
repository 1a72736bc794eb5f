package dev.bqjobs.emulator.engine;

import com.google.api.services.bigquery.model.JobConfigurationLoad;
import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.api.services.bigquery.model.TableReference;
import dev.bqjobs.emulator.engine.Errors.JobFailure;
import dev.bqjobs.emulator.engine.LoadSources.Source;
import dev.bqjobs.emulator.store.Catalog;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;

/**
 * CSV and newline-delimited JSON loads, read in Java one row at a time ({@link CsvRows}, {@link
 * JsonRows}), so that every row that does not parse or convert to the schema counts against {@code
 * maxBadRecords} ({@link BadRows}); good rows go to the destination in bulk through {@link
 * StagedRows}.
 */
final class TextLoader implements LoadFormat {
  /** Rows read between two looks at whether the job was cancelled. */
  static final int CANCEL_CHECK_ROWS = 10_000;

  @Override
  public Loaded load(Connection c, LoadJob job, BadRows bad)
      throws SQLException, IOException, JobFailure {
    List<TableFieldSchema> fields = schema(job);
    TableReference dest = job.dest;
    try (StagedRows staged = new StagedRows(c, fields, "bqjobs_load_" + job.record.sequence)) {
      for (Source s : job.sources) {
        if (job.format.equals("CSV")) {
          CsvRows.read(job.record, job.load, s, fields, staged, bad);
        } else {
          JsonRows.read(job.record, job.load, s, fields, staged, bad);
        }
      }
      TableWrites.prepare(c, dest, job.exists, job.write, fields);
      long rows =
          staged.insertInto(
              Catalog.qualified(dest.getProjectId(), dest.getDatasetId(), dest.getTableId()));
      return new Loaded(fields, rows);
    }
  }

  /** The field delimiter of a CSV load; {@code invalid} for one this server cannot read. */
  static char delimiter(JobConfigurationLoad load) throws JobFailure {
    String d = load.getFieldDelimiter();
    if (d == null || d.isEmpty()) {
      return ',';
    }
    if (d.equals("\\t") || d.equalsIgnoreCase("tab")) {
      return '\t';
    }
    if (d.length() != 1) {
      throw new JobFailure(
          "invalid",
          "Invalid fieldDelimiter \""
              + d
              + "\": the local server supports one character (or \\t, tab).");
    }
    return d.charAt(0);
  }

  /** The destination's schema: the table's, the job's, or detected from the first file. */
  private static List<TableFieldSchema> schema(LoadJob job) throws JobFailure, IOException {
    JobConfigurationLoad load = job.load;
    String format = job.format;
    TableReference dest = job.dest;
    List<TableFieldSchema> fields;
    if (job.keepsExistingTable()) {
      fields = job.existingFields();
    } else if (job.givenSchema() != null) {
      fields = job.givenSchema();
    } else if (Boolean.TRUE.equals(load.getAutodetect())) {
      fields =
          format.equals("CSV")
              ? CsvRows.detect(load, job.sources.get(0)).fields
              : JsonRows.detect(load, job.sources);
    } else if (job.exists) {
      fields = job.existingFields();
    } else {
      throw new JobFailure(
          "invalid",
          "No schema specified on job or table "
              + DatasetChecks.fullName(dest)
              + ": give configuration.load.schema or set autodetect.");
    }
    if (format.equals("CSV")) {
      for (TableFieldSchema f : fields) {
        String type = f.getType() == null ? "" : f.getType().toUpperCase(Locale.ROOT);
        if ("REPEATED".equalsIgnoreCase(f.getMode())
            || type.equals("RECORD")
            || type.equals("STRUCT")) {
          throw new JobFailure(
              "invalid",
              "CSV files cannot hold the nested or repeated field "
                  + f.getName()
                  + "; load NEWLINE_DELIMITED_JSON or PARQUET instead.");
        }
      }
    }
    for (TableFieldSchema f : fields) {
      TableWrites.duckDbTypeOf(f); // a type the engine cannot hold fails the job before any row
    }
    return fields;
  }

  /** The file as text in the load's encoding (UTF-8 or ISO-8859-1). */
  static Reader reader(JobConfigurationLoad load, Path file) throws IOException, JobFailure {
    Charset charset = StandardCharsets.UTF_8;
    if (load.getEncoding() != null) {
      String enc = load.getEncoding().toUpperCase(Locale.ROOT);
      if (enc.equals("ISO-8859-1")) {
        charset = StandardCharsets.ISO_8859_1;
      } else if (!enc.equals("UTF-8")) {
        throw new JobFailure(
            "invalid",
            "Unsupported encoding \"" + load.getEncoding() + "\": use UTF-8 or ISO-8859-1.");
      }
    }
    return new InputStreamReader(Files.newInputStream(file), charset);
  }

  /** Fails the load as {@code stopped} once the job is cancelled; readers call it now and then. */
  static void stopIfCancelled(JobRecord record) throws JobFailure {
    synchronized (record) {
      if (record.cancelRequested) {
        throw new JobFailure("stopped", "Job execution was cancelled: User requested cancellation");
      }
    }
  }
}
