package dev.llmj.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmj.core.io.HfConfig;
import dev.llmj.core.layers.RopeScaling;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ModelConfig} to Hugging Face {@link HfConfig} and back. The mapping is exact in both directions
 * for every config this library can build, with one loss: HF's rotary families have no residual
 * dropout, so their export carries none and reads back with dropout 0. {@code initializer_range} carries
 * {@code initStd}; GPT-2's {@code resid_pdrop} and {@code embd_pdrop} carry {@code dropout}.
 *
 * <p>Keys of variants this library cannot compute (exact-erf GELU, attention biases on Llama, YaRN or
 * dynamic rope scaling, Qwen's per-layer sliding windows, Gemma 2's soft-capping, attention dropout,
 * ...) are refused with the key, its value and what is supported. Keys that change nothing (token ids,
 * {@code torch_dtype}, {@code use_cache}, ...) are listed in one log line as ignored.
 */
final class HfConfigs {

  private static final Logger LOG = LoggerFactory.getLogger(HfConfigs.class);
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final List<String> GPT2_ACTIVATIONS = List.of("gelu_new", "gelu_pytorch_tanh");
  private static final Map<Architecture, String> CLASSES = Map.of(Architecture.LLAMA, "LlamaForCausalLM",
      Architecture.MISTRAL, "MistralForCausalLM", Architecture.QWEN2, "Qwen2ForCausalLM", Architecture.QWEN3,
      "Qwen3ForCausalLM", Architecture.GEMMA, "GemmaForCausalLM");
  private static final String TANH_GELU = "gelu_pytorch_tanh";
  /** Mistral's sliding window when config.json has no {@code sliding_window} key (Hugging Face's default). */
  static final int MISTRAL_DEFAULT_WINDOW = 4096;

  private HfConfigs() {}

  static HfConfig toHuggingFace(ModelConfig c) {
    ObjectNode extra = JSON.objectNode();
    extra.put("initializer_range", c.initStd());
    extra.put("torch_dtype", "float32");
    Architecture arch = c.architecture();
    if (arch == Architecture.GPT2) {
      extra.putArray("architectures").add("GPT2LMHeadModel");
      extra.put("resid_pdrop", c.dropout()).put("embd_pdrop", c.dropout()).put("attn_pdrop", 0.0);
      return new HfConfig.Gpt2(c.vocabSize(), c.contextLength(), c.dModel(), c.nLayers(), c.nHeads(), c.ffnHidden(),
          c.normEps(), "gelu_new", c.tiedEmbeddings(), extra);
    }
    extra.putArray("architectures").add(CLASSES.get(arch));
    RopeScaling r = c.ropeScaling();
    if (r.type() != RopeScaling.Type.NONE) {
      ObjectNode o = extra.putObject("rope_scaling").put("rope_type", r.type().id()).put("factor", r.factor());
      if (r.type() == RopeScaling.Type.LLAMA3) {
        o.put("low_freq_factor", r.lowFreqFactor()).put("high_freq_factor", r.highFreqFactor())
            .put("original_max_position_embeddings", r.originalContext());
      }
    }
    if (arch == Architecture.MISTRAL) {
      if (c.window() > 0) {
        extra.put("sliding_window", c.window());
      } else {
        extra.putNull("sliding_window");
      }
    }
    if (arch == Architecture.QWEN2 || arch == Architecture.QWEN3) {
      extra.put("use_sliding_window", false);
    }
    if (arch == Architecture.GEMMA) {
      extra.put("hidden_activation", TANH_GELU);
    }
    return new HfConfig.Llama(arch.id(), c.vocabSize(), c.dModel(), c.ffnHidden(), c.nLayers(), c.nHeads(),
        c.nKvHeads(), c.headSize(), c.normEps(), c.ropeTheta(), c.contextLength(), c.tiedEmbeddings(), false, false,
        arch == Architecture.GEMMA ? TANH_GELU : "silu", extra);
  }

  /** @throws UnsupportedOperationException naming the HF key for a variant this library cannot compute */
  static ModelConfig fromHuggingFace(HfConfig hf) {
    List<String> ignored = new ArrayList<>();
    ModelConfig config = fromHuggingFace(hf, ignored);
    if (!ignored.isEmpty()) {
      LOG.info("{} config.json: keys ignored, they do not change what this library computes: {}", hf.modelType(),
          ignored);
    }
    return config;
  }

  /** The config.json keys beyond the typed fields that the mapping does not read (what the log lists). */
  static List<String> ignoredKeys(HfConfig hf) {
    List<String> ignored = new ArrayList<>();
    fromHuggingFace(hf, ignored);
    return ignored;
  }

  private static ModelConfig fromHuggingFace(HfConfig hf, List<String> ignored) {
    ObjectNode extra = hf.extra();
    Set<String> used = new TreeSet<>(List.of("initializer_range"));
    double initStd = number(extra, "initializer_range", 0.02);
    ModelConfig config;
    if (hf instanceof HfConfig.Gpt2 g) {
      require(GPT2_ACTIVATIONS.contains(g.activationFunction()), "activation_function", g.activationFunction(),
          "one of " + GPT2_ACTIVATIONS + " (GELU, tanh approximation)");
      require(!bool(extra, "scale_attn_by_inverse_layer_idx", false), "scale_attn_by_inverse_layer_idx", true,
          "false");
      require(!bool(extra, "reorder_and_upcast_attn", false), "reorder_and_upcast_attn", true, "false");
      require(bool(extra, "scale_attn_weights", true), "scale_attn_weights", false, "true");
      used.addAll(List.of("scale_attn_by_inverse_layer_idx", "reorder_and_upcast_attn", "scale_attn_weights",
          "resid_pdrop"));
      config = new ModelConfig(Architecture.GPT2, g.vocabSize(), g.nPositions(), g.nLayer(), g.nHead(), g.nHead(),
          g.nEmbd(), g.nInner(), g.tieWordEmbeddings(), 0, g.layerNormEpsilon(), number(extra, "resid_pdrop", 0),
          initStd);
    } else {
      config = rotaryFamily((HfConfig.Llama) hf, extra, initStd, used);
    }
    extra.fieldNames().forEachRemaining(k -> {
      if (!used.contains(k)) {
        ignored.add(k);
      }
    });
    return config;
  }

  private static ModelConfig rotaryFamily(HfConfig.Llama l, ObjectNode extra, double initStd, Set<String> used) {
    Architecture arch = Architecture.fromId(l.modelType());
    if (arch == Architecture.GEMMA) {
      JsonNode activation = extra.get("hidden_activation");
      used.add("hidden_activation");
      if (activation == null || activation.isNull()) {
        // Gemma's published MLP is the tanh GELU; its first configs say "gelu" and Hugging Face overrides it
        require(l.hiddenAct().equals("gelu") || l.hiddenAct().equals(TANH_GELU), "hidden_act", l.hiddenAct(),
            TANH_GELU);
      } else {
        require(activation.asText().equals(TANH_GELU), "hidden_activation", activation, TANH_GELU + " (or absent)");
      }
      for (String key : List.of("attn_logit_softcapping", "final_logit_softcapping", "query_pre_attn_scalar")) {
        JsonNode v = extra.get(key);
        used.add(key);
        require(v == null || v.isNull(), key, v, "null (Gemma 2's soft-capping and query scaling are not computed)");
      }
    } else {
      require(l.hiddenAct().equals("silu"), "hidden_act", l.hiddenAct(), "silu");
    }
    require(!l.attentionBias(), "attention_bias", true, "false" + (arch == Architecture.QWEN2
        ? " (qwen2's q, k and v biases need no key)" : ""));
    require(!l.mlpBias(), "mlp_bias", true, "false");
    used.addAll(List.of("attention_dropout", "partial_rotary_factor", "rope_scaling", "use_sliding_window",
        "layer_types"));
    require(number(extra, "attention_dropout", 0) == 0, "attention_dropout", extra.get("attention_dropout"), "0");
    require(number(extra, "partial_rotary_factor", 1) == 1, "partial_rotary_factor", extra.get("partial_rotary_factor"),
        "1 (rotary positions on the whole head)");
    JsonNode layerTypes = extra.get("layer_types");
    if (layerTypes != null && layerTypes.isArray()) {
      for (JsonNode t : layerTypes) {
        require(t.asText().equals("full_attention"), "layer_types", t, "full_attention for every layer");
      }
    }
    int window = 0;
    if (arch == Architecture.MISTRAL) {
      used.add("sliding_window");
      JsonNode w = extra.get("sliding_window");
      window = w == null ? MISTRAL_DEFAULT_WINDOW : w.isNull() ? 0 : w.isInt() && w.intValue() > 0 ? w.intValue() : -1;
      if (window < 0) {
        throw new IllegalArgumentException("config.json 'sliding_window' must be a positive whole number or null, got "
            + w);
      }
    } else if (arch == Architecture.QWEN2 || arch == Architecture.QWEN3) {
      require(!bool(extra, "use_sliding_window", false), "use_sliding_window", true,
          "false (Qwen's sliding window on the upper layers is not computed)");
    }
    return new ModelConfig(arch, l.vocabSize(), l.maxPositionEmbeddings(), l.numHiddenLayers(),
        l.numAttentionHeads(), l.numKeyValueHeads(), l.hiddenSize(), l.intermediateSize(), l.tieWordEmbeddings(),
        l.ropeTheta(), l.rmsNormEps(), 0, initStd, l.headDim(), window, ropeScaling(extra.get("rope_scaling")));
  }

  /** {@code rope_scaling}: null, {@code default}, {@code linear} or {@code llama3}; anything else is refused. */
  private static RopeScaling ropeScaling(JsonNode r) {
    if (r == null || r.isNull()) {
      return RopeScaling.NONE;
    }
    String supported = "null, {\"rope_type\": \"linear\", \"factor\": f} or {\"rope_type\": \"llama3\", \"factor\","
        + " \"low_freq_factor\", \"high_freq_factor\", \"original_max_position_embeddings\"}";
    require(r.isObject() && (r.has("rope_type") || r.has("type")), "rope_scaling", r, supported);
    String type = (r.has("rope_type") ? r.get("rope_type") : r.get("type")).asText();
    List<String> keys = switch (type) {
      case "default" -> List.of();
      case "linear" -> List.of("factor");
      case "llama3" -> List.of("factor", "low_freq_factor", "high_freq_factor", "original_max_position_embeddings");
      default -> null;
    };
    require(keys != null, "rope_scaling", r, supported + " (rope_type '" + type + "' is not computed)");
    r.fieldNames().forEachRemaining(k -> require(k.equals("rope_type") || k.equals("type") || keys.contains(k),
        "rope_scaling", r, supported + " (key '" + k + "' is not computed for " + type + ")"));
    for (String k : keys) {
      require(r.path(k).isNumber(), "rope_scaling", r, supported + " (missing number '" + k + "')");
    }
    return switch (type) {
      case "linear" -> RopeScaling.linear(r.get("factor").doubleValue());
      case "llama3" -> RopeScaling.llama3(r.get("factor").doubleValue(), r.get("low_freq_factor").doubleValue(),
          r.get("high_freq_factor").doubleValue(), r.get("original_max_position_embeddings").intValue());
      default -> RopeScaling.NONE;
    };
  }

  private static void require(boolean ok, String key, Object value, String supported) {
    if (!ok) {
      throw new UnsupportedOperationException("config.json '" + key + "' = " + value
          + " is not supported; this library computes " + key + " = " + supported);
    }
  }

  private static double number(ObjectNode extra, String key, double fallback) {
    return optional(extra, key, fallback, JsonNode::isNumber, JsonNode::doubleValue, "a number");
  }

  private static boolean bool(ObjectNode extra, String key, boolean fallback) {
    return optional(extra, key, fallback, JsonNode::isBoolean, JsonNode::booleanValue, "true or false");
  }

  private static <T> T optional(ObjectNode extra, String key, T fallback, Predicate<JsonNode> valid,
      Function<JsonNode, T> value, String expected) {
    JsonNode v = extra.get(key);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!valid.test(v)) {
      throw new IllegalArgumentException("config.json '" + key + "' must be " + expected + ", got " + v);
    }
    return value.apply(v);
  }
}
