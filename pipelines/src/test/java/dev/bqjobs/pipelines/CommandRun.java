package dev.bqjobs.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One run of the command with captured console output. */
final class CommandRun {
  final int exitCode;
  final String out;
  final String err;

  private CommandRun(int exitCode, String out, String err) {
    this.exitCode = exitCode;
    this.out = out;
    this.err = err;
  }

  static CommandRun of(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        new BqJobsCommand(
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                false)
            .execute(args);
    return new CommandRun(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** The JSON objects of one output file, in file order. */
  static List<JsonNode> lines(Path dir, String name) throws IOException {
    List<JsonNode> nodes = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve(name), StandardCharsets.UTF_8)) {
      nodes.add(ResultJson.parse(line));
    }
    return nodes;
  }

  static List<String> keys(List<JsonNode> nodes) {
    return nodes.stream().map(n -> n.get("key").asText()).toList();
  }

  @Override
  public String toString() {
    return "exit " + exitCode + "\nstdout:\n" + out + "\nstderr:\n" + err;
  }
}
