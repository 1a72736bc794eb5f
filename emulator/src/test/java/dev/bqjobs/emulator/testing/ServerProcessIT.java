package dev.bqjobs.emulator.testing;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.google.api.services.bigquery.Bigquery;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The server as its own process, started from this JVM's class path. */
public class ServerProcessIT {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void startsKilledRestartsOnItsPortWithItsDataAndStops() throws Exception {
    Path data = tmp.newFolder("data").toPath();
    Path log = tmp.getRoot().toPath().resolve("server.log");
    ServerProcess server =
        ServerProcess.builder()
            .jvmOptions("-Xmx256m")
            .args("--data-dir", data.toString(), "--project", "proc")
            .log(log)
            .start();
    try {
      assertEquals("classpath", server.launcher());
      assertEquals("http://127.0.0.1:" + server.port() + "/", server.rootUrl());
      Bigquery bq = ServerFixtures.client(server.rootUrl());
      ServerFixtures.createDataset(bq, "proc", "kept", null);

      server.kill();
      assertFalse(server.isAlive());
      int port = server.port();
      Duration down = server.restart();
      assertTrue(down.toString(), !down.isNegative());
      assertEquals(port, server.port());
      assertTrue(server.isAlive());
      assertEquals(
          "kept", bq.datasets().get("proc", "kept").execute().getDatasetReference().getDatasetId());
      assertTrue(server.stats().has("requests"));
    } finally {
      server.close();
    }
    assertFalse(server.isAlive());
    String output = Files.readString(log);
    assertEquals(output, 2, output.split("listening on", -1).length - 1);
  }

  @Test
  public void aServerThatCannotStartFailsWithItsOutput() {
    IOException e =
        assertThrows(
            IOException.class, () -> ServerProcess.builder().args("--no-such-option", "x").start());
    assertThat(e.getMessage(), containsString("exited before listening"));
    assertThat(e.getMessage(), containsString("unknown option --no-such-option"));
  }

  @Test
  public void commandShowsTheLaunchAndThePortIsNotAnArg() {
    List<String> command =
        ServerProcess.builder().jar(Path.of("server.jar")).args("--seed", "3").command();
    assertEquals(
        List.of("-jar", "server.jar", "--port", "0", "--seed", "3"),
        command.subList(1, command.size()));
    assertThrows(
        IllegalArgumentException.class, () -> ServerProcess.builder().args("--port", "9050"));
  }
}
