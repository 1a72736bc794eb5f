package dev.bqjobs.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.api.client.json.GenericJson;
import com.google.api.client.json.JsonString;
import com.google.api.client.json.gson.GsonFactory;
import com.google.api.client.util.ClassInfo;
import com.google.api.client.util.FieldInfo;
import com.google.api.client.util.Types;
import com.google.api.services.bigquery.model.JobConfiguration;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.util.Collection;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a user's {@code configuration} tree into BigQuery's {@link JobConfiguration}, the way
 * BigQuery reads a request: int64 values may be JSON numbers or strings, and numbers and booleans
 * may be written as strings (YAML users write {@code maxBadRecords: "5"} as often as {@code 5}).
 *
 * <p>google-http-client alone refuses a JSON number for a field it declares as an int64 string
 * ({@code @JsonString Long}), and silently keeps unknown names: so the tree is walked alongside the
 * model classes first. An unknown field name or a value of the wrong kind is a {@link Problem}
 * naming the path (e.g. {@code configuration.load.maxBadRecords}); the command turns it into that
 * entry's FAILED result, as BigQuery itself would answer {@code invalid} for it.
 */
final class ConfigurationCoercer {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final int MAX_DEPTH = 64;

  private ConfigurationCoercer() {}

  /** A problem inside one configuration; its message names the path and the bad value. */
  static final class Problem extends Exception {
    private static final long serialVersionUID = 1L;

    Problem(String message) {
      super(message);
    }
  }

  /** Parses {@code tree} (a JSON object) into a JobConfiguration. */
  static JobConfiguration toJobConfiguration(JsonNode tree) throws Problem {
    JsonNode normalized = normalize(tree, JobConfiguration.class, "configuration", 0);
    try {
      return GsonFactory.getDefaultInstance()
          .fromString(normalized.toString(), JobConfiguration.class);
    } catch (IOException | IllegalArgumentException e) {
      throw new Problem("configuration: " + e.getMessage());
    }
  }

  private static JsonNode normalize(JsonNode node, Type type, String path, int depth)
      throws Problem {
    if (node.isNull()) {
      return node;
    }
    if (depth > MAX_DEPTH) {
      throw new Problem(path + ": nested too deeply");
    }
    Class<?> raw = rawClass(type);
    if (GenericJson.class.isAssignableFrom(raw)) {
      if (!node.isObject()) {
        throw wrongKind(path, "an object", node);
      }
      ClassInfo info = ClassInfo.of(raw);
      ObjectNode out = NODES.objectNode();
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> entry = fields.next();
        String fieldPath = path + "." + entry.getKey();
        FieldInfo field = info.getFieldInfo(entry.getKey());
        if (field == null) {
          String suggestion = closest(entry.getKey(), info.getNames());
          throw new Problem(
              "unknown field \""
                  + entry.getKey()
                  + "\" in "
                  + path
                  + (suggestion != null ? "; did you mean \"" + suggestion + "\"?" : "")
                  + " (use the field names of BigQuery's REST API)");
        }
        JsonNode value = entry.getValue();
        out.set(
            entry.getKey(),
            field.getField().isAnnotationPresent(JsonString.class)
                ? int64(value, fieldPath)
                : normalize(value, field.getGenericType(), fieldPath, depth + 1));
      }
      return out;
    }
    if (Collection.class.isAssignableFrom(raw)) {
      if (!node.isArray()) {
        throw wrongKind(path, "a list", node);
      }
      Type itemType = Types.getIterableParameter(type);
      ArrayNode out = NODES.arrayNode();
      int i = 0;
      for (JsonNode item : node) {
        out.add(
            normalize(
                item,
                itemType == null ? Object.class : itemType,
                path + "[" + i++ + "]",
                depth + 1));
      }
      return out;
    }
    if (Map.class.isAssignableFrom(raw)) {
      if (!node.isObject()) {
        throw wrongKind(path, "an object", node);
      }
      Type valueType = Types.getMapValueParameter(type);
      if (valueType == null || valueType == Object.class) {
        return node;
      }
      ObjectNode out = NODES.objectNode();
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> entry = fields.next();
        out.set(
            entry.getKey(),
            normalize(entry.getValue(), valueType, path + "." + entry.getKey(), depth + 1));
      }
      return out;
    }
    if (raw == String.class) {
      if (!node.isValueNode()) {
        throw wrongKind(path, "a string", node);
      }
      return NODES.textNode(node.asText());
    }
    if (raw == Boolean.class || raw == boolean.class) {
      if (node.isBoolean()) {
        return node;
      }
      if (node.isTextual() && ("true".equals(node.asText()) || "false".equals(node.asText()))) {
        return NODES.booleanNode(Boolean.parseBoolean(node.asText()));
      }
      throw wrongKind(path, "true or false", node);
    }
    if (Number.class.isAssignableFrom(raw) || raw.isPrimitive()) {
      if (node.isNumber()) {
        return node;
      }
      if (node.isTextual()) {
        try {
          return NODES.numberNode(new BigDecimal(node.asText().trim()));
        } catch (NumberFormatException e) {
          // reported below
        }
      }
      throw wrongKind(path, "a number", node);
    }
    return node;
  }

  private static JsonNode int64(JsonNode value, String path) throws Problem {
    if (value.isNull()) {
      return value;
    }
    if (value.isNumber() || value.isTextual()) {
      String text = value.asText().trim();
      try {
        return NODES.textNode(Long.toString(new BigDecimal(text).longValueExact()));
      } catch (NumberFormatException | ArithmeticException e) {
        throw new Problem(path + ": \"" + text + "\" is not an int64");
      }
    }
    throw wrongKind(path, "an int64 (number or string)", value);
  }

  private static Class<?> rawClass(Type type) {
    if (type instanceof Class<?> c) {
      return c;
    }
    if (type instanceof ParameterizedType p) {
      return Types.getRawClass(p);
    }
    return Object.class;
  }

  /** The known name nearest to a misspelt one (edit distance at most 2), or null. */
  private static String closest(String name, Collection<String> names) {
    String best = null;
    int bestDistance = 3;
    for (String candidate : names) {
      int d = distance(name.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
      if (d < bestDistance
          || (d == bestDistance && best != null && candidate.compareTo(best) < 0)) {
        best = d < 3 ? candidate : best;
        bestDistance = d;
      }
    }
    return best;
  }

  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] =
            Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  private static Problem wrongKind(String path, String expected, JsonNode got) {
    String shown = got.toString();
    if (shown.length() > 80) {
      shown = shown.substring(0, 80) + "...";
    }
    return new Problem(path + ": expected " + expected + ", got " + shown);
  }
}
