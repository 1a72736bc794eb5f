package dev.bqjobs.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.api.services.bigquery.model.JobConfiguration;
import dev.bqjobs.transforms.JobRequest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Reads a jobs file into checked entries.
 *
 * <p>Each entry has {@code key} (required, unique), optional {@code projectId}, {@code location},
 * {@code jobId}, {@code labels}, and {@code configuration}: BigQuery's JobConfiguration JSON
 * ({@code query}, {@code load}, {@code extract} or {@code copy}, with the REST API's field names).
 *
 * <p>Two kinds of problems, on purpose:
 *
 * <ul>
 *   <li>The file's own structure (does not parse, not a list, an entry that is not an object, no
 *       key, a repeated key, an unknown entry field, a field of the wrong type): a {@link
 *       JobsFileException} naming file, entry and line. Nothing runs, because the user's intent is
 *       unclear.
 *   <li>Inside one entry's {@code configuration} (no job type, several, a bad job ID or label, an
 *       unknown configuration field, a value of the wrong kind): that entry's FAILED result, while
 *       the other entries run. The transform checks what it can; {@link ConfigurationCoercer}
 *       reports what cannot even be represented as a JobConfiguration.
 * </ul>
 */
public final class JobsFileReader {
  /** The fields an entry may have, in the order the help and messages list them. */
  public static final Set<String> ENTRY_FIELDS =
      Collections.unmodifiableSet(
          new LinkedHashSet<>(
              List.of("key", "projectId", "location", "jobId", "labels", "configuration")));

  /** The file format in a few sentences, for {@code --help}. */
  static final String FORMAT =
      "A YAML list (.yaml/.yml), a JSON array (.json) or JSON lines (.jsonl/.ndjson) of entries."
          + " An entry has "
          + String.join(", ", ENTRY_FIELDS)
          + "; key is required and unique. configuration is BigQuery's JobConfiguration JSON"
          + " (query, load, extract or copy) with the REST API's field names. A file that does not"
          + " parse, an entry without a key or a repeated key stops the command before any job"
          + " runs; a problem inside one configuration is that entry's FAILED result.";

  private JobsFileReader() {}

  /** Reads and checks {@code file}; see the class documentation. */
  public static List<JobsFileEntry> read(Path file) throws JobsFileException {
    if (!Files.exists(file)) {
      throw new JobsFileException(file + ": no such file");
    }
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new JobsFileException(file + ": not a readable file");
    }
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    List<RawEntry> raw;
    boolean known =
        name.endsWith(".yaml")
            || name.endsWith(".yml")
            || name.endsWith(".json")
            || name.endsWith(".jsonl")
            || name.endsWith(".ndjson");
    if (known) {
      checkUtf8(file);
    }
    if (name.endsWith(".yaml") || name.endsWith(".yml")) {
      raw = YamlEntries.read(file);
    } else if (name.endsWith(".json")) {
      raw = JsonEntries.readArray(file);
    } else if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
      raw = JsonEntries.readLines(file);
    } else {
      throw new JobsFileException(
          file + ": unknown jobs file type; name it .yaml, .yml, .json, .jsonl or .ndjson");
    }
    List<JobsFileEntry> entries = new ArrayList<>();
    Map<String, RawEntry> byKey = new HashMap<>();
    for (RawEntry entry : raw) {
      JobsFileEntry checked = check(file, entry);
      RawEntry first = byKey.putIfAbsent(checked.key(), entry);
      if (first != null) {
        throw new JobsFileException(
            file
                + ": "
                + entry.where()
                + ": key \""
                + checked.key()
                + "\" is already used by "
                + first.where()
                + "; keys must be unique");
      }
      entries.add(checked);
    }
    return entries;
  }

  /**
   * Jobs files are UTF-8. Without this check the parsers' decoders reported "Input length = 1"
   * (MalformedInputException), naming neither the line nor the cause.
   */
  static void checkUtf8(Path file) throws JobsFileException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new JobsFileException(file + ": cannot read: " + e.getMessage(), e);
    }
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(Math.max(16, bytes.length));
    CoderResult result = decoder.decode(in, out, true);
    if (result.isError()) {
      int offset = in.position();
      int line = 1;
      for (int i = 0; i < offset; i++) {
        if (bytes[i] == '\n') {
          line++;
        }
      }
      throw new JobsFileException(
          String.format(
              Locale.ROOT,
              "%s: line %d: not UTF-8 text (byte 0x%02X at offset %d); save the jobs file as"
                  + " UTF-8",
              file,
              line,
              bytes[offset] & 0xff,
              offset));
    }
  }

  private static JobsFileEntry check(Path file, RawEntry entry) throws JobsFileException {
    String where = file + ": " + entry.where();
    JsonNode node = entry.node();
    if (!node.isObject()) {
      throw new JobsFileException(
          where + ": expected an object with key and configuration, got " + abbreviate(node));
    }
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String field = names.next();
      if (!ENTRY_FIELDS.contains(field)) {
        throw new JobsFileException(
            where
                + ": unknown field \""
                + field
                + "\"; an entry has "
                + String.join(", ", ENTRY_FIELDS));
      }
    }
    String key = text(where, node, "key");
    if (key == null) {
      throw new JobsFileException(where + ": no key; every entry needs a unique \"key\"");
    }
    if (key.isBlank()) {
      throw new JobsFileException(where + ": the key is empty");
    }
    String projectId = text(where, node, "projectId");
    String location = text(where, node, "location");
    String jobId = text(where, node, "jobId");
    Map<String, String> labels = labels(where, node.get("labels"));

    JsonNode configuration = node.get("configuration");
    JobConfiguration parsed;
    if (configuration == null || configuration.isNull()) {
      // No job type: the transform reports it as this entry's FAILED result.
      parsed = new JobConfiguration();
    } else if (!configuration.isObject()) {
      return new JobsFileEntry(
          entry.where(),
          key,
          projectId,
          location,
          null,
          "configuration: expected an object (BigQuery's JobConfiguration), got "
              + abbreviate(configuration));
    } else {
      try {
        parsed = ConfigurationCoercer.toJobConfiguration(configuration);
      } catch (ConfigurationCoercer.Problem e) {
        return new JobsFileEntry(entry.where(), key, projectId, location, null, e.getMessage());
      }
    }
    JobRequest request = JobRequest.of(parsed).withKey(key);
    if (projectId != null) {
      request = request.withProject(projectId);
    }
    if (location != null) {
      request = request.withLocation(location);
    }
    if (jobId != null) {
      request = request.withJobId(jobId);
    }
    if (!labels.isEmpty()) {
      request = request.withLabels(labels);
    }
    return new JobsFileEntry(entry.where(), key, projectId, location, request, null);
  }

  /** A scalar field as text (YAML may read {@code key: 2024} as a number), or null if absent. */
  private static @Nullable String text(String where, JsonNode node, String field)
      throws JobsFileException {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isValueNode()) {
      throw new JobsFileException(
          where + ": \"" + field + "\" must be text, got " + abbreviate(value));
    }
    return value.asText();
  }

  private static Map<String, String> labels(String where, @Nullable JsonNode labels)
      throws JobsFileException {
    Map<String, String> out = new LinkedHashMap<>();
    if (labels == null || labels.isNull()) {
      return out;
    }
    if (!labels.isObject()) {
      throw new JobsFileException(
          where + ": \"labels\" must be a mapping of label to value, got " + abbreviate(labels));
    }
    Iterator<Map.Entry<String, JsonNode>> fields = labels.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> label = fields.next();
      if (!label.getValue().isValueNode() || label.getValue().isNull()) {
        throw new JobsFileException(
            where
                + ": label \""
                + label.getKey()
                + "\" must have a text value, got "
                + abbreviate(label.getValue()));
      }
      out.put(label.getKey(), label.getValue().asText());
    }
    return out;
  }

  private static String abbreviate(JsonNode node) {
    String shown = node.toString();
    return shown.length() > 60 ? shown.substring(0, 60) + "..." : shown;
  }
}
