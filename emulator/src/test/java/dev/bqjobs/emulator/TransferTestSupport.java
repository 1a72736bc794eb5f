package dev.bqjobs.emulator;

import com.google.api.services.bigquery.Bigquery;
import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobConfigurationLoad;
import com.google.api.services.bigquery.model.JobReference;
import com.google.api.services.bigquery.model.TableCell;
import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.api.services.bigquery.model.TableReference;
import com.google.api.services.bigquery.model.TableRow;
import com.google.api.services.bigquery.model.TableSchema;
import dev.bqjobs.emulator.testing.ServerFixtures;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Helpers of the load, extract, copy and upload tests: gs:// files, job builders, table rows. */
final class TransferTestSupport {
  private TransferTestSupport() {}

  /** The local file behind a gs:// URI of this server. */
  static Path file(LocalBigQuery server, String uri) {
    return ServerFixtures.gcsFile(server.gcsRoot(), uri);
  }

  static Path write(LocalBigQuery server, String uri, String text) throws IOException {
    return ServerFixtures.writeGcs(server.gcsRoot(), uri, text);
  }

  static Path write(LocalBigQuery server, String uri, byte[] bytes) throws IOException {
    return ServerFixtures.writeGcs(server.gcsRoot(), uri, bytes);
  }

  static TableReference table(String project, String dataset, String table) {
    return new TableReference().setProjectId(project).setDatasetId(dataset).setTableId(table);
  }

  static TableSchema schema(String... nameTypePairs) {
    List<TableFieldSchema> fields = new ArrayList<>();
    for (int i = 0; i < nameTypePairs.length; i += 2) {
      fields.add(new TableFieldSchema().setName(nameTypePairs[i]).setType(nameTypePairs[i + 1]));
    }
    return new TableSchema().setFields(fields);
  }

  static Job job(String project, String jobId, JobConfiguration config) {
    return new Job()
        .setJobReference(new JobReference().setProjectId(project).setJobId(jobId))
        .setConfiguration(config);
  }

  static Job load(String project, String jobId, JobConfigurationLoad load) {
    return job(project, jobId, new JobConfiguration().setLoad(load));
  }

  /** Every row of a table, cells as strings (null stays null), in storage order. */
  static List<List<String>> rows(Bigquery bq, TableReference t) throws IOException {
    List<List<String>> out = new ArrayList<>();
    List<TableRow> rows =
        bq.tabledata().list(t.getProjectId(), t.getDatasetId(), t.getTableId()).execute().getRows();
    if (rows == null) {
      return out;
    }
    for (TableRow r : rows) {
      List<String> cells = new ArrayList<>();
      for (TableCell c : r.getF()) {
        Object v = c.getV();
        cells.add(v == null || com.google.api.client.util.Data.isNull(v) ? null : v.toString());
      }
      out.add(cells);
    }
    return out;
  }

  static long numRows(Bigquery bq, TableReference t) throws IOException {
    return bq.tables()
        .get(t.getProjectId(), t.getDatasetId(), t.getTableId())
        .execute()
        .getNumRows()
        .longValue();
  }
}
