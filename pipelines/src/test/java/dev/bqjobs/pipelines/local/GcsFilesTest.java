package dev.bqjobs.pipelines.local;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.bqjobs.emulator.LocalBigQueryRule;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * Beam's GCS file system against the local server's Cloud Storage API: TextIO writes sharded files
 * to {@code gs://} (temp files, rewrites and deletes in batches) and reads them back by glob.
 */
@RunWith(JUnit4.class)
public class GcsFilesTest {
  @ClassRule public static final LocalBigQueryRule BQ = new LocalBigQueryRule();

  static PipelineOptions options() {
    return PipelineOptionsFactory.fromArgs(BQ.pipelineArgs().toArray(new String[0])).create();
  }

  @Test
  public void textIoWritesAndReadsGsFiles() throws Exception {
    Path bucket = Files.createDirectories(BQ.server().gcsRoot().resolve("files"));
    List<String> lines =
        IntStream.range(0, 1000).mapToObj(i -> "line " + i).collect(Collectors.toList());

    Pipeline write = Pipeline.create(options());
    write
        .apply("Lines", Create.of(lines))
        .apply(
            "Write", TextIO.write().to("gs://files/out/part").withNumShards(3).withSuffix(".txt"));
    assertEquals(PipelineResult.State.DONE, write.run().waitUntilFinish());

    List<String> onDisk = new ArrayList<>();
    try (Stream<Path> files = Files.walk(bucket)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        assertTrue(f.toString(), f.getFileName().toString().endsWith("-of-00003.txt"));
        onDisk.addAll(Files.readAllLines(f, StandardCharsets.UTF_8));
      }
    }
    assertEquals(1000, onDisk.size());

    Pipeline read = Pipeline.create(options());
    PCollection<String> back = read.apply("Read", TextIO.read().from("gs://files/out/part*.txt"));
    PAssert.that(back).containsInAnyOrder(lines);
    assertEquals(PipelineResult.State.DONE, read.run().waitUntilFinish());
    System.out.println("storage calls: " + BQ.server().requestCounts());
  }
}
