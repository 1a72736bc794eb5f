package dev.bqjobs.pipelines;

import com.google.api.client.googleapis.json.GoogleJsonResponseException;
import dev.bqjobs.emulator.LocalBigQuery;
import dev.bqjobs.emulator.testing.ServerFixtures;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The local BigQuery server the command starts in its own process when given neither an endpoint
 * nor a project. The only class of the command that names the server's classes: a {@code
 * bqjobs.jar} built without them ({@code mvn -Pdataflow package}, so that DuckDB is not shipped to
 * every worker) loads it never, and {@link Endpoint} says so before touching it.
 */
final class EmbeddedServer implements AutoCloseable {
  private final LocalBigQuery server;

  private EmbeddedServer(LocalBigQuery server) {
    this.server = server;
  }

  static EmbeddedServer start(String project, Path gcsRoot, @Nullable Path dataDir)
      throws IOException {
    LocalBigQuery.Builder builder = LocalBigQuery.builder().project(project).gcsRoot(gcsRoot);
    if (dataDir != null) {
      builder.dataDir(dataDir);
    }
    return new EmbeddedServer(builder.start());
  }

  String rootUrl() {
    return server.rootUrl();
  }

  /** The arguments that point a pipeline's BigQuery and Cloud Storage clients at this server. */
  List<String> pipelineArgs() {
    return server.pipelineArgs();
  }

  /**
   * Creates a dataset in {@code location}; false when it exists already or its name is bad (the
   * jobs that use a bad name then fail with BigQuery's own message).
   */
  boolean createDataset(String project, String dataset, String location) throws IOException {
    try {
      // The server's own fixture: the same dataset a test would create.
      ServerFixtures.createDataset(server.client(), project, dataset, location);
      return true;
    } catch (GoogleJsonResponseException e) {
      return false;
    }
  }

  @Override
  public void close() {
    server.close();
  }
}
