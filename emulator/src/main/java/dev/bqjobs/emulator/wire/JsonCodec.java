package dev.bqjobs.emulator.wire;

import com.google.api.client.json.GenericJson;
import com.google.api.client.json.JsonString;
import com.google.api.client.json.gson.GsonFactory;
import com.google.api.client.util.ClassInfo;
import com.google.api.client.util.FieldInfo;
import com.google.api.client.util.Types;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.stream.JsonReader;
import dev.bqjobs.emulator.errors.BigQueryError;
import java.io.IOException;
import java.io.StringReader;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Collection;
import java.util.Map;

/**
 * Reads request bodies into the BigQuery model classes and writes responses, the way BigQuery's
 * front end does: int64 fields are accepted as JSON numbers or strings (google-http-client alone
 * refuses numbers for them), unknown field names and values of the wrong JSON type are answered
 * with 400 {@code invalid} naming the field, and responses carry int64 values as strings.
 */
public final class JsonCodec {
  private static final GsonFactory FACTORY = GsonFactory.getDefaultInstance();

  private JsonCodec() {}

  public static GsonFactory factory() {
    return FACTORY;
  }

  /**
   * Parses {@code body} into {@code type}. {@code what} names the top-level object in messages,
   * e.g. {@code job}.
   */
  public static <T> T parse(String body, Class<T> type, String what) {
    if (body == null || body.isBlank()) {
      throw BigQueryError.invalid("Required request body is missing: expected a JSON " + what);
    }
    JsonElement tree;
    try {
      JsonReader reader = new JsonReader(new StringReader(body));
      tree = JsonParser.parseReader(reader);
      if (reader.peek() != com.google.gson.stream.JsonToken.END_DOCUMENT) {
        throw new JsonParseException("unexpected content after the JSON value");
      }
    } catch (JsonParseException | IOException | IllegalStateException e) {
      throw BigQueryError.invalid("Invalid JSON payload received. " + rootMessage(e));
    }
    if (!tree.isJsonObject()) {
      throw BigQueryError.invalid(
          "Invalid JSON payload received. Expected a JSON object for '" + what + "'.");
    }
    JsonElement normalized = normalize(tree, type, what);
    try {
      return FACTORY.fromString(normalized.toString(), type);
    } catch (IOException | IllegalArgumentException e) {
      throw BigQueryError.invalid("Invalid JSON payload received. " + rootMessage(e));
    }
  }

  /** Serialises a model object (or Map/List) to JSON, int64 values as strings. */
  public static String write(Object value) {
    try {
      return FACTORY.toString(value);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialise response", e);
    }
  }

  /** Parses JSON this server wrote (no checks: they are for client input). */
  public static <T> T read(String json, Class<T> type) {
    try {
      return FACTORY.fromString(json, type);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + type.getSimpleName(), e);
    }
  }

  /** Deep copy of a model object through JSON, so stored resources never alias client input. */
  public static <T extends GenericJson> T copy(T value) {
    @SuppressWarnings("unchecked")
    Class<T> type = (Class<T>) value.getClass();
    try {
      return FACTORY.fromString(write(value), type);
    } catch (IOException e) {
      throw new IllegalStateException("cannot copy " + type.getSimpleName(), e);
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return message.length() > 300 ? message.substring(0, 300) + "..." : message;
  }

  /**
   * Walks the JSON tree alongside the model type: turns numbers into strings where the model
   * declares an int64 string, rejects unknown names and wrong JSON kinds with the path in the
   * message.
   */
  private static JsonElement normalize(JsonElement element, Type type, String path) {
    if (element.isJsonNull()) {
      return element;
    }
    Class<?> raw = rawClass(type);
    if (GenericJson.class.isAssignableFrom(raw)) {
      if (!element.isJsonObject()) {
        throw wrongKind(path, "an object", element);
      }
      ClassInfo info = ClassInfo.of(raw, true);
      JsonObject out = new JsonObject();
      for (Map.Entry<String, JsonElement> entry : element.getAsJsonObject().entrySet()) {
        FieldInfo field = info.getFieldInfo(entry.getKey());
        String fieldPath = path + "." + entry.getKey();
        if (field == null) {
          throw BigQueryError.invalid(
              "Invalid JSON payload received. Unknown name \""
                  + entry.getKey()
                  + "\" at '"
                  + path
                  + "': Cannot find field.");
        }
        JsonElement value = entry.getValue();
        if (field.getField().isAnnotationPresent(JsonString.class)) {
          value = int64(value, fieldPath);
        } else {
          value = normalize(value, field.getGenericType(), fieldPath);
        }
        out.add(entry.getKey(), value);
      }
      return out;
    }
    if (Collection.class.isAssignableFrom(raw)) {
      if (!element.isJsonArray()) {
        throw wrongKind(path, "a list", element);
      }
      Type itemType = Types.getIterableParameter(type);
      JsonArray out = new JsonArray();
      for (JsonElement item : element.getAsJsonArray()) {
        out.add(normalize(item, itemType == null ? Object.class : itemType, path + "[]"));
      }
      return out;
    }
    if (Map.class.isAssignableFrom(raw)) {
      if (!element.isJsonObject()) {
        throw wrongKind(path, "an object", element);
      }
      Type valueType = Types.getMapValueParameter(type);
      if (valueType == null || valueType == Object.class) {
        return element;
      }
      JsonObject out = new JsonObject();
      for (Map.Entry<String, JsonElement> entry : element.getAsJsonObject().entrySet()) {
        out.add(
            entry.getKey(), normalize(entry.getValue(), valueType, path + "." + entry.getKey()));
      }
      return out;
    }
    if (raw == String.class) {
      if (!element.isJsonPrimitive()) {
        throw wrongKind(path, "a string", element);
      }
      return new JsonPrimitive(element.getAsString());
    }
    if (raw == Boolean.class || raw == boolean.class) {
      if (element.isJsonPrimitive()) {
        JsonPrimitive p = element.getAsJsonPrimitive();
        if (p.isBoolean()) {
          return p;
        }
        if (p.isString() && ("true".equals(p.getAsString()) || "false".equals(p.getAsString()))) {
          return new JsonPrimitive(Boolean.parseBoolean(p.getAsString()));
        }
      }
      throw wrongKind(path, "a boolean", element);
    }
    if (Number.class.isAssignableFrom(raw) || raw.isPrimitive()) {
      if (element.isJsonPrimitive()) {
        JsonPrimitive p = element.getAsJsonPrimitive();
        if (p.isNumber()) {
          return p;
        }
        if (p.isString()) {
          try {
            return new JsonPrimitive(new java.math.BigDecimal(p.getAsString().trim()));
          } catch (NumberFormatException e) {
            // fall through to the message below
          }
        }
      }
      throw wrongKind(path, "a number", element);
    }
    return element;
  }

  private static Class<?> rawClass(Type type) {
    if (type instanceof Class) {
      return (Class<?>) type;
    }
    if (type instanceof ParameterizedType) {
      return Types.getRawClass((ParameterizedType) type);
    }
    return Object.class;
  }

  private static JsonElement int64(JsonElement value, String path) {
    if (value.isJsonNull()) {
      return value;
    }
    if (value.isJsonPrimitive()) {
      JsonPrimitive p = value.getAsJsonPrimitive();
      String text = p.getAsString().trim();
      if (p.isNumber() || p.isString()) {
        try {
          return new JsonPrimitive(Long.toString(new java.math.BigDecimal(text).longValueExact()));
        } catch (NumberFormatException | ArithmeticException e) {
          throw BigQueryError.invalid(
              "Invalid value at '" + path + "' (TYPE_INT64), \"" + text + "\"");
        }
      }
    }
    throw wrongKind(path, "an int64 (number or string)", value);
  }

  private static BigQueryError wrongKind(String path, String expected, JsonElement got) {
    String shown = got.toString();
    if (shown.length() > 80) {
      shown = shown.substring(0, 80) + "...";
    }
    return BigQueryError.invalid(
        "Invalid JSON payload received. Invalid value at '"
            + path
            + "': expected "
            + expected
            + ", got "
            + shown);
  }
}
