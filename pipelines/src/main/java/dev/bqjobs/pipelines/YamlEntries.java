package dev.bqjobs.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads a YAML jobs file (a list of entries) into JSON trees with line numbers.
 *
 * <p>SnakeYAML's node graph ({@link Yaml#compose}) is used rather than its object constructor
 * because nodes keep their position in the file, so every message can name a line. Only the safe
 * core schema is resolved (no custom tags, no object construction).
 */
final class YamlEntries {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final int MAX_DEPTH = 64;

  private YamlEntries() {}

  static List<RawEntry> read(Path file) throws JobsFileException {
    LoaderOptions options = new LoaderOptions();
    Yaml yaml = new Yaml(new SafeConstructor(options));
    Node root;
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      root = yaml.compose(reader);
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      String where = mark == null ? "" : "line " + (mark.getLine() + 1) + ": ";
      throw new JobsFileException(
          file + ": " + where + "not valid YAML: " + oneLine(e.getProblem()), e);
    } catch (YAMLException | IOException e) {
      throw new JobsFileException(file + ": cannot read YAML: " + oneLine(e.getMessage()), e);
    }
    if (root == null) {
      throw new JobsFileException(file + ": the file is empty; expected a list of entries");
    }
    if (!(root instanceof SequenceNode sequence)) {
      throw new JobsFileException(
          file
              + ": line "
              + line(root)
              + ": expected a list of entries (each starting with \"- key: ...\"), got "
              + kind(root));
    }
    List<RawEntry> entries = new ArrayList<>();
    int index = 0;
    for (Node item : sequence.getValue()) {
      index++;
      String where = "entry " + index + " (line " + line(item) + ")";
      entries.add(new RawEntry(index, line(item), toJson(file, where, item, 0)));
    }
    return entries;
  }

  private static JsonNode toJson(Path file, String where, Node node, int depth)
      throws JobsFileException {
    if (depth > MAX_DEPTH) {
      throw new JobsFileException(
          file + ": " + where + ": nested too deeply at line " + line(node));
    }
    if (node instanceof MappingNode mapping) {
      ObjectNode out = NODES.objectNode();
      for (NodeTuple tuple : mapping.getValue()) {
        if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
          throw new JobsFileException(
              file
                  + ": "
                  + where
                  + ": line "
                  + line(tuple.getKeyNode())
                  + ": a field name must be plain text");
        }
        if (out.has(keyNode.getValue())) {
          throw new JobsFileException(
              file
                  + ": "
                  + where
                  + ": line "
                  + line(keyNode)
                  + ": field \""
                  + keyNode.getValue()
                  + "\" appears twice");
        }
        out.set(keyNode.getValue(), toJson(file, where, tuple.getValueNode(), depth + 1));
      }
      return out;
    }
    if (node instanceof SequenceNode sequence) {
      ArrayNode out = NODES.arrayNode();
      for (Node item : sequence.getValue()) {
        out.add(toJson(file, where, item, depth + 1));
      }
      return out;
    }
    return scalar((ScalarNode) node);
  }

  /** YAML's resolved core types map onto JSON's; anything unusual stays text. */
  private static JsonNode scalar(ScalarNode node) {
    String value = node.getValue();
    Tag tag = node.getTag();
    if (Tag.NULL.equals(tag)) {
      return NODES.nullNode();
    }
    if (Tag.BOOL.equals(tag)) {
      String v = value.toLowerCase(Locale.ROOT);
      return NODES.booleanNode(v.equals("true") || v.equals("yes") || v.equals("on"));
    }
    if (Tag.INT.equals(tag)) {
      try {
        return NODES.numberNode(Long.parseLong(value.replace("_", "")));
      } catch (NumberFormatException e) {
        return NODES.textNode(value);
      }
    }
    if (Tag.FLOAT.equals(tag)) {
      try {
        return NODES.numberNode(Double.parseDouble(value.replace("_", "")));
      } catch (NumberFormatException e) {
        return NODES.textNode(value);
      }
    }
    return NODES.textNode(value);
  }

  private static int line(Node node) {
    return node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
  }

  private static String kind(Node node) {
    if (node instanceof MappingNode) {
      return "a mapping";
    }
    if (node instanceof ScalarNode scalar) {
      return "the text \"" + abbreviate(scalar.getValue()) + "\"";
    }
    return node.getNodeId().toString();
  }

  private static String abbreviate(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "..." : s;
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s+", " ").trim();
  }
}
