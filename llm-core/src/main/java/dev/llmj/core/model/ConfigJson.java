package dev.llmj.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * config.json in this library's own format: one flat object with the {@link ModelConfig} fields,
 * architecture as {@code "gpt2"} or {@code "llama"}. Fields other than the architecture and the
 * sizes may be left out and take the architecture's defaults ({@link ModelConfig#of}).
 */
final class ConfigJson {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  static final List<String> REQUIRED = List.of("architecture", "vocabSize", "contextLength", "nLayers", "nHeads", "dModel");
  static final List<String> OPTIONAL =
      List.of("nKvHeads", "ffnHidden", "tiedEmbeddings", "ropeTheta", "normEps", "dropout", "initStd");

  private ConfigJson() {}

  static String write(ModelConfig c) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("architecture", c.architecture().id());
    o.put("vocabSize", c.vocabSize());
    o.put("contextLength", c.contextLength());
    o.put("nLayers", c.nLayers());
    o.put("nHeads", c.nHeads());
    o.put("dModel", c.dModel());
    o.put("nKvHeads", c.nKvHeads());
    o.put("ffnHidden", c.ffnHidden());
    o.put("tiedEmbeddings", c.tiedEmbeddings());
    o.put("ropeTheta", c.ropeTheta());
    o.put("normEps", c.normEps());
    o.put("dropout", c.dropout());
    o.put("initStd", c.initStd());
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n";
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Parses config.json text; {@code source} names the file in error messages. */
  static ModelConfig read(String json, String source) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException(source + ": not valid JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(source + ": expected a JSON object with keys " + REQUIRED);
    }
    List<String> valid = new ArrayList<>(REQUIRED);
    valid.addAll(OPTIONAL);
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!valid.contains(key)) {
        throw new IllegalArgumentException(source + ": unknown key '" + key + "'; valid keys: " + valid);
      }
    }
    for (String key : REQUIRED) {
      if (!root.has(key)) {
        throw new IllegalArgumentException(source + ": missing key '" + key + "'; required keys: " + REQUIRED);
      }
    }
    try {
      ModelConfig c = ModelConfig.of(Architecture.fromId(text(root, "architecture", source)),
          integer(root, "vocabSize", source), integer(root, "contextLength", source), integer(root, "nLayers", source),
          integer(root, "nHeads", source), integer(root, "dModel", source));
      return new ModelConfig(c.architecture(), c.vocabSize(), c.contextLength(), c.nLayers(), c.nHeads(),
          root.has("nKvHeads") ? integer(root, "nKvHeads", source) : c.nKvHeads(),
          c.dModel(),
          root.has("ffnHidden") ? integer(root, "ffnHidden", source) : c.ffnHidden(),
          root.has("tiedEmbeddings") ? bool(root, "tiedEmbeddings", source) : c.tiedEmbeddings(),
          root.has("ropeTheta") ? number(root, "ropeTheta", source) : c.ropeTheta(),
          root.has("normEps") ? number(root, "normEps", source) : c.normEps(),
          root.has("dropout") ? number(root, "dropout", source) : c.dropout(),
          root.has("initStd") ? number(root, "initStd", source) : c.initStd());
    } catch (IllegalArgumentException e) {
      if (e.getMessage() != null && e.getMessage().startsWith(source + ":")) {
        throw e;
      }
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
  }

  private static String text(JsonNode root, String key, String source) {
    JsonNode n = root.get(key);
    if (!n.isTextual()) {
      throw new IllegalArgumentException(source + ": '" + key + "' must be a string, got " + n);
    }
    return n.asText();
  }

  private static int integer(JsonNode root, String key, String source) {
    JsonNode n = root.get(key);
    if (!n.isIntegralNumber() || !n.canConvertToInt()) {
      throw new IllegalArgumentException(source + ": '" + key + "' must be an integer, got " + n);
    }
    return n.intValue();
  }

  private static double number(JsonNode root, String key, String source) {
    JsonNode n = root.get(key);
    if (!n.isNumber()) {
      throw new IllegalArgumentException(source + ": '" + key + "' must be a number, got " + n);
    }
    return n.doubleValue();
  }

  private static boolean bool(JsonNode root, String key, String source) {
    JsonNode n = root.get(key);
    if (!n.isBoolean()) {
      throw new IllegalArgumentException(source + ": '" + key + "' must be true or false, got " + n);
    }
    return n.booleanValue();
  }
}
