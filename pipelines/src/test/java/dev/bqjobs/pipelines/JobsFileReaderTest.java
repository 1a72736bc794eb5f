package dev.bqjobs.pipelines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;

import com.google.api.services.bigquery.model.JobConfiguration;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/** Jobs file parsing: every bad-file case names file, entry and line; configurations coerce. */
@RunWith(JUnit4.class)
public class JobsFileReaderTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private Path file(String name, String content) throws IOException {
    Path path = tmp.getRoot().toPath().resolve(name);
    Files.writeString(path, content, StandardCharsets.UTF_8);
    return path;
  }

  private String error(Path file) {
    return assertThrows(JobsFileException.class, () -> JobsFileReader.read(file)).getMessage();
  }

  @Test
  public void readsYamlWithInt64AsNumbersOrStrings() throws Exception {
    Path f =
        file(
            "jobs.yaml",
            String.join(
                "\n",
                "- key: a",
                "  location: EU",
                "  labels: {team: data, year: 2026}",
                "  configuration:",
                "    query: {query: SELECT 1, useLegacySql: false, maximumBytesBilled: 1000}",
                "- key: 2026",
                "  jobId: my_job",
                "  configuration:",
                "    jobTimeoutMs: \"60000\"",
                "    load:",
                "      sourceUris: [gs://b/x.csv]",
                "      maxBadRecords: \"5\"",
                "      destinationTable: {datasetId: d, tableId: t}",
                ""));
    List<JobsFileEntry> entries = JobsFileReader.read(f);
    assertEquals(2, entries.size());
    JobConfiguration a = entries.get(0).request().getConfiguration();
    assertEquals(Long.valueOf(1000), a.getQuery().getMaximumBytesBilled());
    assertEquals("2026", a.getLabels().get("year"));
    assertEquals("EU", entries.get(0).request().getLocation());
    assertEquals("2026", entries.get(1).key());
    assertEquals("my_job", entries.get(1).request().getJobId());
    JobConfiguration b = entries.get(1).request().getConfiguration();
    assertEquals(Long.valueOf(60000), b.getJobTimeoutMs());
    assertEquals(Integer.valueOf(5), b.getLoad().getMaxBadRecords());
    assertEquals("entry 2 (line 6)", entries.get(1).where());
  }

  @Test
  public void readsJsonArrayAndJsonLinesWithTheirLines() throws Exception {
    Path json =
        file(
            "jobs.json",
            "[\n  {\"key\": \"a\", \"configuration\": {\"query\": {\"query\": \"SELECT 1\"}}},\n"
                + "  {\"key\": \"b\",\n   \"configuration\": {\"jobTimeoutMs\": 5}}\n]\n");
    List<JobsFileEntry> entries = JobsFileReader.read(json);
    assertEquals("entry 2 (line 3)", entries.get(1).where());
    assertEquals(Long.valueOf(5), entries.get(1).request().getConfiguration().getJobTimeoutMs());

    Path jsonl =
        file(
            "jobs.jsonl",
            "{\"key\": \"a\", \"configuration\": {\"query\": {\"query\": \"SELECT 1\"}}}\n\n"
                + "{\"key\": \"b\", \"configuration\": {\"query\": {\"query\": \"SELECT 2\"}}}\n");
    List<JobsFileEntry> lines = JobsFileReader.read(jsonl);
    assertEquals(2, lines.size());
    assertEquals("entry 2 (line 3)", lines.get(1).where());
    assertEquals(1, JobsFileReader.read(file("jobs.ndjson", "{\"key\": \"x\"}\n")).size());
  }

  @Test
  public void emptyJsonArrayIsNoJobs() throws Exception {
    assertEquals(0, JobsFileReader.read(file("empty.json", "[]")).size());
  }

  @Test
  public void unparseableYamlNamesTheLine() throws Exception {
    Path f = file("bad.yaml", "- key: a\n  configuration: {query: [unclosed\n- key: b\n");
    assertThat(error(f), allOf(containsString("bad.yaml"), containsString("line ")));
    assertThat(error(f), containsString("not valid YAML"));
  }

  @Test
  public void unparseableJsonNamesTheLine() throws Exception {
    Path f = file("bad.json", "[\n  {\"key\": \"a\"},\n  {\"key\": }\n]\n");
    assertThat(
        error(f),
        allOf(containsString("bad.json"), containsString("line 3"), containsString("JSON")));
  }

  @Test
  public void unparseableJsonLineNamesEntryAndLine() throws Exception {
    Path f = file("bad.jsonl", "{\"key\": \"a\"}\n\n{\"key\": \"b\"\n");
    assertThat(
        error(f),
        allOf(
            containsString("bad.jsonl"),
            containsString("entry 2 (line 3)"),
            containsString("not valid JSON")));
  }

  @Test
  public void entryWithoutKey() throws Exception {
    Path f = file("nokey.yaml", "- key: a\n\n- configuration:\n    query: {query: SELECT 1}\n");
    assertThat(
        error(f),
        allOf(
            containsString("nokey.yaml"),
            containsString("entry 2 (line 3)"),
            containsString("no key")));
  }

  @Test
  public void repeatedKeyNamesBothEntries() throws Exception {
    Path f = file("dup.jsonl", "{\"key\": \"a\"}\n{\"key\": \"b\"}\n{\"key\": \"a\"}\n");
    assertThat(
        error(f),
        allOf(
            containsString("dup.jsonl"),
            containsString("entry 3 (line 3)"),
            containsString("key \"a\""),
            containsString("entry 1 (line 1)")));
  }

  @Test
  public void wrongTopLevelTypes() throws Exception {
    assertThat(
        error(file("map.yaml", "key: a\nconfiguration: {}\n")),
        allOf(containsString("map.yaml"), containsString("line 1"), containsString("list")));
    assertThat(
        error(file("obj.json", "{\"key\": \"a\"}")),
        allOf(containsString("obj.json"), containsString("line 1"), containsString("array")));
    assertThat(
        error(file("scalars.yaml", "- just text\n")),
        allOf(containsString("entry 1 (line 1)"), containsString("expected an object")));
    assertThat(error(file("empty.yaml", "")), containsString("empty"));
  }

  @Test
  public void nonUtf8FileNamesLineAndByte() throws Exception {
    // Found by the reliability suite: the message was "cannot read YAML:
    // java.nio.charset.MalformedInputException: Input length = 1".
    for (String name : List.of("latin1.yaml", "latin1.jsonl", "latin1.json")) {
      Path f = tmp.getRoot().toPath().resolve(name);
      String text =
          name.endsWith(".yaml")
              ? "- key: a\n  configuration: {}\n- key: caf\u00e9\n"
              : name.endsWith(".jsonl")
                  ? "{\"key\": \"a\"}\n{\"key\": \"caf\u00e9\"}\n"
                  : "[{\"key\": \"a\"},\n {\"key\": \"caf\u00e9\"}]";
      Files.write(f, text.getBytes(StandardCharsets.ISO_8859_1));
      String message = error(f);
      assertThat(
          message,
          allOf(
              containsString(name),
              containsString(name.endsWith(".yaml") ? "line 3" : "line 2"),
              containsString("not UTF-8 text (byte 0xE9")));
    }
  }

  @Test
  public void blankJsonLinesFileIsAnErrorLikeAnEmptyYamlFile() throws Exception {
    // Found by the reliability suite: it ran nothing and exited 0.
    assertThat(error(file("blank.jsonl", "\n  \n")), containsString("the file is empty"));
    assertThat(error(file("zero.jsonl", "")), containsString("the file is empty"));
  }

  @Test
  public void missingFileAndUnknownType() throws Exception {
    Path missing = tmp.getRoot().toPath().resolve("nope.yaml");
    assertThat(error(missing), allOf(containsString("nope.yaml"), containsString("no such file")));
    assertThat(error(file("jobs.txt", "[]")), containsString(".yaml, .yml, .json, .jsonl"));
  }

  @Test
  public void entryStructureErrors() throws Exception {
    assertThat(
        error(file("typo.yaml", "- key: a\n  lables: {x: y}\n")),
        allOf(containsString("entry 1 (line 1)"), containsString("unknown field \"lables\"")));
    assertThat(
        error(file("twice.yaml", "- key: a\n  key: b\n")),
        allOf(containsString("line 2"), containsString("\"key\" appears twice")));
    assertThat(
        error(file("twice.json", "[{\"key\": \"a\",\n \"key\": \"b\"}]")),
        allOf(containsString("line 2"), containsString("key")));
    assertThat(
        error(file("labels.yaml", "- key: a\n  labels: [x]\n")),
        containsString("\"labels\" must be a mapping"));
    assertThat(error(file("blank.yaml", "- key: \" \"\n")), containsString("the key is empty"));
  }

  @Test
  public void configurationProblemsAreTheEntrysNotTheFiles() throws Exception {
    Path f =
        file(
            "jobs.yaml",
            String.join(
                "\n",
                "- key: typo",
                "  configuration: {querry: {query: SELECT 1}}",
                "- key: kind",
                "  configuration: {load: {maxBadRecords: many}}",
                "- key: notObject",
                "  configuration: SELECT 1",
                "- key: noType",
                "- key: int64",
                "  configuration: {query: {query: SELECT 1, maximumBytesBilled: 1.5}}",
                ""));
    List<JobsFileEntry> entries = JobsFileReader.read(f);
    assertThat(entries.get(0).problem(), containsString("unknown field \"querry\""));
    assertThat(entries.get(0).problem(), containsString("did you mean \"query\""));
    assertThat(entries.get(1).problem(), containsString("configuration.load.maxBadRecords"));
    assertThat(entries.get(2).problem(), containsString("expected an object"));
    assertNull(entries.get(3).problem());
    assertNotNull(entries.get(3).request());
    assertThat(entries.get(4).problem(), containsString("\"1.5\" is not an int64"));
  }
}
