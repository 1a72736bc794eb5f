package dev.bqjobs.pipelines;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.extensions.gcp.options.GcsOptions;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryOptions;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Where the jobs run, decided from what the user passed:
 *
 * <ul>
 *   <li>{@code --bigQueryEndpoint} given: that endpoint (a running local server or any compatible
 *       one), with {@code --project} or else {@value #LOCAL_PROJECT}; no credentials are sent.
 *   <li>{@code --project} given, no endpoint: real BigQuery with Application Default Credentials.
 *   <li>Neither: a local BigQuery server started in this process for the run, with {@code gs://}
 *       mapped to the jobs file's folder ({@code --emulatorGcsRoot} overrides) and tables in memory
 *       ({@code --emulatorDataDir} keeps them).
 * </ul>
 *
 * <p>A project that Beam defaults from a local gcloud configuration does not count as given: only
 * an explicitly set option does (Beam's display data of options lists exactly those).
 */
final class Endpoint implements AutoCloseable {
  static final String LOCAL_PROJECT = "bqjobs-local";

  /** Where the jobs run, in one sentence for {@code --help}: the rules of {@link #choose}. */
  static final String WHERE_JOBS_RUN =
      "The jobs run on --bigQueryEndpoint when given (project --project, else "
          + LOCAL_PROJECT
          + "); else with --project alone on BigQuery itself with Application Default"
          + " Credentials; with neither, on a local BigQuery server started in this process,"
          + " gs:// mapped to --emulatorGcsRoot (default: the jobs file's folder), which a jar built"
          + " with -Pdataflow does not carry.";

  /** The embedded server's class: absent from a {@code bqjobs.jar} built with -Pdataflow. */
  static final String EMBEDDED_SERVER_CLASS = "dev.bqjobs.emulator.LocalBigQuery";

  private final @Nullable String rootUrl;
  private final String project;
  private final @Nullable EmbeddedServer server;
  private final String description;

  private Endpoint(
      @Nullable String rootUrl,
      String project,
      @Nullable EmbeddedServer server,
      String description) {
    this.rootUrl = rootUrl;
    this.project = project;
    this.server = server;
    this.description = description;
  }

  /**
   * Chooses (and for the embedded server, starts) the endpoint; see the class documentation.
   *
   * @throws IllegalArgumentException when neither an endpoint nor a project is given and this jar
   *     carries no embedded server, saying what to pass
   */
  static Endpoint choose(BqJobsOptions options, Path jobsFile) throws IOException {
    return choose(options, jobsFile, embeddedServerAvailable());
  }

  /** True when the embedded server's classes are on the class path (not a -Pdataflow jar). */
  static boolean embeddedServerAvailable() {
    try {
      Class.forName(EMBEDDED_SERVER_CLASS, false, Endpoint.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  static Endpoint choose(BqJobsOptions options, Path jobsFile, boolean embeddedAvailable)
      throws IOException {
    String endpoint = blankToNull(options.getBigQueryEndpoint());
    String project = isExplicit(options, "project") ? blankToNull(options.getProject()) : null;
    if (endpoint != null) {
      String p = project != null ? project : LOCAL_PROJECT;
      return new Endpoint(
          endpoint, p, null, "BigQuery endpoint " + endpoint + " (project " + p + ")");
    }
    if (project != null) {
      return new Endpoint(
          null,
          project,
          null,
          "BigQuery (project " + project + ", Application Default Credentials)");
    }
    if (!embeddedAvailable) {
      throw new IllegalArgumentException(
          "this bqjobs.jar has no embedded local BigQuery server (it was built with mvn -Pdataflow"
              + " package, which leaves it out); give --project=ID for BigQuery or"
              + " --bigQueryEndpoint=URL for a running local server");
    }
    Path gcsRoot =
        options.getEmulatorGcsRoot() != null
            ? Paths.get(options.getEmulatorGcsRoot())
            : jobsFile.toAbsolutePath().getParent();
    Path dataDir = null;
    if (options.getEmulatorDataDir() != null) {
      dataDir = Paths.get(options.getEmulatorDataDir());
      Files.createDirectories(dataDir);
    }
    EmbeddedServer server = EmbeddedServer.start(LOCAL_PROJECT, gcsRoot, dataDir);
    return new Endpoint(
        server.rootUrl(),
        LOCAL_PROJECT,
        server,
        "a local BigQuery server started for this run at "
            + server.rootUrl()
            + " (no --bigQueryEndpoint or --project given; project "
            + LOCAL_PROJECT
            + ", gs:// is "
            + gcsRoot.toAbsolutePath()
            + (options.getEmulatorDataDir() != null
                ? ", tables kept in " + options.getEmulatorDataDir()
                : ", tables in memory")
            + ")");
  }

  /**
   * Creates, on the local server this command started, every dataset the entries name: that server
   * starts empty, whereas a real project has its datasets before jobs load into them. Nothing is
   * created on any other endpoint. A dataset is created in its entry's location, else {@code
   * defaultLocation}, else US.
   *
   * @return the datasets created, as {@code project:dataset}
   */
  List<String> createDatasets(List<JobsFileEntry> entries, @Nullable String defaultLocation)
      throws IOException {
    List<String> created = new ArrayList<>();
    if (server == null) {
      return created;
    }
    Map<String, String> locations = new TreeMap<>();
    for (JobsFileEntry entry : entries) {
      if (entry.request() == null) {
        continue;
      }
      String entryProject = entry.projectId() != null ? entry.projectId() : project;
      String location =
          entry.location() != null
              ? entry.location()
              : defaultLocation != null ? defaultLocation : "US";
      for (String dataset : TableRefs.datasets(entry.request().getConfiguration(), entryProject)) {
        locations.putIfAbsent(dataset, location);
      }
    }
    for (Map.Entry<String, String> dataset : locations.entrySet()) {
      String[] parts = dataset.getKey().split(":", 2);
      if (server.createDataset(parts[0], parts[1], dataset.getValue())) {
        created.add(dataset.getKey() + " (" + dataset.getValue() + ")");
      }
    }
    return created;
  }

  /** True when the option was set by the user, not defaulted. */
  static boolean isExplicit(PipelineOptions options, String name) {
    for (DisplayData.Item item : DisplayData.from(options).items()) {
      if (name.equals(item.getKey())) {
        return true;
      }
    }
    return false;
  }

  /** The root URL for the transform, or null for BigQuery itself. */
  @Nullable String rootUrl() {
    return rootUrl;
  }

  String project() {
    return project;
  }

  /**
   * Points the pipeline's own I/O at the local server this command started ({@link
   * LocalBigQuery#pipelineArgs()}): {@code gs://} through its Cloud Storage API ({@code
   * --gcsEndpoint}, so {@code --output=gs://BUCKET/...} lands in the same folder the jobs read and
   * write), no credentials, {@code --bigQueryEndpoint} and {@code --project} unless given. Not
   * {@code --tempLocation}: the command's pipeline needs none, and the SparkRunner stages its jar
   * there as a local path (a {@code gs://} one failed the Spark demo, measured). Nothing changes
   * for any other endpoint.
   */
  void pointPipelineAtServer(PipelineOptions options) {
    if (server == null) {
      return;
    }
    GcsOptions local =
        PipelineOptionsFactory.fromArgs(server.pipelineArgs().toArray(new String[0]))
            .as(GcsOptions.class);
    GcsOptions gcs = options.as(GcsOptions.class);
    gcs.setGcsEndpoint(local.getGcsEndpoint());
    gcs.setCredentialFactoryClass(local.getCredentialFactoryClass());
    if (!isExplicit(options, "project")) {
      gcs.setProject(project);
    }
    options.as(BigQueryOptions.class).setBigQueryEndpoint(server.rootUrl());
  }

  boolean embedded() {
    return server != null;
  }

  /** One line for the console, e.g. "a local BigQuery server started for this run at ...". */
  String description() {
    return description;
  }

  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
  }

  private static @Nullable String blankToNull(@Nullable String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
