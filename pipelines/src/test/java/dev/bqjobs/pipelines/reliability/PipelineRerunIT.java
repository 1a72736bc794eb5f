package dev.bqjobs.pipelines.reliability;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import dev.bqjobs.emulator.LocalBigQuery;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The same jobs file and run token a second time, against the same running server: no new job
 * starts (the server's executions and successful inserts do not change) and every key reports the
 * same outcome, job ID and attempts. The first run has succeeded jobs, jobs rerun after a retryable
 * failure, and failing jobs.
 */
public class PipelineRerunIT {
  private static final String PROJECT = "bqjobs-local";

  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void secondRunWithTheSameTokenStartsNoJobAndReportsTheSameOutcomes() throws Exception {
    int inserts = Reliability.full() ? 300 : 60;
    int broken = 5;
    Path dir = tmp.getRoot().toPath();
    try (LocalBigQuery server =
        LocalBigQuery.builder()
            .project(PROJECT)
            .jobRuntime(Duration.ofMillis(50), Duration.ofMillis(500))
            .seed(11)
            .start()) {
      Reliability.createLog(server.client(), PROJECT);
      // Faults only after the set-up: its own query (a server-made job ID) could draw one too.
      server.setFaults("job:backendError=0.2;jobs.insert:lost=0.1");
      List<String> entries = new ArrayList<>();
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < inserts; i++) {
        entries.add(Reliability.insertEntry("k" + i));
        keys.add("k" + i);
      }
      for (int i = 0; i < broken; i++) {
        entries.add(
            "{\"key\":\"bad"
                + i
                + "\",\"configuration\":{\"query\":{\"query\":\"SELECT * FROM ds.missing"
                + i
                + "\",\"useLegacySql\":false}}}");
        keys.add("bad" + i);
      }
      Path jobsFile = dir.resolve("jobs.jsonl");
      Files.write(jobsFile, entries, StandardCharsets.UTF_8);

      Reliability.Run first = run(jobsFile, dir.resolve("out1"), server);
      Map<String, Integer> executedFirst =
          Reliability.executions(server.executionsPerJob(), PROJECT, "rel_rerun_");
      long insertsFirst = server.requestCounts().getOrDefault("jobs.insert 200", 0L);
      long conflictsFirst = server.requestCounts().getOrDefault("jobs.insert 409", 0L);
      List<Reliability.Line> firstLines = Reliability.results(dir.resolve("out1"));

      Reliability.Run second = run(jobsFile, dir.resolve("out2"), server);
      Map<String, Integer> executedSecond =
          Reliability.executions(server.executionsPerJob(), PROJECT, "rel_rerun_");
      long insertsSecond = server.requestCounts().getOrDefault("jobs.insert 200", 0L);
      long conflictsSecond = server.requestCounts().getOrDefault("jobs.insert 409", 0L);
      List<Reliability.Line> secondLines = Reliability.results(dir.resolve("out2"));

      Reliability.Check check = new Reliability.Check(keys, firstLines, executedFirst);
      Reliability.Check recheck = new Reliability.Check(keys, secondLines, executedSecond);
      Map<String, String> firstOutcomes = outcomes(firstLines);
      Map<String, String> secondOutcomes = outcomes(secondLines);
      int newJobs = executedSecond.size() - executedFirst.size();

      Map<String, Object> fields = new LinkedHashMap<>();
      fields.putAll(check.fields());
      fields.put("second_run_results", recheck.results);
      fields.put("second_run_each_once", recheck.eachOnce());
      fields.put("second_run_new_jobs", newJobs);
      fields.put("second_run_new_executions", recheck.executions - check.executions);
      fields.put("second_run_successful_inserts", insertsSecond - insertsFirst);
      fields.put("second_run_409_reattached", conflictsSecond - conflictsFirst);
      fields.put("same_outcomes", firstOutcomes.equals(secondOutcomes));
      fields.put("exit_codes", first.exitCode + "/" + second.exitCode);
      Reliability.figure("pipeline_rerun", fields);

      check.assertConserved("first run");
      recheck.assertConserved("second run");
      assertThat("the first run reran some jobs", check.reruns, greaterThan(0));
      assertThat("the first run had failures", check.failed, greaterThan(0));
      assertThat("no new job", executedSecond, equalTo(executedFirst));
      assertThat("no successful insert in the second run", insertsSecond, equalTo(insertsFirst));
      assertThat("the same outcomes", secondOutcomes, equalTo(firstOutcomes));
      assertThat("the same exit code", second.exitCode, equalTo(first.exitCode));
    }
  }

  private static Reliability.Run run(Path jobsFile, Path out, LocalBigQuery server)
      throws Exception {
    return Reliability.commandOn(
        Duration.ofMinutes(Reliability.full() ? 15 : 5),
        server.rootUrl(),
        jobsFile,
        out,
        "--runToken=rerun",
        "--jobIdPrefix=rel",
        "--jobTimeout=10m");
  }

  /** key -> outcome, job ID, attempts and reason. */
  private static Map<String, String> outcomes(List<Reliability.Line> lines) {
    Map<String, String> m = new TreeMap<>();
    for (Reliability.Line l : lines) {
      m.put(l.key, l.outcome + " " + l.jobId + " " + l.attempts + " " + l.reason);
    }
    return m;
  }
}
