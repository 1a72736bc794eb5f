package dev.bqjobs.emulator;

import static dev.bqjobs.emulator.TestSupport.dataset;
import static dev.bqjobs.emulator.TestSupport.waitDone;
import static dev.bqjobs.emulator.TransferTestSupport.numRows;
import static dev.bqjobs.emulator.TransferTestSupport.rows;
import static dev.bqjobs.emulator.TransferTestSupport.schema;
import static dev.bqjobs.emulator.TransferTestSupport.table;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobConfigurationLoad;
import com.google.api.services.bigquery.model.JobReference;
import com.google.cloud.NoCredentials;
import com.google.cloud.bigquery.BigQuery;
import com.google.cloud.bigquery.BigQueryOptions;
import com.google.cloud.bigquery.FormatOptions;
import com.google.cloud.bigquery.JobId;
import com.google.cloud.bigquery.TableDataWriteChannel;
import com.google.cloud.bigquery.TableId;
import com.google.cloud.bigquery.WriteChannelConfiguration;
import dev.bqjobs.emulator.wire.JsonCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

/** Media uploads of load jobs: the raw multipart and resumable protocols, and the Java client. */
public class UploadsTest {
  @ClassRule public static final LocalBigQueryRule BQ = new LocalBigQueryRule();

  static final String P = "upload-project";

  @BeforeClass
  public static void datasets() throws Exception {
    BQ.client().datasets().insert(P, dataset(P, "ds", null)).execute();
  }

  private static Job loadJob(String jobId, String tableId) {
    return new Job()
        .setJobReference(new JobReference().setProjectId(P).setJobId(jobId))
        .setConfiguration(
            new JobConfiguration()
                .setLoad(
                    new JobConfigurationLoad()
                        .setDestinationTable(table(P, "ds", tableId))
                        .setSchema(schema("name", "STRING", "n", "INTEGER"))));
  }

  /** Status, headers and body of one raw request. */
  private static final class Answer {
    int status;
    String location;
    String range;
    String body;
  }

  private static Answer send(
      String method, String url, String contentType, String range, byte[] body) throws IOException {
    HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
    c.setRequestMethod(method);
    c.setInstanceFollowRedirects(false);
    if (contentType != null) {
      c.setRequestProperty("Content-Type", contentType);
    }
    if (range != null) {
      c.setRequestProperty("Content-Range", range);
    }
    c.setDoOutput(true);
    c.setFixedLengthStreamingMode(body.length);
    try (OutputStream out = c.getOutputStream()) {
      out.write(body);
    }
    Answer a = new Answer();
    a.status = c.getResponseCode();
    a.location = c.getHeaderField("Location");
    a.range = c.getHeaderField("Range");
    InputStream in = a.status >= 400 ? c.getErrorStream() : c.getInputStream();
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    if (in != null) {
      try (in) {
        in.transferTo(text);
      }
    }
    a.body = text.toString(StandardCharsets.UTF_8);
    return a;
  }

  private static String uploadUrl(String type) {
    return BQ.rootUrl() + "upload/bigquery/v2/projects/" + P + "/jobs?uploadType=" + type;
  }

  @Test
  public void multipartUploadLoadsTheDataPart() throws Exception {
    String boundary = "bqjobs_boundary";
    String body =
        "--"
            + boundary
            + "\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n"
            + JsonCodec.write(loadJob("multipart_load", "multi"))
            + "\r\n--"
            + boundary
            + "\r\nContent-Type: application/octet-stream\r\n\r\n"
            + "ann,1\nbob,2\n"
            + "\r\n--"
            + boundary
            + "--\r\n";
    Answer a =
        send(
            "POST",
            uploadUrl("multipart"),
            "multipart/related; boundary=" + boundary,
            null,
            body.getBytes(StandardCharsets.UTF_8));
    assertThat(a.body, a.status, equalTo(200));
    Job inserted = JsonCodec.parse(a.body, Job.class, "job");
    Job done = waitDone(BQ.client(), inserted.getJobReference());
    assertThat(done.getStatus().getErrorResult(), nullValue());
    assertThat(done.getConfiguration().getLoad().getSourceUris(), nullValue());
    assertThat(
        rows(BQ.client(), table(P, "ds", "multi")),
        contains(List.of("ann", "1"), List.of("bob", "2")));
  }

  @Test
  public void resumableUploadInChunks() throws Exception {
    Answer start =
        send(
            "POST",
            uploadUrl("resumable"),
            "application/json; charset=UTF-8",
            null,
            JsonCodec.write(loadJob("resumable_load", "resumable"))
                .getBytes(StandardCharsets.UTF_8));
    assertThat(start.body, start.status, equalTo(200));
    String session = start.location;
    byte[] data = "ann,1\nbob,2\ncid,3\n".getBytes(StandardCharsets.UTF_8);
    Answer first =
        send("PUT", session, null, "bytes 0-9/*", java.util.Arrays.copyOfRange(data, 0, 10));
    assertThat(first.body, first.status, equalTo(308));
    assertThat(first.range, equalTo("bytes=0-9"));
    Answer last =
        send(
            "PUT",
            session,
            null,
            "bytes 10-" + (data.length - 1) + "/" + data.length,
            java.util.Arrays.copyOfRange(data, 10, data.length));
    assertThat(last.body, last.status, equalTo(200));
    Job done =
        waitDone(BQ.client(), JsonCodec.parse(last.body, Job.class, "job").getJobReference());
    assertThat(done.getStatus().getErrorResult(), nullValue());
    assertThat(done.getStatistics().getLoad().getOutputRows(), equalTo(3L));
  }

  @Test
  public void officialJavaClientWriterLoadsALocalFile() throws Exception {
    BigQuery bigquery =
        BigQueryOptions.newBuilder()
            .setHost(BQ.rootUrl())
            .setProjectId(P)
            .setCredentials(NoCredentials.getInstance())
            .build()
            .getService();
    WriteChannelConfiguration config =
        WriteChannelConfiguration.newBuilder(TableId.of(P, "ds", "from_client"))
            .setFormatOptions(FormatOptions.csv())
            .setSchema(
                com.google.cloud.bigquery.Schema.of(
                    com.google.cloud.bigquery.Field.of(
                        "name", com.google.cloud.bigquery.StandardSQLTypeName.STRING),
                    com.google.cloud.bigquery.Field.of(
                        "n", com.google.cloud.bigquery.StandardSQLTypeName.INT64)))
            .build();
    JobId jobId = JobId.newBuilder().setJob("client_upload").setLocation("US").build();
    StringBuilder csv = new StringBuilder();
    for (int i = 0; i < 1000; i++) {
      csv.append("row").append(i).append(',').append(i).append('\n');
    }
    com.google.cloud.bigquery.Job job;
    try (TableDataWriteChannel writer = bigquery.writer(jobId, config)) {
      writer.write(ByteBuffer.wrap(csv.toString().getBytes(StandardCharsets.UTF_8)));
      writer.close();
      job = writer.getJob();
    }
    job = job.waitFor();
    assertThat(job.getStatus().getError(), nullValue());
    assertThat(numRows(BQ.client(), table(P, "ds", "from_client")), equalTo(1000L));
  }

  @Test
  public void unknownSessionIsNotFound() throws Exception {
    Answer a =
        send(
            "PUT",
            BQ.rootUrl()
                + "upload/bigquery/v2/projects/"
                + P
                + "/jobs?uploadType=resumable&upload_id=nope",
            null,
            "bytes 0-0/1",
            new byte[] {'x'});
    assertThat(a.status, equalTo(404));
  }
}
