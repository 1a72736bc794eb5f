package dev.bqjobs.pipelines;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.stream.Stream;

/** The demo folder, copied so that a test's extract output never lands in the source tree. */
final class Demo {
  static final Path SOURCE = Paths.get("examples", "demo");

  private Demo() {}

  /** Copies {@code examples/demo} into {@code target} and returns the copy's jobs file. */
  static Path copyTo(Path target) throws IOException {
    try (Stream<Path> files = Files.walk(SOURCE)) {
      for (Path source : (Iterable<Path>) files::iterator) {
        Path dest = target.resolve(SOURCE.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(dest);
        } else if (!source.toString().contains("output")) {
          Files.copy(source, dest);
        }
      }
    }
    return target.resolve("jobs.yaml");
  }
}
