package dev.bqjobs.emulator.engine;

import com.google.api.services.bigquery.model.JobConfigurationLoad;
import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.bqjobs.emulator.engine.Errors.JobFailure;
import dev.bqjobs.emulator.engine.LoadSources.Source;
import dev.bqjobs.emulator.files.SchemaDetector;
import dev.bqjobs.emulator.files.ValueConverter;
import dev.bqjobs.emulator.files.ValueConverter.BadValueException;
import java.io.BufferedReader;
import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The rows of a newline-delimited JSON file: schema detection from a sample, and reading with
 * bad-row accounting.
 */
final class JsonRows {
  private JsonRows() {}

  static List<TableFieldSchema> detect(JobConfigurationLoad load, List<Source> sources)
      throws JobFailure, IOException {
    List<JsonObject> sample = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(TextLoader.reader(load, sources.get(0).path))) {
      String line;
      while (sample.size() < SchemaDetector.SAMPLE_ROWS && (line = in.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        try {
          JsonElement e = JsonParser.parseString(line);
          if (e.isJsonObject()) {
            sample.add(e.getAsJsonObject());
          }
        } catch (JsonParseException ignored) {
          // bad rows are counted when the file is read for real
        }
      }
    }
    if (sample.isEmpty()) {
      throw new JobFailure(
          "invalid", "Cannot detect a schema: " + sources.get(0).uri + " holds no rows to sample.");
    }
    return SchemaDetector.json(sample);
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
    boolean ignoreUnknown = Boolean.TRUE.equals(load.getIgnoreUnknownValues());
    try (BufferedReader in = new BufferedReader(TextLoader.reader(load, source.path), 1 << 16)) {
      String line;
      long offset = 0;
      long lineNumber = 0;
      while ((line = in.readLine()) != null) {
        long start = offset;
        offset += line.length() + 1;
        lineNumber++;
        if (lineNumber % TextLoader.CANCEL_CHECK_ROWS == 0) {
          TextLoader.stopIfCancelled(record);
        }
        if (line.isBlank()) {
          continue;
        }
        String problem;
        try {
          JsonElement element = JsonParser.parseString(line);
          if (!element.isJsonObject()) {
            throw new BadValueException(
                "Top-level value is not a JSON object: " + abbreviate(line));
          }
          JsonObject converted =
              ValueConverter.record(element.getAsJsonObject(), fields, ignoreUnknown, null);
          staged.append(StagedRows.valuesOf(converted, fields));
          continue;
        } catch (JsonParseException e) {
          problem = "Parser terminated before end of string";
        } catch (BadValueException e) {
          problem = e.getMessage();
        }
        bad.add(
            source.uri,
            lineNumber,
            "JSON parsing error in row starting at position " + start + ": " + problem);
      }
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 100 ? s : s.substring(0, 100) + "...";
  }
}
