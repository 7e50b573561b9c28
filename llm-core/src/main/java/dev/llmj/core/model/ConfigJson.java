package dev.llmj.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import dev.llmj.data.io.StrictJson;
import java.util.List;

/**
 * config.json in this library's own format: one flat object with the {@link ModelConfig} fields,
 * architecture as its id ({@code "gpt2"}, {@code "llama"}, {@code "qwen3"}, ...), {@code ropeScaling} as
 * an object of {@link dev.llmj.core.layers.RopeScaling}'s fields. Fields other than the architecture and
 * the sizes may be left out and take the architecture's defaults ({@link ModelConfig#of}).
 */
final class ConfigJson {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  static final List<String> REQUIRED = List.of("architecture", "vocabSize", "contextLength", "nLayers", "nHeads", "dModel");

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
    o.put("headSize", c.headSize());
    o.put("window", c.window());
    o.set("ropeScaling", StrictJson.toJson(c.ropeScaling(), StrictJson.Keys.COMPONENT_NAMES));
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
    // The architecture and the sizes first: the other keys' defaults depend on them.
    StrictJson required = StrictJson.object(root, source).requireOnly(StrictJson.keys(ModelConfig.class,
        StrictJson.Keys.COMPONENT_NAMES));
    String arch = required.requiredString("architecture");
    ModelConfig defaults;
    try {
      defaults = ModelConfig.of(Architecture.fromId(arch), required.requiredInt("vocabSize"),
          required.requiredInt("contextLength"), required.requiredInt("nLayers"), required.requiredInt("nHeads"),
          required.requiredInt("dModel"));
    } catch (IllegalArgumentException e) {
      if (e.getMessage() != null && e.getMessage().startsWith(source + ":")) {
        throw e;
      }
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
    ObjectNode optional = ((ObjectNode) root).deepCopy();
    optional.remove("architecture"); // an id ("gpt2"), already read
    return StrictJson.bind(optional, defaults, source, StrictJson.Keys.COMPONENT_NAMES);
  }
}
