package dev.bqjobs.pipelines;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads JSON jobs files: a {@code .json} array of entries, or {@code .jsonl}/{@code .ndjson} with
 * one entry per line (blank lines skipped).
 *
 * <p>Jackson (already on every Beam classpath) is used for its streaming parser, which gives the
 * line of each entry and of each syntax error; repeated field names are rejected (strict duplicate
 * detection) rather than silently keeping the last.
 */
final class JsonEntries {
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private JsonEntries() {}

  /** A {@code .json} file holding one array of entries. */
  static List<RawEntry> readArray(Path file) throws JobsFileException {
    List<RawEntry> entries = new ArrayList<>();
    try (JsonParser parser = MAPPER.getFactory().createParser(file.toFile())) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        throw new JobsFileException(file + ": the file is empty; expected a JSON array of entries");
      }
      if (first != JsonToken.START_ARRAY) {
        throw new JobsFileException(
            file
                + ": line "
                + parser.currentTokenLocation().getLineNr()
                + ": expected a JSON array of entries ([{\"key\": ...}, ...]), got "
                + describe(first));
      }
      int index = 0;
      while (parser.nextToken() != JsonToken.END_ARRAY) {
        if (parser.currentToken() == null) {
          throw new JobsFileException(file + ": the array of entries is not closed");
        }
        index++;
        int line = parser.currentTokenLocation().getLineNr();
        JsonNode node = MAPPER.readTree(parser);
        entries.add(new RawEntry(index, line, node));
      }
      JsonToken after = parser.nextToken();
      if (after != null) {
        throw new JobsFileException(
            file
                + ": line "
                + parser.currentTokenLocation().getLineNr()
                + ": unexpected content after the array of entries");
      }
    } catch (JsonProcessingException e) {
      throw new JobsFileException(
          file + ": " + lineOf(e.getLocation()) + "not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new JobsFileException(file + ": cannot read: " + e.getMessage(), e);
    }
    return entries;
  }

  /** A {@code .jsonl}/{@code .ndjson} file: one entry per non-blank line. */
  static List<RawEntry> readLines(Path file) throws JobsFileException {
    List<RawEntry> entries = new ArrayList<>();
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String text;
      int line = 0;
      int index = 0;
      while ((text = reader.readLine()) != null) {
        line++;
        if (text.isBlank()) {
          continue;
        }
        index++;
        JsonNode node;
        try {
          node = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
          throw new JobsFileException(
              file
                  + ": entry "
                  + index
                  + " (line "
                  + line
                  + "): not valid JSON: "
                  + e.getOriginalMessage(),
              e);
        }
        entries.add(new RawEntry(index, line, node));
      }
    } catch (IOException e) {
      throw new JobsFileException(file + ": cannot read: " + e.getMessage(), e);
    }
    if (entries.isEmpty()) {
      // Like an empty .yaml or .json file: most likely the wrong file, not "run nothing".
      throw new JobsFileException(
          file + ": the file is empty; expected one JSON entry per line ({\"key\": ...})");
    }
    return entries;
  }

  private static String lineOf(JsonLocation location) {
    return location == null || location.getLineNr() < 1
        ? ""
        : "line " + location.getLineNr() + ": ";
  }

  private static String describe(JsonToken token) {
    switch (token) {
      case START_OBJECT:
        return "an object";
      case VALUE_STRING:
        return "a string";
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return "a number";
      default:
        return token.asString() != null ? token.asString() : token.name();
    }
  }
}
