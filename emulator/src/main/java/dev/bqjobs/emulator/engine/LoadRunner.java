package dev.bqjobs.emulator.engine;

import com.google.api.services.bigquery.model.ErrorProto;
import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobConfigurationLoad;
import com.google.api.services.bigquery.model.JobStatistics3;
import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.api.services.bigquery.model.TableReference;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.bqjobs.emulator.engine.Errors.JobFailure;
import dev.bqjobs.emulator.errors.BigQueryError;
import dev.bqjobs.emulator.files.CsvParser;
import dev.bqjobs.emulator.files.SchemaDetector;
import dev.bqjobs.emulator.files.ValueConverter;
import dev.bqjobs.emulator.files.ValueConverter.BadValueException;
import dev.bqjobs.emulator.sql.DuckDbTypes;
import dev.bqjobs.emulator.store.Catalog;
import dev.bqjobs.emulator.store.GcsPaths;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Runs load jobs: reads CSV and newline-delimited JSON in Java, one row at a time, so every row
 * that does not parse or convert to the schema counts against {@code maxBadRecords}; good rows go
 * to the destination in bulk (see {@link StagedRows}); Parquet is read by DuckDB itself. All of it
 * happens inside the job's transaction, so a failed or cancelled load leaves the table as it was.
 */
final class LoadRunner {
  private static final Set<String> FORMATS = Set.of("CSV", "NEWLINE_DELIMITED_JSON", "PARQUET");

  /** status.errors lists at most this many bad rows, as BigQuery lists the first errors only. */
  static final int MAX_LISTED_ERRORS = 100;

  private static final int CANCEL_CHECK_ROWS = 10_000;

  private final Catalog catalog;
  private final DatasetChecks checks;
  private final GcsPaths gcs;

  /** Uploaded source files by {@code project:jobId}, owned by their job. */
  private final Map<String, Path> uploads = new ConcurrentHashMap<>();

  LoadRunner(Catalog catalog, DatasetChecks checks, GcsPaths gcs) {
    this.catalog = catalog;
    this.checks = checks;
    this.gcs = gcs;
  }

  // ---------------------------------------------------------------- insert time

  /** What BigQuery refuses with HTTP 400 before a load job exists. */
  void validateAtInsert(String project, String jobId, JobConfigurationLoad load) {
    boolean uploaded = uploads.containsKey(project + ":" + jobId);
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
    if (!FORMATS.contains(format(load))) {
      throw BigQueryError.invalid(
          "Unsupported source format \""
              + load.getSourceFormat()
              + "\": the local server loads CSV, NEWLINE_DELIMITED_JSON and PARQUET.");
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
      delimiter(load);
    } catch (JobFailure f) {
      throw BigQueryError.invalid(f.getMessage());
    }
  }

  /**
   * Registers {@code data} as the single source of the job {@code jobId} while {@code insert}
   * creates it; an insert that fails takes the file with it.
   */
  Job withUpload(String project, String jobId, Path data, Supplier<Job> insert) {
    String key = project + ":" + jobId;
    if (uploads.putIfAbsent(key, data) != null) {
      deleteQuietly(data);
      throw BigQueryError.duplicate("Already Exists: Job " + project + ":" + jobId);
    }
    try {
      return insert.get();
    } catch (RuntimeException e) {
      uploads.remove(key, data);
      deleteQuietly(data);
      throw e;
    }
  }

  static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // a temp file left behind is harmless
    }
  }

  private static String format(JobConfigurationLoad load) {
    return load.getSourceFormat() == null ? "CSV" : load.getSourceFormat().toUpperCase(Locale.ROOT);
  }

  private static char delimiter(JobConfigurationLoad load) throws JobFailure {
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

  // ---------------------------------------------------------------- run

  /** One file to read: the URI users see (in messages) and where it is. */
  private static final class Source {
    final String uri;
    final Path path;

    Source(String uri, Path path) {
      this.uri = uri;
      this.path = path;
    }
  }

  Execution run(JobRecord record, JobConfigurationLoad load) throws JobFailure {
    Path uploaded = uploads.remove(record.project + ":" + record.jobId);
    try {
      return load(record, load, uploaded);
    } finally {
      if (uploaded != null) {
        deleteQuietly(uploaded); // the rows are in the transaction now, or never will be
      }
    }
  }

  private Execution load(JobRecord record, JobConfigurationLoad load, Path uploaded)
      throws JobFailure {
    TableReference dest = DatasetChecks.resolve(load.getDestinationTable(), record.project);
    checks.requireWritableDestination(record, dest);
    String create = TableWrites.createDisposition(load.getCreateDisposition());
    String write = TableWrites.writeDisposition(load.getWriteDisposition(), "WRITE_APPEND");
    List<Source> sources = sources(load, uploaded);
    boolean exists = TableWrites.check(catalog, dest, create, write);

    JobStatistics3 stats = new JobStatistics3().setInputFiles((long) sources.size());
    long inputBytes = 0;
    for (Source s : sources) {
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
      List<TableFieldSchema> fields;
      long rows;
      BadRows bad = new BadRows(format, load.getMaxBadRecords());
      if (format.equals("PARQUET")) {
        fields = parquetSchema(c, load, dest, exists, write, sources);
        TableWrites.prepare(c, dest, exists, write, fields);
        rows = insertParquet(c, dest, sources);
      } else {
        fields = textSchema(load, dest, exists, write, sources, format);
        try (StagedRows staged = new StagedRows(c, fields, "bqjobs_load_" + record.sequence)) {
          for (Source s : sources) {
            if (format.equals("CSV")) {
              readCsv(record, load, s, fields, staged, bad);
            } else {
              readJson(record, load, s, fields, staged, bad);
            }
          }
          TableWrites.prepare(c, dest, exists, write, fields);
          rows =
              staged.insertInto(
                  Catalog.qualified(dest.getProjectId(), dest.getDatasetId(), dest.getTableId()));
        }
      }
      stats
          .setOutputRows(rows)
          .setOutputBytes(TableWrites.estimateBytes(rows, fields.size()))
          .setBadRecords(bad.count);
      Execution e = Execution.builder(c).writes(List.of(dest)).load(stats, bad.listed).build();
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

  private List<Source> sources(JobConfigurationLoad load, Path uploaded) throws JobFailure {
    if (uploaded != null) {
      return List.of(new Source("upload", uploaded));
    }
    if (gcs == null) {
      throw new JobFailure("invalid", "This server has no folder standing in for gs://.");
    }
    List<Source> out = new ArrayList<>();
    for (String uri : load.getSourceUris()) {
      List<Path> files;
      try {
        files = gcs.match(uri);
      } catch (GcsPaths.InvalidUriException e) {
        throw new JobFailure("invalid", e.getMessage());
      }
      if (files.isEmpty()) {
        throw new JobFailure("notFound", "Not found: URI " + uri);
      }
      for (Path f : files) {
        String name =
            uri.contains("*")
                ? uri.substring(0, uri.indexOf('/', 5) + 1)
                    + gcs.root()
                        .resolve(uri.substring(5, uri.indexOf('/', 5)))
                        .relativize(f)
                        .toString()
                        .replace('\\', '/')
                : uri;
        out.add(new Source(name, f));
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- schemas

  private List<TableFieldSchema> textSchema(
      JobConfigurationLoad load,
      TableReference dest,
      boolean exists,
      String write,
      List<Source> sources,
      String format)
      throws JobFailure, IOException {
    List<TableFieldSchema> fields;
    if (exists && !write.equals("WRITE_TRUNCATE")) {
      fields = existingFields(dest);
    } else if (load.getSchema() != null
        && load.getSchema().getFields() != null
        && !load.getSchema().getFields().isEmpty()) {
      fields = load.getSchema().getFields();
    } else if (Boolean.TRUE.equals(load.getAutodetect())) {
      fields =
          format.equals("CSV") ? detectCsv(load, sources.get(0)).fields : detectJson(load, sources);
    } else if (exists) {
      fields = existingFields(dest);
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
      try {
        DuckDbTypes.duckDbTypeOf(f);
      } catch (IllegalArgumentException e) {
        throw new JobFailure("invalid", e.getMessage());
      }
    }
    return fields;
  }

  private List<TableFieldSchema> existingFields(TableReference t) {
    return catalog.schemaOf(t.getProjectId(), t.getDatasetId(), t.getTableId()).getFields();
  }

  private SchemaDetector.CsvSchema detectCsv(JobConfigurationLoad load, Source source)
      throws JobFailure, IOException {
    Integer skip = load.getSkipLeadingRows();
    int toSkip = skip == null || skip == 0 ? 0 : skip - 1;
    List<List<String>> sample = new ArrayList<>();
    try (Reader in = reader(load, source.path)) {
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

  private List<TableFieldSchema> detectJson(JobConfigurationLoad load, List<Source> sources)
      throws JobFailure, IOException {
    List<JsonObject> sample = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(reader(load, sources.get(0).path))) {
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

  // ---------------------------------------------------------------- CSV

  private static Reader reader(JobConfigurationLoad load, Path file)
      throws IOException, JobFailure {
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

  private static CsvParser parser(JobConfigurationLoad load, Reader in) throws JobFailure {
    return new CsvParser(
        in, delimiter(load), load.getQuote(), Boolean.TRUE.equals(load.getAllowQuotedNewlines()));
  }

  private void readCsv(
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
      skip = detectCsv(load, source).header ? 1 : 0;
    } else {
      skip = 0;
    }
    String nullMarker = load.getNullMarker() == null ? "" : load.getNullMarker();
    boolean jagged = Boolean.TRUE.equals(load.getAllowJaggedRows());
    boolean ignoreUnknown = Boolean.TRUE.equals(load.getIgnoreUnknownValues());
    int n = fields.size();
    try (Reader in = reader(load, source.path)) {
      CsvParser parser = parser(load, in);
      CsvParser.Record r;
      long index = 0;
      while ((r = parser.next()) != null) {
        if (index++ < skip) {
          continue;
        }
        if (index % CANCEL_CHECK_ROWS == 0) {
          stopIfCancelled(record);
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

  // ---------------------------------------------------------------- JSON

  private void readJson(
      JobRecord record,
      JobConfigurationLoad load,
      Source source,
      List<TableFieldSchema> fields,
      StagedRows staged,
      BadRows bad)
      throws IOException, SQLException, JobFailure {
    boolean ignoreUnknown = Boolean.TRUE.equals(load.getIgnoreUnknownValues());
    try (BufferedReader in = new BufferedReader(reader(load, source.path), 1 << 16)) {
      String line;
      long offset = 0;
      long lineNumber = 0;
      while ((line = in.readLine()) != null) {
        long start = offset;
        offset += line.length() + 1;
        lineNumber++;
        if (lineNumber % CANCEL_CHECK_ROWS == 0) {
          stopIfCancelled(record);
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
          String[] values = new String[fields.size()];
          for (int i = 0; i < values.length; i++) {
            JsonElement v = converted.get(fields.get(i).getName());
            values[i] =
                v == null || v.isJsonNull()
                    ? null
                    : v.isJsonPrimitive() ? v.getAsString() : v.toString();
          }
          staged.append(values);
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

  // ---------------------------------------------------------------- Parquet

  private static String parquetFiles(List<Source> sources) {
    List<String> literals = new ArrayList<>();
    for (Source s : sources) {
      literals.add(Catalog.literal(s.path.toString()));
    }
    return "read_parquet([" + String.join(", ", literals) + "])";
  }

  private List<TableFieldSchema> parquetSchema(
      Connection c,
      JobConfigurationLoad load,
      TableReference dest,
      boolean exists,
      String write,
      List<Source> sources)
      throws SQLException, JobFailure {
    if (exists && !write.equals("WRITE_TRUNCATE")) {
      return existingFields(dest);
    }
    if (load.getSchema() != null
        && load.getSchema().getFields() != null
        && !load.getSchema().getFields().isEmpty()) {
      return load.getSchema().getFields();
    }
    // Parquet files describe themselves; BigQuery reads their schema without autodetect.
    List<TableFieldSchema> fields = new ArrayList<>();
    try (PreparedStatement ps =
            c.prepareStatement("DESCRIBE SELECT * FROM " + parquetFiles(sources));
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        try {
          fields.add(DuckDbTypes.fieldSchemaOf(rs.getString(1), rs.getString(2)));
        } catch (IllegalArgumentException e) {
          throw new JobFailure(
              "invalid", "Unsupported Parquet column " + rs.getString(1) + ": " + e.getMessage());
        }
      }
    }
    return fields;
  }

  private static long insertParquet(Connection c, TableReference dest, List<Source> sources)
      throws SQLException {
    try (Statement s = c.createStatement()) {
      return s.executeUpdate(
          "INSERT INTO "
              + Catalog.qualified(dest.getProjectId(), dest.getDatasetId(), dest.getTableId())
              + " BY NAME SELECT * FROM "
              + parquetFiles(sources));
    }
  }

  // ---------------------------------------------------------------- helpers

  private static void stopIfCancelled(JobRecord record) throws JobFailure {
    synchronized (record) {
      if (record.cancelRequested) {
        throw new JobFailure("stopped", "Job execution was cancelled: User requested cancellation");
      }
    }
  }

  /** Bad rows of a load: counted all, the first {@value #MAX_LISTED_ERRORS} listed. */
  private static final class BadRows {
    final String format;
    final int limit;
    long count;
    final List<ErrorProto> listed = new ArrayList<>();

    BadRows(String format, Integer maxBadRecords) {
      this.format = format.equals("CSV") ? "CSV" : "JSON";
      this.limit = maxBadRecords == null ? 0 : maxBadRecords;
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
}
