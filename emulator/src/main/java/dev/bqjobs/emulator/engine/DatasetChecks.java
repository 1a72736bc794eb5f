package dev.bqjobs.emulator.engine;

import com.google.api.services.bigquery.model.TableReference;
import dev.bqjobs.emulator.engine.Errors.JobFailure;
import dev.bqjobs.emulator.errors.BigQueryError;
import dev.bqjobs.emulator.iam.AccessControl;
import dev.bqjobs.emulator.store.Catalog;
import dev.bqjobs.emulator.store.Locations;
import java.util.List;

/**
 * Name, location and access rules shared by every job type: table references default to the job's
 * project, every dataset a job touches must be in the job's location, a job without {@code
 * jobReference.location} runs where its first existing dataset is (US otherwise), and the job's
 * principal must be allowed to read what it reads and change what it writes.
 */
final class DatasetChecks {
  private final Catalog catalog;
  private volatile AccessControl access = new AccessControl(null);

  DatasetChecks(Catalog catalog) {
    this.catalog = catalog;
  }

  void setAccessControl(AccessControl access) {
    this.access = access;
  }

  /** Fails the job with accessDenied unless its principal may read the table's data. */
  void requireRead(JobRecord record, TableReference t) throws JobFailure {
    if (!access.mayRead(record.principal, t.getProjectId(), t.getDatasetId())) {
      throw new JobFailure(
          "accessDenied",
          AccessControl.readDenied(t.getProjectId(), t.getDatasetId(), t.getTableId()));
    }
  }

  /** Fails the job with accessDenied unless its principal may create or change the table. */
  void requireWrite(JobRecord record, TableReference t) throws JobFailure {
    if (!access.mayWrite(record.principal, t.getProjectId(), t.getDatasetId())) {
      throw new JobFailure(
          "accessDenied",
          AccessControl.writeDenied(t.getProjectId(), t.getDatasetId(), t.getTableId()));
    }
  }

  /** The reference with the job's project filled in when it names none. */
  static TableReference resolve(TableReference ref, String jobProject) throws JobFailure {
    if (ref == null || ref.getDatasetId() == null || ref.getTableId() == null) {
      throw new JobFailure(
          "invalid", "A table reference needs a datasetId and a tableId, got " + ref + ".");
    }
    return ref.clone().setProjectId(ref.getProjectId() == null ? jobProject : ref.getProjectId());
  }

  static String fullName(TableReference t) {
    return t.getProjectId() + ":" + t.getDatasetId() + "." + t.getTableId();
  }

  /**
   * The location of the first existing dataset among {@code touched} (references without a project
   * belong to {@code jobProject}), else US.
   */
  String locationOfFirst(List<TableReference> touched, String jobProject) {
    for (TableReference ref : touched) {
      if (ref == null || ref.getDatasetId() == null) {
        continue;
      }
      String project = ref.getProjectId() == null ? jobProject : ref.getProjectId();
      try {
        String location = catalog.datasetLocation(project, ref.getDatasetId());
        if (location != null) {
          return location;
        }
      } catch (BigQueryError e) {
        // an invalid name fails the job later with a precise message
      }
    }
    return Locations.DEFAULT;
  }

  /** Fails the job with notFound unless the table's dataset exists in {@code location}. */
  void requireDatasetInLocation(TableReference table, String location) throws JobFailure {
    String actual;
    try {
      actual = catalog.datasetLocation(table.getProjectId(), table.getDatasetId());
    } catch (BigQueryError e) {
      throw new JobFailure(e.reason(), e.getMessage());
    }
    if (actual == null || !Locations.same(actual, location)) {
      throw new JobFailure(
          "notFound",
          "Not found: Dataset "
              + table.getProjectId()
              + ":"
              + table.getDatasetId()
              + " was not found in location "
              + location);
    }
  }

  /**
   * Checks a table a job writes: a valid table ID, its dataset in the job's location, and the
   * principal's right to change it.
   */
  void requireWritableDestination(JobRecord record, TableReference dest) throws JobFailure {
    requireDatasetInLocation(dest, record.location);
    requireWrite(record, dest);
    try {
      Catalog.validateTableId(dest.getTableId());
    } catch (BigQueryError e) {
      throw new JobFailure("invalid", e.getMessage());
    }
  }

  /** Fails the job with notFound unless the table exists (its dataset checked first). */
  void requireTable(TableReference table, String location) throws JobFailure {
    requireDatasetInLocation(table, location);
    if (!catalog.tableExists(table.getProjectId(), table.getDatasetId(), table.getTableId())) {
      throw new JobFailure(
          "notFound",
          "Not found: Table " + fullName(table) + " was not found in location " + location);
    }
  }
}
