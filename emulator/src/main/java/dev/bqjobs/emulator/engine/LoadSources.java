package dev.bqjobs.emulator.engine;

import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobConfigurationLoad;
import dev.bqjobs.emulator.engine.Errors.JobFailure;
import dev.bqjobs.emulator.errors.BigQueryError;
import dev.bqjobs.emulator.store.GcsPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Where a load job's files are: {@code gs://} URIs (wildcards included) in the folder standing in
 * for Cloud Storage, or the one file a client uploaded with the job, held here from upload to run.
 */
final class LoadSources {
  /** One file to read: the URI users see (in messages) and where it is. */
  static final class Source {
    final String uri;
    final Path path;

    Source(String uri, Path path) {
      this.uri = uri;
      this.path = path;
    }
  }

  private final GcsPaths gcs;

  /** Uploaded source files by {@code project:jobId}, owned by their job. */
  private final Map<String, Path> uploads = new ConcurrentHashMap<>();

  LoadSources(GcsPaths gcs) {
    this.gcs = gcs;
  }

  /** Whether the job {@code project:jobId} has an uploaded file waiting. */
  boolean hasUpload(String project, String jobId) {
    return uploads.containsKey(project + ":" + jobId);
  }

  /**
   * Registers {@code data} as the single source of the job {@code jobId} while {@code insert}
   * creates it; an insert that fails takes the file with it.
   */
  Job withUpload(String project, String jobId, Path data, Supplier<Job> insert) {
    String key = project + ":" + jobId;
    if (uploads.putIfAbsent(key, data) != null) {
      deleteQuietly(data);
      throw BigQueryError.duplicate("Already Exists: Job " + project + ":" + jobId);
    }
    try {
      return insert.get();
    } catch (RuntimeException e) {
      uploads.remove(key, data);
      deleteQuietly(data);
      throw e;
    }
  }

  /** Hands the job's uploaded file (or null) to its run, which deletes it when done. */
  Path takeUpload(String project, String jobId) {
    return uploads.remove(project + ":" + jobId);
  }

  static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // a temp file left behind is harmless
    }
  }

  /** The files to load: the upload, or every file each source URI matches. */
  List<Source> resolve(JobConfigurationLoad load, Path uploaded) throws JobFailure {
    if (uploaded != null) {
      return List.of(new Source("upload", uploaded));
    }
    if (gcs == null) {
      throw new JobFailure("invalid", "This server has no folder standing in for gs://.");
    }
    List<Source> out = new ArrayList<>();
    for (String uri : load.getSourceUris()) {
      List<Path> files;
      try {
        files = gcs.match(uri);
      } catch (GcsPaths.InvalidUriException e) {
        throw new JobFailure("invalid", e.getMessage());
      }
      if (files.isEmpty()) {
        throw new JobFailure("notFound", "Not found: URI " + uri);
      }
      for (Path f : files) {
        // A wildcard names each file it matched by its own gs:// URI in messages.
        String name =
            uri.contains("*")
                ? uri.substring(0, uri.indexOf('/', 5) + 1)
                    + gcs.root()
                        .resolve(uri.substring(5, uri.indexOf('/', 5)))
                        .relativize(f)
                        .toString()
                        .replace('\\', '/')
                : uri;
        out.add(new Source(name, f));
      }
    }
    return out;
  }
}
