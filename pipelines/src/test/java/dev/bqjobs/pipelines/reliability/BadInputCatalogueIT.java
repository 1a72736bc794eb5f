package dev.bqjobs.pipelines.reliability;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.isIn;
import static org.hamcrest.Matchers.not;

import dev.bqjobs.emulator.LocalBigQuery;
import dev.bqjobs.pipelines.BqJobsCommand;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The bad input catalogue: malformed jobs files (each a clear command error: exit 2, a message
 * naming the file and the entry or line, nothing run) and malformed requests inside a valid file
 * (each that entry's FAILED result with the expected reason, the other entries still running).
 * Every case runs under a deadline: no crash, no hang.
 */
public class BadInputCatalogueIT {
  private static final String PROJECT = "bqjobs-local";

  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  private static LocalBigQuery server;
  private static int fileCases;
  private static int entryCases;

  @BeforeClass
  public static void startServer() throws Exception {
    server =
        LocalBigQuery.builder().project(PROJECT).gcsRoot(TMP.newFolder("gcs").toPath()).start();
    Reliability.createDataset(server.client(), PROJECT, "ds");
    Reliability.sql(server.client(), PROJECT, "CREATE TABLE ds.t AS SELECT 1 AS x");
  }

  @AfterClass
  public static void stopServer() {
    server.close();
  }

  // ------------------------------------------------------------------ malformed files

  /** A malformed jobs file: exit 2, stderr naming the file and these fragments. */
  private static final class FileCase {
    final String name;
    final String fileName;
    final byte[] content;
    final String[] expected;

    FileCase(String name, String fileName, byte[] content, String... expected) {
      this.name = name;
      this.fileName = fileName;
      this.content = content;
      this.expected = expected;
    }
  }

  private static FileCase file(String name, String fileName, String text, String... expected) {
    return new FileCase(name, fileName, text.getBytes(StandardCharsets.UTF_8), expected);
  }

  private static final String OK =
      "{\"query\": {\"query\": \"SELECT 1\", \"useLegacySql\": false}}";

  static List<FileCase> fileCases() {
    List<FileCase> c = new ArrayList<>();
    c.add(file("empty_yaml", "a.yaml", "", "empty"));
    c.add(file("empty_json", "a.json", "", "empty"));
    c.add(file("whitespace_jsonl", "a.jsonl", "\n  \n", "empty"));
    c.add(file("zero_bytes_jsonl", "a.jsonl", "", "empty"));
    c.add(file("yaml_mapping_not_list", "a.yaml", "key: a\nconfiguration: {}\n", "list"));
    c.add(file("yaml_syntax", "a.yaml", "- key: a\n  configuration: {query: [\n", "line"));
    c.add(file("json_object_not_array", "a.json", "{\"key\": \"a\"}", "array"));
    c.add(file("json_truncated", "a.json", "[{\"key\": \"a\", \"configuration\": ", "line"));
    c.add(
        file(
            "jsonl_bad_line",
            "a.jsonl",
            "{\"key\":\"a\",\"configuration\":" + OK + "}\n{\"key\": \"b\",,}\n",
            "line 2"));
    c.add(file("no_key", "a.yaml", "- configuration: " + OK + "\n", "no key", "line 1"));
    c.add(file("empty_key", "a.yaml", "- key: ''\n  configuration: " + OK + "\n", "key is empty"));
    c.add(file("key_not_text", "a.yaml", "- key: [1, 2]\n  configuration: " + OK + "\n", "key"));
    c.add(
        file(
            "duplicate_keys",
            "a.yaml",
            "- key: a\n  configuration: " + OK + "\n- key: a\n  configuration: " + OK + "\n",
            "\"a\"",
            "already used"));
    c.add(
        file(
            "duplicate_field_json",
            "a.json",
            "[{\"key\": \"a\", \"key\": \"b\", \"configuration\": " + OK + "}]",
            "key"));
    c.add(
        file(
            "duplicate_field_yaml",
            "a.yaml",
            "- key: a\n  key: b\n  configuration: " + OK + "\n",
            "key"));
    c.add(
        file(
            "unknown_entry_field",
            "a.yaml",
            "- key: a\n  confguration: " + OK + "\n",
            "unknown field \"confguration\""));
    c.add(file("entry_not_object", "a.yaml", "- just a string\n", "expected an object"));
    c.add(
        file(
            "labels_not_mapping",
            "a.yaml",
            "- key: a\n  labels: [x, y]\n  configuration: " + OK + "\n",
            "labels"));
    c.add(
        file(
            "label_value_not_text",
            "a.yaml",
            "- key: a\n  labels: {team: {nested: 1}}\n  configuration: " + OK + "\n",
            "label \"team\""));
    c.add(
        file(
            "project_not_text",
            "a.yaml",
            "- key: a\n  projectId: {p: 1}\n  configuration: " + OK + "\n",
            "projectId"));
    c.add(file("unknown_extension", "a.txt", "[]", "unknown jobs file type"));
    byte[] latin1 =
        ("- key: caf\u00e9\n  configuration: " + OK + "\n").getBytes(StandardCharsets.ISO_8859_1);
    c.add(new FileCase("non_utf8_yaml", "a.yaml", latin1, "line 1", "not UTF-8"));
    byte[] latin1Jsonl =
        ("{\"key\":\"caf\u00e9\",\"configuration\":" + OK + "}\n")
            .getBytes(StandardCharsets.ISO_8859_1);
    c.add(new FileCase("non_utf8_jsonl", "a.jsonl", latin1Jsonl, "line 1", "not UTF-8"));
    c.add(
        new FileCase(
            "binary_garbage",
            "a.json",
            new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, (byte) 0xff, (byte) 0xfe},
            "a.json"));
    c.add(file("nul_bytes_yaml", "a.yaml", "- key: a\u0000b\n", "a.yaml"));
    // A list whose entries are aliases of aliases (a billion laughs): snakeyaml's alias limit.
    StringBuilder bomb = new StringBuilder("- &a [x,x,x,x,x,x,x,x,x]\n");
    for (int i = 1; i < 12; i++) {
      char prev = (char) ('a' + i - 1);
      char cur = (char) ('a' + i);
      bomb.append("- &")
          .append(cur)
          .append(" [*")
          .append(prev)
          .append(",*")
          .append(prev)
          .append(",*")
          .append(prev)
          .append(",*")
          .append(prev)
          .append("]\n");
    }
    c.add(file("yaml_alias_bomb", "a.yaml", bomb.toString(), "a.yaml"));
    c.add(file("json_deep_nesting", "a.json", "[".repeat(200_000), "a.json"));
    c.add(file("yaml_deep_nesting", "a.yaml", "[".repeat(200_000), "a.yaml"));
    return c;
  }

  @Test
  public void malformedFilesAreClearCommandErrors() throws Exception {
    List<String> problems = new ArrayList<>();
    List<FileCase> cases = new ArrayList<>(fileCases());
    for (FileCase c : cases) {
      Path dir = TMP.newFolder("file_" + c.name).toPath();
      Path f = dir.resolve(c.fileName);
      Files.write(f, c.content);
      Reliability.Run run = runCommand(f, dir.resolve("out"), Duration.ofSeconds(120));
      String first = run.err.lines().findFirst().orElse("");
      System.out.println(
          "reliability-case: kind=file case=" + c.name + " exit=" + run.exitCode + " " + first);
      boolean ok = run.exitCode == BqJobsCommand.EXIT_USAGE && run.err.contains(f.toString());
      for (String e : c.expected) {
        ok &= run.err.contains(e);
      }
      ok &= !run.err.contains("Exception") && !run.err.contains("\tat ");
      ok &= !Files.exists(dir.resolve("out").resolve("summary.json"));
      if (!ok) {
        problems.add(c.name + ": " + run);
      }
    }
    // Files that are not files at all.
    Path missing = TMP.getRoot().toPath().resolve("missing.yaml");
    Reliability.Run noFile = runCommand(missing, TMP.getRoot().toPath().resolve("o1"), null);
    if (noFile.exitCode != 2 || !noFile.err.contains("no such file")) {
      problems.add("missing_file: " + noFile);
    }
    Path folder = TMP.newFolder("folder.yaml").toPath();
    Reliability.Run dirRun = runCommand(folder, TMP.getRoot().toPath().resolve("o2"), null);
    if (dirRun.exitCode != 2 || !dirRun.err.contains("not a readable file")) {
      problems.add("directory: " + dirRun);
    }
    fileCases = cases.size() + 2;
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("kind", "malformed_files");
    fields.put("cases", fileCases);
    fields.put("clear_command_errors", fileCases - problems.size());
    fields.put("problems", problems.size());
    Reliability.figure("bad_input_files", fields);
    assertThat(String.join("\n\n", problems), problems.size(), is(0));
  }

  // ------------------------------------------------------------------ malformed requests

  /** An entry of a valid file whose request is bad: FAILED with one of these reasons. */
  private static final class EntryCase {
    final String key;
    final String entry;
    final Set<String> reasons;
    final String fragment;

    EntryCase(String key, String entryFields, Set<String> reasons, String fragment) {
      this.key = key;
      this.entry = "{\"key\":\"" + key + "\"," + entryFields + "}";
      this.reasons = reasons;
      this.fragment = fragment;
    }
  }

  private static EntryCase entry(String key, String fields, String reason, String fragment) {
    return new EntryCase(key, fields, Set.of(reason), fragment);
  }

  private static String query(String sql) {
    return "\"configuration\":{\"query\":{\"query\":\"" + sql + "\",\"useLegacySql\":false}}";
  }

  static List<EntryCase> entryCases() {
    String load =
        "\"destinationTable\":{\"projectId\":\""
            + PROJECT
            + "\",\"datasetId\":\"ds\",\"tableId\":\"loaded\"},\"sourceFormat\":\"CSV\","
            + "\"autodetect\":true";
    List<EntryCase> c = new ArrayList<>();
    c.add(entry("no_configuration", "\"projectId\":\"" + PROJECT + "\"", "invalid", "job type"));
    c.add(entry("empty_configuration", "\"configuration\":{}", "invalid", "job type"));
    c.add(entry("configuration_not_object", "\"configuration\":\"SELECT 1\"", "invalid", "object"));
    c.add(
        entry(
            "two_job_types",
            "\"configuration\":{\"query\":{\"query\":\"SELECT 1\",\"useLegacySql\":false},"
                + "\"copy\":{}}",
            "invalid",
            "query"));
    c.add(
        entry(
            "query_missing",
            "\"configuration\":{\"query\":{\"useLegacySql\":false}}",
            "required",
            "query"));
    c.add(
        entry(
            "query_null",
            "\"configuration\":{\"query\":{\"query\":null,\"useLegacySql\":false}}",
            "required",
            "query"));
    c.add(
        entry(
            "query_wrong_type",
            "\"configuration\":{\"query\":{\"query\":[\"SELECT 1\"],\"useLegacySql\":false}}",
            "invalid",
            "configuration.query.query"));
    c.add(
        entry(
            "legacy_sql_by_omission",
            "\"configuration\":{\"query\":{\"query\":\"SELECT 1\"}}",
            "invalidQuery",
            "useLegacySql"));
    c.add(entry("bad_sql", query("SELEC 1 FROMM"), "invalidQuery", ""));
    c.add(entry("unknown_table", query("SELECT * FROM ds.nope"), "notFound", "nope"));
    c.add(entry("unknown_dataset", query("SELECT * FROM nods.t"), "notFound", "nods"));
    c.add(
        entry(
            "unknown_configuration_field",
            "\"configuration\":{\"querry\":{\"query\":\"SELECT 1\"}}",
            "invalid",
            "querry"));
    c.add(
        entry(
            "unknown_nested_field",
            "\"configuration\":{\"query\":{\"query\":\"SELECT 1\",\"useLegacySql\":false,"
                + "\"fooBar\":1}}",
            "invalid",
            "fooBar"));
    c.add(
        entry(
            "bool_wrong_type",
            "\"configuration\":{\"query\":{\"query\":\"SELECT 1\",\"useLegacySql\":\"maybe\"}}",
            "invalid",
            "useLegacySql"));
    c.add(
        entry("invalid_job_id", "\"jobId\":\"my job!\"," + query("SELECT 1"), "invalid", "job ID"));
    c.add(
        entry(
            "huge_job_id",
            "\"jobId\":\"" + "j".repeat(2000) + "\"," + query("SELECT 1"),
            "invalid",
            "job ID"));
    c.add(
        entry(
            "non_ascii_job_id",
            "\"jobId\":\"caf\u00e9\"," + query("SELECT 1"),
            "invalid",
            "job ID"));
    c.add(entry("empty_job_id", "\"jobId\":\"\"," + query("SELECT 1"), "invalid", "job ID"));
    c.add(
        entry(
            "label_upper_case",
            "\"labels\":{\"Team\":\"x\"}," + query("SELECT 1"),
            "invalid",
            "Team"));
    c.add(
        entry(
            "label_starts_with_digit",
            "\"labels\":{\"1team\":\"x\"}," + query("SELECT 1"),
            "invalid",
            "1team"));
    c.add(
        entry(
            "label_value_too_long",
            "\"labels\":{\"team\":\"" + "v".repeat(64) + "\"}," + query("SELECT 1"),
            "invalid",
            "team"));
    StringBuilder many = new StringBuilder("\"labels\":{");
    for (int i = 0; i < 64; i++) {
      many.append(i == 0 ? "" : ",").append("\"l").append(i).append("\":\"v\"");
    }
    many.append("},");
    c.add(entry("labels_no_room", many + query("SELECT 1"), "invalid", "label"));
    c.add(
        entry(
            "load_http_uri",
            "\"configuration\":{\"load\":{\"sourceUris\":[\"http://example.com/a.csv\"],"
                + load
                + "}}",
            "invalid",
            "http://example.com/a.csv"));
    c.add(
        entry(
            "load_missing_object",
            "\"configuration\":{\"load\":{\"sourceUris\":[\"gs://bucket/none.csv\"]," + load + "}}",
            "notFound",
            "gs://bucket/none.csv"));
    c.add(
        entry(
            "load_uri_climbs_out",
            "\"configuration\":{\"load\":{\"sourceUris\":[\"gs://bucket/../../etc/passwd\"],"
                + load
                + "}}",
            "invalid",
            ""));
    c.add(
        entry(
            "load_no_destination",
            "\"configuration\":{\"load\":{\"sourceUris\":[\"gs://bucket/a.csv\"]}}",
            "required",
            "destinationTable"));
    c.add(
        entry(
            "load_unknown_format",
            "\"configuration\":{\"load\":{\"sourceUris\":[\"gs://bucket/a.xml\"],"
                + load.replace("CSV", "XML")
                + "}}",
            "invalid",
            "XML"));
    c.add(
        entry(
            "load_int64_not_a_number",
            "\"configuration\":{\"load\":{\"sourceUris\":[\"gs://bucket/a.csv\"],"
                + load
                + ",\"maxBadRecords\":\"many\"}}",
            "invalid",
            "maxBadRecords"));
    String table = "{\"projectId\":\"" + PROJECT + "\",\"datasetId\":\"ds\",\"tableId\":\"nope\"}";
    c.add(
        entry(
            "extract_missing_table",
            "\"configuration\":{\"extract\":{\"sourceTable\":"
                + table
                + ",\"destinationUris\":[\"gs://bucket/out-*.csv\"]}}",
            "notFound",
            "nope"));
    c.add(
        entry(
            "extract_bad_uri",
            "\"configuration\":{\"extract\":{\"sourceTable\":"
                + table.replace("nope", "t")
                + ",\"destinationUris\":[\"ftp://x/y.csv\"]}}",
            "invalid",
            "ftp://x/y.csv"));
    c.add(
        entry(
            "copy_missing_table",
            "\"configuration\":{\"copy\":{\"sourceTable\":"
                + table
                + ",\"destinationTable\":"
                + table.replace("nope", "copied")
                + "}}",
            "notFound",
            "nope"));
    c.add(
        entry(
            "copy_no_destination",
            "\"configuration\":{\"copy\":{\"sourceTable\":" + table.replace("nope", "t") + "}}",
            "required",
            "destinationTable"));
    c.add(
        entry(
            "bad_disposition",
            "\"configuration\":{\"query\":{\"query\":\"SELECT 1\",\"useLegacySql\":false,"
                + "\"createDisposition\":\"SOMETIMES\",\"destinationTable\":"
                + table.replace("nope", "q")
                + "}}",
            "invalid",
            "SOMETIMES"));
    c.add(
        entry(
            "ddl_with_destination",
            "\"configuration\":{\"query\":{\"query\":\"CREATE TABLE ds.ddl AS SELECT 1 AS x\","
                + "\"useLegacySql\":false,\"destinationTable\":"
                + table.replace("nope", "d2")
                + "}}",
            "invalid",
            ""));
    c.add(
        new EntryCase(
            "bad_project",
            "\"projectId\":\"Bad Project!\"," + query("SELECT 1"),
            Set.of("invalid", "notFound"),
            ""));
    c.add(
        entry(
            "dry_run_bad_sql",
            "\"configuration\":{\"dryRun\":true,\"query\":{\"query\":\"SELEC 1\","
                + "\"useLegacySql\":false}}",
            "invalidQuery",
            ""));
    c.add(
        entry(
            "negative_timeout",
            "\"configuration\":{\"jobTimeoutMs\":-5,\"query\":{\"query\":\"SELECT 1\","
                + "\"useLegacySql\":false}}",
            "invalid",
            "jobTimeoutMs"));
    return c;
  }

  @Test
  public void malformedRequestsEndAsFailedResults() throws Exception {
    List<EntryCase> cases = entryCases();
    List<String> lines = new ArrayList<>();
    for (EntryCase c : cases) {
      lines.add(c.entry);
    }
    // Good entries in the same file still run.
    lines.add("{\"key\":\"good1\"," + query("SELECT 1 AS x") + "}");
    lines.add("{\"key\":\"good2\"," + query("SELECT x FROM ds.t") + "}");
    Path dir = TMP.newFolder("entries").toPath();
    Path f = dir.resolve("bad.jsonl");
    Files.write(f, lines, StandardCharsets.UTF_8);
    Reliability.Run run = runCommand(f, dir.resolve("out"), Duration.ofMinutes(5));
    assertThat(run.toString(), run.exitCode, equalTo(BqJobsCommand.EXIT_JOB_FAILED));
    assertThat(run.err, not(containsString("\tat ")));

    Map<String, Reliability.Line> byKey = new LinkedHashMap<>();
    for (Reliability.Line l : Reliability.results(dir.resolve("out"))) {
      assertThat("one result per key: " + l.key, byKey.put(l.key, l), equalTo(null));
    }
    List<String> problems = new ArrayList<>();
    for (EntryCase c : cases) {
      Reliability.Line l = byKey.get(c.key);
      String shown =
          l == null ? "no result" : l.outcome + " " + l.reason + ": " + abbreviate(l.message);
      System.out.println("reliability-case: kind=entry case=" + c.key + " " + shown);
      if (l == null
          || !l.outcome.equals("FAILED")
          || !c.reasons.contains(l.reason)
          || !l.message.contains(c.fragment)) {
        problems.add(
            c.key + " expected FAILED " + c.reasons + " '" + c.fragment + "', got " + shown);
      }
    }
    assertThat(byKey.get("good1").outcome, equalTo("SUCCEEDED"));
    assertThat(byKey.get("good2").outcome, equalTo("SUCCEEDED"));
    assertThat(byKey.size(), equalTo(cases.size() + 2));
    entryCases = cases.size();
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("kind", "malformed_requests");
    fields.put("cases", cases.size());
    fields.put("results", byKey.size() - 2);
    fields.put("failed_as_expected", cases.size() - problems.size());
    fields.put("problems", problems.size());
    fields.put("good_entries_succeeded", 2);
    fields.put("seconds", run.millis / 1000.0);
    Reliability.figure("bad_input_requests", fields);
    assertThat(String.join("\n", problems), problems, isIn(List.of(List.of())));
  }

  private static Reliability.Run runCommand(Path jobs, Path out, Duration deadline)
      throws Exception {
    return Reliability.command(
        deadline == null ? Duration.ofSeconds(60) : deadline,
        "--jobs=" + jobs,
        "--output=" + out,
        "--bigQueryEndpoint=" + server.rootUrl(),
        "--runToken=bad",
        "--jobTimeout=2m");
  }

  private static String abbreviate(String s) {
    String one = s.replace('\n', ' ');
    return one.length() > 160 ? one.substring(0, 160) + "..." : one;
  }
}
