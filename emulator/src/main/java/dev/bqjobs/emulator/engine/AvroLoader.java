package dev.bqjobs.emulator.engine;

import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.api.services.bigquery.model.TableReference;
import com.google.gson.JsonObject;
import dev.bqjobs.emulator.engine.Errors.JobFailure;
import dev.bqjobs.emulator.engine.LoadSources.Source;
import dev.bqjobs.emulator.files.AvroSchemas;
import dev.bqjobs.emulator.files.AvroValues;
import dev.bqjobs.emulator.files.ValueConverter;
import dev.bqjobs.emulator.store.Catalog;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;

/**
 * Avro loads: container files read with Apache Avro, each record converted for its destination
 * field ({@link AvroValues#toJson}, BigQuery's logical types with {@code useAvroLogicalTypes}) and
 * staged like a JSON row. Without a schema on the job or an existing table, the table's schema
 * comes from the first file's ({@link AvroSchemas#fieldsOf}), as BigQuery does. Avro files have no
 * bad rows in BigQuery's sense ({@code maxBadRecords} applies to CSV and JSON only): a value that
 * does not fit its field fails the job.
 */
final class AvroLoader implements LoadFormat {
  @Override
  public Loaded load(Connection c, LoadJob job, BadRows bad)
      throws SQLException, IOException, JobFailure {
    boolean logical = Boolean.TRUE.equals(job.load.getUseAvroLogicalTypes());
    List<TableFieldSchema> fields = schema(job, logical);
    TableReference dest = job.dest;
    try (StagedRows staged = new StagedRows(c, fields, "bqjobs_load_" + job.record.sequence)) {
      long n = 0;
      for (Source s : job.sources) {
        try (DataFileReader<GenericRecord> in =
            new DataFileReader<>(s.path.toFile(), new GenericDatumReader<>())) {
          for (GenericRecord record : in) {
            if (++n % TextLoader.CANCEL_CHECK_ROWS == 0) {
              TextLoader.stopIfCancelled(job.record);
            }
            staged.append(values(record, fields, s, n));
          }
        } catch (IOException e) {
          throw new JobFailure(
              "invalid",
              "Error while reading data, error message: " + s.uri + ": " + e.getMessage());
        }
      }
      TableWrites.prepare(c, dest, job.exists, job.write, fields);
      long rows =
          staged.insertInto(
              Catalog.qualified(dest.getProjectId(), dest.getDatasetId(), dest.getTableId()));
      return new Loaded(fields, rows);
    }
  }

  private static String[] values(
      GenericRecord record, List<TableFieldSchema> fields, Source source, long row)
      throws JobFailure {
    try {
      JsonObject converted =
          ValueConverter.record(AvroValues.toJson(record, fields), fields, true, null);
      return StagedRows.valuesOf(converted, fields);
    } catch (ValueConverter.BadValueException | RuntimeException e) {
      throw new JobFailure(
          "invalid",
          "Error while reading data, error message: record "
              + row
              + " of "
              + source.uri
              + ": "
              + e.getMessage());
    }
  }

  private static List<TableFieldSchema> schema(LoadJob job, boolean logical)
      throws IOException, JobFailure {
    List<TableFieldSchema> fields;
    if (job.keepsExistingTable()) {
      fields = job.existingFields();
    } else if (job.givenSchema() != null) {
      fields = job.givenSchema();
    } else {
      Source first = job.sources.get(0);
      try (DataFileReader<GenericRecord> in =
          new DataFileReader<>(first.path.toFile(), new GenericDatumReader<>())) {
        fields = AvroSchemas.fieldsOf(in.getSchema(), logical);
      } catch (IOException | IllegalArgumentException e) {
        throw new JobFailure(
            "invalid", "Cannot read the Avro schema of " + first.uri + ": " + e.getMessage());
      }
    }
    for (TableFieldSchema f : fields) {
      TableWrites.duckDbTypeOf(f); // a type the engine cannot hold fails the job before any row
    }
    return fields;
  }
}
