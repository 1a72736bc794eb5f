package dev.bqjobs.transforms;

import com.google.api.client.json.GenericJson;
import com.google.api.client.json.JsonFactory;
import com.google.api.client.json.gson.GsonFactory;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Canonical JSON for the BigQuery model classes: object keys sorted, no whitespace, int64 fields as
 * strings (google-http-client writes {@code @JsonString} longs as strings already).
 *
 * <p>Coders, fingerprints and {@code equals} all go through this one representation, so equal
 * values encode to equal bytes regardless of the order in which fields were set.
 */
final class CanonicalJson {
  static final JsonFactory JSON_FACTORY = GsonFactory.getDefaultInstance();
  private static final Gson GSON =
      new GsonBuilder().disableHtmlEscaping().serializeNulls().create();

  private CanonicalJson() {}

  /** Canonical JSON of a model object (a {@link GenericJson}, a map, a list or a scalar). */
  static String toJson(Object value) {
    return GSON.toJson(toTree(value));
  }

  /** The canonical tree of a model object; keys sorted at every level. */
  static JsonElement toTree(Object value) {
    try {
      return sort(JsonParser.parseString(JSON_FACTORY.toString(value)));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot serialise " + value.getClass().getName(), e);
    }
  }

  static String toJson(JsonElement tree) {
    return GSON.toJson(sort(tree));
  }

  static <T> T parse(String json, Class<T> type) {
    try {
      return JSON_FACTORY.fromString(json, type);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot parse " + type.getSimpleName() + " from JSON", e);
    }
  }

  static <T> T parse(JsonElement tree, Class<T> type) {
    return parse(GSON.toJson(tree), type);
  }

  /** A deep copy through JSON: the model classes are mutable, we hand out copies only. */
  @SuppressWarnings("unchecked")
  static <T extends GenericJson> T copy(T value) {
    return value == null ? null : (T) parse(toJson(value), value.getClass());
  }

  static <T extends GenericJson> List<T> copyList(List<T> values) {
    List<T> out = new ArrayList<>(values.size());
    for (T v : values) {
      out.add(copy(v));
    }
    return out;
  }

  /**
   * The members of a JSON object that is canonical already (as our coders write it), each value as
   * its raw JSON text, in order, without building a tree: decoding splits, it does not re-sort or
   * re-serialise. Keys must need no unescaping (ours are plain field names).
   */
  static Map<String, String> members(String objectJson) {
    Map<String, String> out = new LinkedHashMap<>();
    int i = skipWhitespace(objectJson, 0);
    expect(objectJson, i, '{');
    i = skipWhitespace(objectJson, i + 1);
    if (objectJson.charAt(i) == '}') {
      return out;
    }
    while (true) {
      expect(objectJson, i, '"');
      int keyEnd = endOfString(objectJson, i);
      String key = objectJson.substring(i + 1, keyEnd - 1);
      i = skipWhitespace(objectJson, keyEnd);
      expect(objectJson, i, ':');
      i = skipWhitespace(objectJson, i + 1);
      int valueEnd = endOfValue(objectJson, i);
      out.put(key, objectJson.substring(i, valueEnd));
      i = skipWhitespace(objectJson, valueEnd);
      char c = objectJson.charAt(i);
      if (c == '}') {
        return out;
      }
      expect(objectJson, i, ',');
      i = skipWhitespace(objectJson, i + 1);
    }
  }

  /** The raw JSON of a member that must be there, from {@link #members}. */
  static String requiredMember(
      Map<String, String> members, String name, String typeName, String json) {
    String value = members.get(name);
    if (value == null) {
      throw new IllegalArgumentException("A " + typeName + "'s JSON has no " + name + ": " + json);
    }
    return value;
  }

  /** A string as a canonical JSON literal (quoted and escaped as every other value here). */
  static String stringLiteral(String value) {
    return GSON.toJson(new JsonPrimitive(value));
  }

  /** A JSON string literal's value. */
  static String stringValue(String literal) {
    return JsonParser.parseString(literal).getAsString();
  }

  private static int endOfValue(String s, int start) {
    char c = s.charAt(start);
    if (c == '"') {
      return endOfString(s, start);
    }
    if (c == '{' || c == '[') {
      int depth = 0;
      int i = start;
      while (i < s.length()) {
        char d = s.charAt(i);
        if (d == '"') {
          i = endOfString(s, i);
          continue;
        }
        if (d == '{' || d == '[') {
          depth++;
        } else if (d == '}' || d == ']') {
          depth--;
          if (depth == 0) {
            return i + 1;
          }
        }
        i++;
      }
      throw new IllegalArgumentException("Unterminated JSON value at offset " + start);
    }
    int i = start;
    while (i < s.length() && ",}] \t\r\n".indexOf(s.charAt(i)) < 0) {
      i++;
    }
    return i;
  }

  /** The offset just past the string literal starting at {@code start}. */
  private static int endOfString(String s, int start) {
    int i = start + 1;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '\\') {
        i += 2;
      } else if (c == '"') {
        return i + 1;
      } else {
        i++;
      }
    }
    throw new IllegalArgumentException("Unterminated JSON string at offset " + start);
  }

  private static int skipWhitespace(String s, int i) {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    if (i >= s.length()) {
      throw new IllegalArgumentException("Truncated JSON object");
    }
    return i;
  }

  private static void expect(String s, int i, char c) {
    if (s.charAt(i) != c) {
      throw new IllegalArgumentException(
          "Expected '" + c + "' at offset " + i + " of a canonical JSON object");
    }
  }

  private static JsonElement sort(JsonElement e) {
    if (e.isJsonObject()) {
      Map<String, JsonElement> sorted = new TreeMap<>();
      for (Map.Entry<String, JsonElement> entry : e.getAsJsonObject().entrySet()) {
        sorted.put(entry.getKey(), sort(entry.getValue()));
      }
      JsonObject out = new JsonObject();
      sorted.forEach(out::add);
      return out;
    }
    if (e.isJsonArray()) {
      JsonArray out = new JsonArray();
      for (JsonElement item : e.getAsJsonArray()) {
        out.add(sort(item));
      }
      return out;
    }
    return e;
  }
}
