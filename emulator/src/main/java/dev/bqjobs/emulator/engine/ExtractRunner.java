package dev.bqjobs.emulator.engine;

import com.google.api.client.util.Data;
import com.google.api.services.bigquery.model.JobConfigurationExtract;
import com.google.api.services.bigquery.model.JobStatistics4;
import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.api.services.bigquery.model.TableReference;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.bqjobs.emulator.engine.Errors.JobFailure;
import dev.bqjobs.emulator.errors.BigQueryError;
import dev.bqjobs.emulator.files.AvroSchemas;
import dev.bqjobs.emulator.files.AvroValues;
import dev.bqjobs.emulator.sql.DuckDbTypes;
import dev.bqjobs.emulator.store.Catalog;
import dev.bqjobs.emulator.store.GcsPaths;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * Runs extract jobs: a table to CSV, newline-delimited JSON, Parquet or Avro files at {@code gs://}
 * URIs, optionally gzipped, in numbered shards where a URI has a wildcard. Files are written to a
 * staging folder from a snapshot of the table and moved to their URIs only when the job commits, so
 * a cancelled or failed extract leaves no file behind.
 */
final class ExtractRunner {
  /** Rows per shard of a wildcard URI: BigQuery splits by size (about 1 GB); we split by rows. */
  static final int ROWS_PER_SHARD = 50_000;

  private static final Set<String> FORMATS =
      Set.of("CSV", "NEWLINE_DELIMITED_JSON", "PARQUET", "AVRO");
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final Catalog catalog;
  private final DatasetChecks checks;
  private final GcsPaths gcs;

  ExtractRunner(Catalog catalog, DatasetChecks checks, GcsPaths gcs) {
    this.catalog = catalog;
    this.checks = checks;
    this.gcs = gcs;
  }

  static void validateAtInsert(JobConfigurationExtract ex) {
    if (ex.getSourceModel() != null) {
      throw BigQueryError.invalid("The local server does not extract models, only tables.");
    }
    if (ex.getSourceTable() == null) {
      throw BigQueryError.required("Required parameter is missing: sourceTable");
    }
    if (uris(ex).isEmpty()) {
      throw BigQueryError.required("Required parameter is missing: destinationUris");
    }
    String format = format(ex);
    if (!FORMATS.contains(format)) {
      throw BigQueryError.invalid(
          "Unsupported destinationFormat \""
              + ex.getDestinationFormat()
              + "\": the local server extracts to CSV, NEWLINE_DELIMITED_JSON, PARQUET and AVRO.");
    }
    String compression = compression(ex);
    boolean ok =
        compression.equals("NONE")
            || compression.equals("GZIP")
            || (format.equals("PARQUET")
                && (compression.equals("SNAPPY") || compression.equals("ZSTD")))
            || (format.equals("AVRO")
                && (compression.equals("DEFLATE") || compression.equals("SNAPPY")));
    if (!ok) {
      throw BigQueryError.invalid(
          "Unsupported compression \"" + ex.getCompression() + "\" for " + format + " files.");
    }
    if (ex.getFieldDelimiter() != null && fieldDelimiter(ex).length() != 1) {
      throw BigQueryError.invalid(
          "Invalid fieldDelimiter \"" + ex.getFieldDelimiter() + "\": use one character or \\t.");
    }
  }

  private static List<String> uris(JobConfigurationExtract ex) {
    if (ex.getDestinationUris() != null && !ex.getDestinationUris().isEmpty()) {
      return ex.getDestinationUris();
    }
    return ex.getDestinationUri() == null ? List.of() : List.of(ex.getDestinationUri());
  }

  private static String format(JobConfigurationExtract ex) {
    return ex.getDestinationFormat() == null
        ? "CSV"
        : ex.getDestinationFormat().toUpperCase(Locale.ROOT);
  }

  private static String compression(JobConfigurationExtract ex) {
    return ex.getCompression() == null ? "NONE" : ex.getCompression().toUpperCase(Locale.ROOT);
  }

  private static String fieldDelimiter(JobConfigurationExtract ex) {
    String d = ex.getFieldDelimiter();
    if (d == null || d.isEmpty()) {
      return ",";
    }
    return d.equals("\\t") || d.equalsIgnoreCase("tab") ? "\t" : d;
  }

  /** One output file: the URI it will have and how many rows go into it. */
  private static final class Part {
    final String uri;
    final long rows;
    Path staged;

    Part(String uri, long rows) {
      this.uri = uri;
      this.rows = rows;
    }
  }

  Execution run(JobRecord record, JobConfigurationExtract ex) throws JobFailure {
    if (gcs == null) {
      throw new JobFailure("invalid", "This server has no folder standing in for gs://.");
    }
    TableReference src = DatasetChecks.resolve(ex.getSourceTable(), record.project);
    checks.requireTable(src, record.location);
    checks.requireRead(record, src);
    List<String> uris = uris(ex);
    for (String uri : uris) {
      try {
        gcs.resolve(GcsPaths.shard(uri, 0));
        if (uri.indexOf('*') != uri.lastIndexOf('*')) {
          throw new JobFailure("invalid", "URI " + uri + " has more than one wildcard.");
        }
      } catch (GcsPaths.InvalidUriException e) {
        throw new JobFailure("invalid", e.getMessage());
      }
    }
    String format = format(ex);
    List<TableFieldSchema> fields =
        catalog.schemaOf(src.getProjectId(), src.getDatasetId(), src.getTableId()).getFields();
    if (format.equals("CSV")) {
      for (TableFieldSchema f : fields) {
        if ("REPEATED".equalsIgnoreCase(f.getMode()) || f.getFields() != null) {
          throw new JobFailure(
              "invalid", "Operation cannot be performed on a nested schema. Field: " + f.getName());
        }
      }
    }
    String table = Catalog.qualified(src.getProjectId(), src.getDatasetId(), src.getTableId());
    Connection c = null;
    Path staging = null;
    try {
      c = catalog.connect(src.getProjectId(), null);
      c.setAutoCommit(false); // one snapshot for the count and every shard
      long rows;
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
        rs.next();
        rows = rs.getLong(1);
      }
      List<Part> parts = plan(uris, rows);
      staging = gcs.newStagingFolder("extract-" + record.sequence + "-");
      for (int i = 0; i < parts.size(); i++) {
        parts.get(i).staged = staging.resolve("part-" + i);
      }
      if (format.equals("PARQUET")) {
        writeParquet(c, table, parts, compression(ex));
      } else if (format.equals("AVRO")) {
        writeAvro(c, table, fields, parts, ex);
      } else {
        writeText(c, table, fields, parts, ex, format);
      }
      Execution.Builder e = Execution.builder(c);
      for (Part p : parts) {
        Path target = gcs.resolve(p.uri);
        e.afterCommit(
            () -> {
              Files.createDirectories(target.getParent());
              Files.move(
                  p.staged,
                  target,
                  StandardCopyOption.REPLACE_EXISTING,
                  StandardCopyOption.ATOMIC_MOVE);
            });
      }
      Path folder = staging;
      e.cleanup(() -> deleteTree(folder));
      List<Long> counts = new ArrayList<>();
      for (String uri : uris) {
        counts.add(parts.stream().filter(p -> p.uri.equals(uri) || matches(uri, p.uri)).count());
      }
      long bytes = TableWrites.estimateBytes(rows, fields.size());
      e.extract(new JobStatistics4().setDestinationUriFileCounts(counts).setInputBytes(bytes));
      c = null;
      staging = null;
      return e.build();
    } catch (SQLException e) {
      throw new JobFailure(
          "invalid",
          "Error while extracting "
              + DatasetChecks.fullName(src)
              + ": "
              + Catalog.firstLine(e.getMessage()));
    } catch (IOException e) {
      throw new JobFailure("invalid", "Error while writing the extract: " + e.getMessage());
    } finally {
      if (staging != null) {
        deleteTree(staging);
      }
      Execution.discard(c);
    }
  }

  /** Whether {@code name} is a shard of the wildcard URI {@code uri}. */
  private static boolean matches(String uri, String name) {
    int star = uri.indexOf('*');
    return star >= 0
        && name.length() == uri.length() + 11
        && name.startsWith(uri.substring(0, star))
        && name.endsWith(uri.substring(star + 1));
  }

  /** Rows spread evenly over the URIs; a wildcard URI gets one shard per ROWS_PER_SHARD rows. */
  private static List<Part> plan(List<String> uris, long rows) {
    List<Part> parts = new ArrayList<>();
    for (int i = 0; i < uris.size(); i++) {
      String uri = uris.get(i);
      long share = rows / uris.size() + (i < rows % uris.size() ? 1 : 0);
      if (!uri.contains("*")) {
        parts.add(new Part(uri, share));
        continue;
      }
      int shards = (int) Math.max(1, (share + ROWS_PER_SHARD - 1) / ROWS_PER_SHARD);
      for (int s = 0; s < shards; s++) {
        long n = share / shards + (s < share % shards ? 1 : 0);
        parts.add(new Part(GcsPaths.shard(uri, s), n));
      }
    }
    return parts;
  }

  private static void writeParquet(Connection c, String table, List<Part> parts, String compression)
      throws SQLException {
    String codec =
        compression.equals("NONE") ? "uncompressed" : compression.toLowerCase(Locale.ROOT);
    long offset = 0;
    try (Statement s = c.createStatement()) {
      for (Part p : parts) {
        s.execute(
            "COPY (SELECT * FROM "
                + table
                + " ORDER BY rowid LIMIT "
                + p.rows
                + " OFFSET "
                + offset
                + ") TO "
                + Catalog.literal(p.staged.toString())
                + " (FORMAT PARQUET, COMPRESSION "
                + codec
                + ")");
        offset += p.rows;
      }
    }
  }

  private static void writeText(
      Connection c,
      String table,
      List<TableFieldSchema> fields,
      List<Part> parts,
      JobConfigurationExtract ex,
      String format)
      throws SQLException, IOException {
    boolean gzip = compression(ex).equals("GZIP");
    boolean csv = format.equals("CSV");
    boolean header = ex.getPrintHeader() == null || ex.getPrintHeader();
    String delimiter = fieldDelimiter(ex);
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM " + table + " ORDER BY rowid")) {
      for (Part p : parts) {
        try (Writer out = open(p.staged, gzip)) {
          if (csv && header) {
            List<String> names = new ArrayList<>();
            for (TableFieldSchema f : fields) {
              names.add(csvField(f.getName(), delimiter));
            }
            out.write(String.join(delimiter, names));
            out.write('\n');
          }
          for (long r = 0; r < p.rows && rs.next(); r++) {
            if (csv) {
              for (int i = 0; i < fields.size(); i++) {
                if (i > 0) {
                  out.write(delimiter);
                }
                Object cell = DuckDbTypes.toCellValue(rs.getObject(i + 1), fields.get(i));
                if (cell != null) {
                  out.write(csvField(text(cell, fields.get(i)), delimiter));
                }
              }
            } else {
              JsonObject row = new JsonObject();
              for (int i = 0; i < fields.size(); i++) {
                Object cell = DuckDbTypes.toCellValue(rs.getObject(i + 1), fields.get(i));
                JsonElement v = json(cell, fields.get(i));
                if (!v.isJsonNull()) {
                  row.add(fields.get(i).getName(), v);
                }
              }
              out.write(row.toString());
            }
            out.write('\n');
          }
        }
      }
    }
  }

  /**
   * Avro container files with BigQuery's Avro schema ({@link AvroSchemas}); {@code DEFLATE} or
   * {@code SNAPPY} blocks when asked. GZIP is refused at insert, as BigQuery refuses it for Avro.
   */
  private static void writeAvro(
      Connection c,
      String table,
      List<TableFieldSchema> fields,
      List<Part> parts,
      JobConfigurationExtract ex)
      throws SQLException, IOException {
    boolean logicalTypes = Boolean.TRUE.equals(ex.getUseAvroLogicalTypes());
    org.apache.avro.Schema schema = AvroSchemas.of(fields, logicalTypes);
    org.apache.avro.file.CodecFactory codec =
        switch (compression(ex)) {
          case "DEFLATE" -> org.apache.avro.file.CodecFactory.deflateCodec(6);
          case "SNAPPY" -> org.apache.avro.file.CodecFactory.snappyCodec();
          default -> org.apache.avro.file.CodecFactory.nullCodec();
        };
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM " + table + " ORDER BY rowid")) {
      for (Part p : parts) {
        try (org.apache.avro.file.DataFileWriter<org.apache.avro.generic.GenericRecord> out =
            new org.apache.avro.file.DataFileWriter<>(
                new org.apache.avro.generic.GenericDatumWriter<>(schema))) {
          out.setCodec(codec);
          out.create(schema, p.staged.toFile());
          for (long r = 0; r < p.rows && rs.next(); r++) {
            List<Object> cells = new ArrayList<>(fields.size());
            for (int i = 0; i < fields.size(); i++) {
              cells.add(DuckDbTypes.toCellValue(rs.getObject(i + 1), fields.get(i)));
            }
            out.append(AvroValues.row(schema, fields, cells));
          }
        }
      }
    }
  }

  private static Writer open(Path file, boolean gzip) throws IOException {
    OutputStream out = Files.newOutputStream(file);
    if (gzip) {
      out = new GZIPOutputStream(out, 1 << 16);
    }
    return new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
  }

  private static String csvField(String value, String delimiter) {
    if (value.contains(delimiter)
        || value.contains("\"")
        || value.contains("\n")
        || value.contains("\r")) {
      return "\"" + value.replace("\"", "\"\"") + "\"";
    }
    return value;
  }

  /** A scalar cell as BigQuery writes it to files; TIMESTAMP as {@code 2024-01-02 03:04:05 UTC}. */
  private static String text(Object cell, TableFieldSchema field) {
    String value = cell.toString();
    if ("TIMESTAMP".equalsIgnoreCase(field.getType())) {
      BigDecimal seconds = new BigDecimal(value);
      BigDecimal whole = seconds.setScale(0, java.math.RoundingMode.FLOOR);
      long micros = seconds.subtract(whole).movePointRight(6).longValue();
      String out = TIMESTAMP.format(Instant.ofEpochSecond(whole.longValueExact()));
      if (micros != 0) {
        out += String.format(Locale.ROOT, ".%06d", micros).replaceAll("0+$", "");
      }
      return out + " UTC";
    }
    return value;
  }

  /** A cell as BigQuery's JSON export writes it: int64 and numerics as strings, as the API does. */
  @SuppressWarnings("unchecked")
  private static JsonElement json(Object cell, TableFieldSchema field) {
    if (cell == null || Data.isNull(cell)) {
      return JsonNull.INSTANCE;
    }
    if ("REPEATED".equalsIgnoreCase(field.getMode())) {
      JsonArray out = new JsonArray();
      TableFieldSchema element = field.clone().setMode("NULLABLE");
      for (Object item : (List<Object>) cell) {
        out.add(json(((Map<String, Object>) item).get("v"), element));
      }
      return out;
    }
    String type = field.getType() == null ? "" : field.getType().toUpperCase(Locale.ROOT);
    switch (type) {
      case "RECORD":
      case "STRUCT":
        {
          JsonObject out = new JsonObject();
          List<Object> cells = (List<Object>) ((Map<String, Object>) cell).get("f");
          for (int i = 0; i < field.getFields().size(); i++) {
            TableFieldSchema sub = field.getFields().get(i);
            JsonElement v = json(((Map<String, Object>) cells.get(i)).get("v"), sub);
            if (!v.isJsonNull()) {
              out.add(sub.getName(), v);
            }
          }
          return out;
        }
      case "FLOAT":
      case "FLOAT64":
        {
          double d = Double.parseDouble(cell.toString());
          return Double.isFinite(d) ? new JsonPrimitive(d) : new JsonPrimitive(cell.toString());
        }
      case "BOOLEAN":
      case "BOOL":
        return new JsonPrimitive(Boolean.parseBoolean(cell.toString()));
      case "JSON":
        return com.google.gson.JsonParser.parseString(cell.toString());
      default:
        return new JsonPrimitive(text(cell, field));
    }
  }

  private static void deleteTree(Path folder) {
    try (Stream<Path> files = Files.walk(folder)) {
      files.sorted(Comparator.reverseOrder()).forEach(LoadSources::deleteQuietly);
    } catch (IOException ignored) {
      // staging leftovers are harmless
    }
  }
}
