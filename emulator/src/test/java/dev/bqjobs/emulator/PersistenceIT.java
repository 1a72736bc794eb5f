package dev.bqjobs.emulator;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.Assert.assertThrows;

import com.google.api.client.googleapis.json.GoogleJsonResponseException;
import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.api.services.bigquery.Bigquery;
import com.google.api.services.bigquery.model.Dataset;
import com.google.api.services.bigquery.model.DatasetReference;
import com.google.api.services.bigquery.model.Job;
import dev.bqjobs.emulator.wire.JsonCodec;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** --data-dir: what survives a restart, and what a job interrupted by a crash becomes. */
public class PersistenceIT {
  private static final String PROJECT = "persist-project";

  @Rule public final TemporaryFolder folder = new TemporaryFolder();

  private static Job query(String jobId, String sql, Long runtimeMs) {
    Job job = QueryJobsTest.queryJob(jobId, sql);
    job.getJobReference().setProjectId(PROJECT);
    if (runtimeMs != null) {
      job.getConfiguration().setLabels(Map.of("bqjobs-emulator-runtime-ms", runtimeMs.toString()));
    }
    return job;
  }

  /** Creates an EU dataset, a table, a finished job and a job left RUNNING. */
  private static void populate(Bigquery bq) throws Exception {
    bq.datasets()
        .insert(
            PROJECT,
            new Dataset()
                .setDatasetReference(new DatasetReference().setDatasetId("kept"))
                .setLocation("EU"))
        .execute();
    Job done =
        QueryJobsTest.waitDone(
            bq,
            bq.jobs()
                .insert(PROJECT, query("make_table", "CREATE TABLE kept.t AS SELECT 7 AS x", null))
                .execute());
    assertThat(done.getStatus().getErrorResult(), equalTo(null));
    Job running =
        bq.jobs()
            .insert(
                PROJECT, query("interrupted", "CREATE TABLE kept.never AS SELECT 1 AS y", 600_000L))
            .execute();
    assertThat(running.getStatus().getState(), equalTo("RUNNING"));
  }

  private static void checkAfterRestart(Bigquery bq) throws Exception {
    assertThat(bq.datasets().get(PROJECT, "kept").execute().getLocation(), equalTo("EU"));
    assertThat(
        bq.tables().get(PROJECT, "kept", "t").execute().getNumRows().longValue(), equalTo(1L));
    Job done = bq.jobs().get(PROJECT, "make_table").setLocation("EU").execute();
    assertThat(done.getStatus().getState(), equalTo("DONE"));
    assertThat(done.getStatus().getErrorResult(), equalTo(null));
    assertThat(done.getStatistics().getQuery().getDdlOperationPerformed(), equalTo("CREATE"));
    Job interrupted = bq.jobs().get(PROJECT, "interrupted").setLocation("EU").execute();
    assertThat(interrupted.getStatus().getState(), equalTo("DONE"));
    assertThat(interrupted.getStatus().getErrorResult().getReason(), equalTo("backendError"));
    GoogleJsonResponseException gone =
        assertThrows(
            GoogleJsonResponseException.class,
            () -> bq.tables().get(PROJECT, "kept", "never").execute());
    assertThat(gone.getStatusCode(), equalTo(404));
    GoogleJsonResponseException again =
        assertThrows(
            GoogleJsonResponseException.class,
            () -> bq.jobs().insert(PROJECT, query("make_table", "SELECT 1", null)).execute());
    assertThat(again.getStatusCode(), equalTo(409));
    assertThat(again.getDetails().getMessage(), containsString(PROJECT + ":EU.make_table"));
  }

  @Test
  public void inProcessRestartKeepsDatasetsTablesAndJobs() throws Exception {
    Path data = folder.newFolder("data").toPath();
    try (LocalBigQuery first = LocalBigQuery.builder().dataDir(data).start()) {
      populate(first.client());
    }
    try (LocalBigQuery second = LocalBigQuery.builder().dataDir(data).start()) {
      checkAfterRestart(second.client());
      assertThat(second.executionsPerJob().get(PROJECT + ":make_table"), equalTo(1));
    }
  }

  @Test
  public void killedProcessRestartsWithNothingHalfDone() throws Exception {
    Path data = folder.newFolder("killed").toPath();
    Process first = launch(data);
    try {
      populate(client(awaitListening(first)));
    } finally {
      first.destroyForcibly(); // SIGKILL: no shutdown hook runs
      first.waitFor(30, TimeUnit.SECONDS);
    }
    Process second = launch(data);
    try {
      checkAfterRestart(client(awaitListening(second)));
    } finally {
      second.destroyForcibly();
      second.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  public void killDuringALoadLeavesTheTableAsItWas() throws Exception {
    Path data = folder.newFolder("load-data").toPath();
    Path gcs = folder.newFolder("gcs").toPath();
    Path csv = gcs.resolve("bucket").resolve("big.csv");
    Files.createDirectories(csv.getParent());
    // Big enough that loading it takes seconds, so the kill lands while rows are being written.
    try (java.io.BufferedWriter w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
      for (int i = 0; i < 1_500_000; i++) {
        w.write(i + ",name_" + i + "\n");
      }
    }
    Process first = launch(data, "--gcs-root", gcs.toString());
    try {
      Bigquery bq = client(awaitListening(first));
      bq.datasets()
          .insert(
              PROJECT, new Dataset().setDatasetReference(new DatasetReference().setDatasetId("ds")))
          .execute();
      Job seed =
          QueryJobsTest.waitDone(
              bq,
              bq.jobs()
                  .insert(
                      PROJECT,
                      query(
                          "seed",
                          "CREATE TABLE ds.target AS SELECT CAST(1 AS INT64) AS id, 'one' AS name",
                          null))
                  .execute());
      assertThat(seed.getStatus().getErrorResult(), equalTo(null));
      Job load =
          new Job()
              .setJobReference(
                  new com.google.api.services.bigquery.model.JobReference()
                      .setProjectId(PROJECT)
                      .setJobId("big_load"))
              .setConfiguration(
                  new com.google.api.services.bigquery.model.JobConfiguration()
                      .setLoad(
                          new com.google.api.services.bigquery.model.JobConfigurationLoad()
                              .setSourceUris(List.of("gs://bucket/big.csv"))
                              .setSourceFormat("CSV")
                              .setWriteDisposition("WRITE_APPEND")
                              .setDestinationTable(
                                  new com.google.api.services.bigquery.model.TableReference()
                                      .setProjectId(PROJECT)
                                      .setDatasetId("ds")
                                      .setTableId("target"))));
      Job inserted = bq.jobs().insert(PROJECT, load).execute();
      String state = inserted.getStatus().getState();
      for (int i = 0; i < 10_000 && state.equals("PENDING"); i++) {
        state =
            bq.jobs().get(PROJECT, "big_load").setLocation("US").execute().getStatus().getState();
      }
      assertThat("the load must still be running when killed", state, equalTo("RUNNING"));
    } finally {
      first.destroyForcibly();
      first.waitFor(30, TimeUnit.SECONDS);
    }
    Process second = launch(data, "--gcs-root", gcs.toString());
    try {
      Bigquery bq = client(awaitListening(second));
      Job load = bq.jobs().get(PROJECT, "big_load").setLocation("US").execute();
      assertThat(load.getStatus().getState(), equalTo("DONE"));
      assertThat(load.getStatus().getErrorResult().getReason(), equalTo("backendError"));
      assertThat(
          bq.tables().get(PROJECT, "ds", "target").execute().getNumRows().longValue(), equalTo(1L));
    } finally {
      second.destroyForcibly();
      second.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static Bigquery client(String url) {
    return new Bigquery.Builder(new NetHttpTransport(), JsonCodec.factory(), r -> {})
        .setRootUrl(url + "/")
        .build();
  }

  private static Process launch(Path dataDir, String... more) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.addAll(List.of("--port", "0", "--data-dir", dataDir.toString()));
    command.addAll(List.of(more));
    File err = Files.createTempFile("bqjobs-persist", ".err").toFile();
    err.deleteOnExit();
    return new ProcessBuilder(command).redirectError(err).start();
  }

  private static String awaitListening(Process process) throws Exception {
    Pattern listening = Pattern.compile("listening on (http://[^\\s]+)");
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      Matcher m = listening.matcher(line);
      if (m.find()) {
        return m.group(1);
      }
    }
    throw new AssertionError("server ended before listening");
  }
}
