package dev.bqjobs.pipelines;

import static org.junit.Assert.assertEquals;

import java.nio.file.Path;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * The demo on Spark in local mode with task retries allowed ({@code local[2,4]}): the same results
 * as on the DirectRunner. The surefire JVM has the {@code --add-opens} flags Spark needs on Java
 * 17.
 */
@RunWith(JUnit4.class)
public class SparkRunnerTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void demoRunsOnSpark() throws Exception {
    Path jobs = Demo.copyTo(tmp.newFolder("demo").toPath());
    Path out = tmp.getRoot().toPath().resolve("out");

    CommandRun run =
        CommandRun.of(
            "--jobs=" + jobs,
            "--output=" + out,
            "--runner=SparkRunner",
            "--sparkMaster=local[2,4]");

    assertEquals(run.toString(), BqJobsCommand.EXIT_JOB_FAILED, run.exitCode);
    DemoAssertions.check(out, jobs.getParent(), run);
  }
}
