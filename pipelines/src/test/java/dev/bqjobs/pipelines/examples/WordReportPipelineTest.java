package dev.bqjobs.pipelines.examples;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.google.api.services.bigquery.model.Dataset;
import com.google.api.services.bigquery.model.DatasetReference;
import com.google.api.services.bigquery.model.JobList;
import dev.bqjobs.emulator.LocalBigQueryRule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * The word report end to end on the DirectRunner against the local server: text files read from and
 * staged files written to its {@code gs://} through Beam's GCS file system, a load, a query and an
 * extract run as jobs, and the extract read back from {@code gs://} into the final file.
 */
@RunWith(JUnit4.class)
public class WordReportPipelineTest {
  @ClassRule public static final LocalBigQueryRule BQ = new LocalBigQueryRule();

  @BeforeClass
  public static void inputAndDataset() throws Exception {
    Path input = Files.createDirectories(BQ.server().gcsRoot().resolve("words-bucket/input"));
    Files.writeString(input.resolve("a.txt"), "the cat and the hat\nThe end.\n");
    Files.writeString(input.resolve("b.txt"), "a cat, a bat and a rat\n");
    Files.writeString(input.resolve("notes.md"), "not read: the glob takes *.txt only\n");
    String project = BQ.server().projectId();
    BQ.client()
        .datasets()
        .insert(
            project,
            new Dataset()
                .setDatasetReference(
                    new DatasetReference().setProjectId(project).setDatasetId("words")))
        .execute();
  }

  @Test
  public void filesInJobsAndFilesOutOnLocalGcs() throws Exception {
    List<String> args = new ArrayList<>(BQ.pipelineArgs());
    args.add("--input=gs://words-bucket/input/*.txt");
    args.add("--stagingPrefix=gs://words-bucket/staged/counts");
    args.add("--extractUri=gs://words-bucket/extract/top-*.csv");
    args.add("--report=gs://words-bucket/report/top_words.csv");
    args.add("--deadLetterPrefix=gs://words-bucket/dead/letters");
    args.add("--topWords=4");
    args.add("--dataset=words");
    WordReportPipeline.Options options =
        PipelineOptionsFactory.fromArgs(args.toArray(new String[0]))
            .withValidation()
            .as(WordReportPipeline.Options.class);

    assertEquals(PipelineResult.State.DONE, WordReportPipeline.run(options).waitUntilFinish());

    Path bucket = BQ.server().gcsRoot().resolve("words-bucket");
    assertEquals(
        List.of("word,count", "a,3", "the,3", "and,2", "cat,2"),
        Files.readAllLines(bucket.resolve("report/top_words.csv")));
    try (Stream<Path> deadLetters = Files.list(bucket.resolve("dead"))) {
      for (Path f : (Iterable<Path>) deadLetters::iterator) {
        assertEquals("no job failed: " + f, 0, Files.size(f));
      }
    }
    assertTrue(Files.exists(bucket.resolve("extract/top-000000000000.csv")));
    try (Stream<Path> staged = Files.list(bucket.resolve("staged"))) {
      assertTrue(staged.anyMatch(f -> f.getFileName().toString().endsWith(".json")));
    }
    List<String> kinds = new ArrayList<>();
    for (JobList.Jobs job :
        BQ.client().jobs().list(BQ.server().projectId()).setAllUsers(true).execute().getJobs()) {
      kinds.add(
          job.getConfiguration().getLoad() != null
              ? "load"
              : job.getConfiguration().getExtract() != null ? "extract" : "query");
    }
    kinds.sort(null);
    assertEquals(List.of("extract", "load", "query"), kinds);
    BQ.server().executionsPerJob().values().forEach(n -> assertEquals(1, n.intValue()));
  }
}
