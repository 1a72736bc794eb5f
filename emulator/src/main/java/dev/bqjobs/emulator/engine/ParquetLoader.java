package dev.bqjobs.emulator.engine;

import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.api.services.bigquery.model.TableReference;
import dev.bqjobs.emulator.engine.Errors.JobFailure;
import dev.bqjobs.emulator.engine.LoadSources.Source;
import dev.bqjobs.emulator.sql.DuckDbTypes;
import dev.bqjobs.emulator.store.Catalog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Parquet loads: DuckDB reads the files itself, in bulk; Parquet files have no bad rows. */
final class ParquetLoader implements LoadFormat {
  @Override
  public Loaded load(Connection c, LoadJob job, BadRows bad) throws SQLException, JobFailure {
    List<TableFieldSchema> fields = schema(c, job);
    TableWrites.prepare(c, job.dest, job.exists, job.write, fields);
    return new Loaded(fields, insert(c, job.dest, job.sources));
  }

  private static List<TableFieldSchema> schema(Connection c, LoadJob job)
      throws SQLException, JobFailure {
    if (job.keepsExistingTable()) {
      return job.existingFields();
    }
    if (job.givenSchema() != null) {
      return job.givenSchema();
    }
    // Parquet files describe themselves; BigQuery reads their schema without autodetect.
    List<TableFieldSchema> fields = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("DESCRIBE SELECT * FROM " + files(job.sources));
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

  private static long insert(Connection c, TableReference dest, List<Source> sources)
      throws SQLException {
    try (Statement s = c.createStatement()) {
      return s.executeUpdate(
          "INSERT INTO "
              + Catalog.qualified(dest.getProjectId(), dest.getDatasetId(), dest.getTableId())
              + " BY NAME SELECT * FROM "
              + files(sources));
    }
  }

  private static String files(List<Source> sources) {
    List<String> literals = new ArrayList<>();
    for (Source s : sources) {
      literals.add(Catalog.literal(s.path.toString()));
    }
    return "read_parquet([" + String.join(", ", literals) + "])";
  }
}
