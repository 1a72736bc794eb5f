package dev.bqjobs.emulator.engine;

import com.google.api.services.bigquery.model.JobConfigurationLoad;
import com.google.api.services.bigquery.model.TableFieldSchema;
import dev.bqjobs.emulator.engine.Errors.JobFailure;
import dev.bqjobs.emulator.engine.LoadSources.Source;
import dev.bqjobs.emulator.files.CsvParser;
import dev.bqjobs.emulator.files.SchemaDetector;
import dev.bqjobs.emulator.files.ValueConverter;
import dev.bqjobs.emulator.files.ValueConverter.BadValueException;
import java.io.IOException;
import java.io.Reader;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** The rows of a CSV file: schema detection from a sample, and reading with bad-row accounting. */
final class CsvRows {
  private CsvRows() {}

  static SchemaDetector.CsvSchema detect(JobConfigurationLoad load, Source source)
      throws JobFailure, IOException {
    Integer skip = load.getSkipLeadingRows();
    int toSkip = skip == null || skip == 0 ? 0 : skip - 1;
    List<List<String>> sample = new ArrayList<>();
    try (Reader in = TextLoader.reader(load, source.path)) {
      CsvParser parser = parser(load, in);
      CsvParser.Record r;
      int seen = 0;
      while (sample.size() < SchemaDetector.SAMPLE_ROWS && (r = parser.next()) != null) {
        if (seen++ < toSkip || r.error != null) {
          continue;
        }
        sample.add(r.fields);
      }
    }
    if (sample.isEmpty()) {
      throw new JobFailure(
          "invalid", "Cannot detect a schema: " + source.uri + " holds no rows to sample.");
    }
    return SchemaDetector.csv(sample, skip == null || skip > 0);
  }

  private static CsvParser parser(JobConfigurationLoad load, Reader in) throws JobFailure {
    return new CsvParser(
        in,
        TextLoader.delimiter(load),
        load.getQuote(),
        Boolean.TRUE.equals(load.getAllowQuotedNewlines()));
  }

  /** Reads the file into {@code staged}; rows that do not fit the schema go to {@code bad}. */
  static void read(
      JobRecord record,
      JobConfigurationLoad load,
      Source source,
      List<TableFieldSchema> fields,
      StagedRows staged,
      BadRows bad)
      throws IOException, SQLException, JobFailure {
    int skip;
    if (load.getSkipLeadingRows() != null) {
      skip = load.getSkipLeadingRows();
    } else if (Boolean.TRUE.equals(load.getAutodetect())) {
      skip = detect(load, source).header ? 1 : 0;
    } else {
      skip = 0;
    }
    String nullMarker = load.getNullMarker() == null ? "" : load.getNullMarker();
    boolean jagged = Boolean.TRUE.equals(load.getAllowJaggedRows());
    boolean ignoreUnknown = Boolean.TRUE.equals(load.getIgnoreUnknownValues());
    int n = fields.size();
    try (Reader in = TextLoader.reader(load, source.path)) {
      CsvParser parser = parser(load, in);
      CsvParser.Record r;
      long index = 0;
      while ((r = parser.next()) != null) {
        if (index++ < skip) {
          continue;
        }
        if (index % TextLoader.CANCEL_CHECK_ROWS == 0) {
          TextLoader.stopIfCancelled(record);
        }
        if (r.error != null) {
          bad.add(source.uri, r.line, r.error);
          continue;
        }
        int size = r.fields.size();
        if (size > n && !ignoreUnknown) {
          bad.add(
              source.uri, r.line, "Too many values in row starting at position: " + r.offset + ".");
          continue;
        }
        if (size < n && !jagged) {
          bad.add(
              source.uri,
              r.line,
              "CSV table references column position "
                  + (n - 1)
                  + ", but line starting at position:"
                  + r.offset
                  + " contains only "
                  + size
                  + " columns.");
          continue;
        }
        String[] values = new String[n];
        String problem = null;
        for (int i = 0; i < n && problem == null; i++) {
          TableFieldSchema f = fields.get(i);
          String raw = i < size ? r.fields.get(i) : null;
          boolean quoted = i < size && r.quoted.get(i);
          String type = ValueConverter.typeName(f);
          if (raw == null
              || (!quoted && raw.equals(nullMarker))
              || (raw.isEmpty() && !type.equals("STRING"))) {
            if ("REQUIRED".equalsIgnoreCase(f.getMode())) {
              problem = "Missing required field: " + f.getName() + ".";
            }
            continue;
          }
          try {
            values[i] = ValueConverter.fromText(raw, f);
          } catch (BadValueException e) {
            problem =
                e.getMessage()
                    + " for field "
                    + f.getName()
                    + " (position "
                    + i
                    + ") starting at location "
                    + r.offset
                    + " with message 'Unable to parse'";
          }
        }
        if (problem != null) {
          bad.add(source.uri, r.line, problem);
        } else {
          staged.append(values);
        }
      }
    }
  }
}
