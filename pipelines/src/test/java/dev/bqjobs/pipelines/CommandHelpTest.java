package dev.bqjobs.pipelines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.options.Description;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

@RunWith(JUnit4.class)
public class CommandHelpTest {
  private static final String HELP = CommandHelp.text();

  /** The help with its line breaks and indentation folded, to find wrapped sentences. */
  private static String folded() {
    return HELP.replaceAll("\\s+", " ");
  }

  @Test
  public void startsWithTheUsageLine() {
    assertThat(HELP, startsWith("Usage: java -jar bqjobs.jar --jobs=FILE [options]\n"));
  }

  @Test
  public void everyOwnOptionWithItsDescriptionAndDefault() {
    List<Method> own = CommandHelp.ownGetters();
    assertEquals("jobs", CommandHelp.optionName(own.get(0)));
    for (Method getter : own) {
      String name = CommandHelp.optionName(getter);
      assertThat(HELP, containsString("  --" + name + "=<"));
      assertThat(folded(), containsString(getter.getAnnotation(Description.class).value().trim()));
    }
    assertThat(HELP, containsString("  --jobs=<String>\n"));
    assertThat(HELP, containsString("    Required\n"));
    assertThat(HELP, containsString("    Default: bqjobs-out\n"));
    assertThat(HELP, containsString("    Default: 100\n"));
    assertThat(HELP, containsString("    Default: true\n"));
    // The hand-written usage this replaces had lost 1d; the options' description has it.
    assertThat(folded(), containsString("30s, 5m, 6h, 1d"));
    assertThat(HELP, containsString("    Default: 6h\n"));
  }

  @Test
  public void onlyTheInheritedOptionsTheCommandUses() {
    for (String name : CommandHelp.INHERITED) {
      assertThat(HELP, containsString("  --" + name + "=<"));
    }
    assertTrue("no other Beam option", !HELP.contains("--tempLocation"));
    assertThat(CommandHelp.registeredRunners(), hasItem("DirectRunner"));
    assertThat(HELP, containsString("Runners in this jar: "));
    assertThat(HELP, containsString("  --runner=<Class>\n"));
    assertThat(HELP, containsString("    Default: DirectRunner\n"));
  }

  @Test
  public void exitCodesAndJobsFileFormat() {
    assertThat(HELP, containsString("    0  nothing failed\n"));
    assertThat(HELP, containsString("    1  a job failed"));
    assertThat(HELP, containsString("    2  bad command line or jobs file"));
    assertThat(
        folded(),
        containsString("An entry has key, projectId, location, jobId, labels, configuration"));
  }

  @Test
  public void linesFitInAHundredColumns() {
    for (String line : HELP.split("\n")) {
      assertTrue(line, line.length() <= 100);
    }
  }

  @Test
  public void readmeNamesEveryOwnOption() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    for (Method getter : CommandHelp.ownGetters()) {
      assertThat(readme, containsString("--" + CommandHelp.optionName(getter)));
    }
  }
}
