package dev.bqjobs.emulator.engine;

import com.google.api.services.bigquery.model.JobConfigurationLoad;
import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.api.services.bigquery.model.TableReference;
import dev.bqjobs.emulator.engine.Errors.JobFailure;
import dev.bqjobs.emulator.engine.LoadSources.Source;
import dev.bqjobs.emulator.store.Catalog;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * One source format of load jobs: settles the destination's schema, prepares the table ({@link
 * TableWrites#prepare}) and writes the rows, all inside the job's open transaction. {@link
 * LoadRunner} lists the formats; adding one is one implementation.
 */
interface LoadFormat {
  /** Loads the job's sources; counts and lists bad rows in {@code bad} where rows can be bad. */
  Loaded load(Connection c, LoadJob job, BadRows bad) throws SQLException, IOException, JobFailure;

  /** What a load wrote: the destination's fields and the number of rows. */
  final class Loaded {
    final List<TableFieldSchema> fields;
    final long rows;

    Loaded(List<TableFieldSchema> fields, long rows) {
      this.fields = fields;
      this.rows = rows;
    }
  }

  /** One load job as the formats see it. */
  final class LoadJob {
    final JobRecord record;
    final JobConfigurationLoad load;
    final TableReference dest;

    /** Whether the destination existed before the load, and the write disposition. */
    final boolean exists;

    final String write;
    final List<Source> sources;
    final String format;
    private final Catalog catalog;

    LoadJob(
        JobRecord record,
        JobConfigurationLoad load,
        TableReference dest,
        boolean exists,
        String write,
        List<Source> sources,
        String format,
        Catalog catalog) {
      this.record = record;
      this.load = load;
      this.dest = dest;
      this.exists = exists;
      this.write = write;
      this.sources = sources;
      this.format = format;
      this.catalog = catalog;
    }

    /** The schema the job gives, or null when it gives none. */
    List<TableFieldSchema> givenSchema() {
      return load.getSchema() != null
              && load.getSchema().getFields() != null
              && !load.getSchema().getFields().isEmpty()
          ? load.getSchema().getFields()
          : null;
    }

    /** The destination's current fields. */
    List<TableFieldSchema> existingFields() {
      return catalog
          .schemaOf(dest.getProjectId(), dest.getDatasetId(), dest.getTableId())
          .getFields();
    }

    /** Whether the rows go into the existing table as it is (append, or empty-check). */
    boolean keepsExistingTable() {
      return exists && !write.equals("WRITE_TRUNCATE");
    }
  }
}
