package dev.llmj.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmj.core.io.HfConfig;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * {@link ModelConfig} to Hugging Face {@link HfConfig} and back. The mapping is exact in both directions
 * for every config this library can build, with one loss: HF Llama has no residual dropout, so a Llama
 * export carries none and reads back with dropout 0. {@code initializer_range} carries {@code initStd};
 * GPT-2's {@code resid_pdrop} and {@code embd_pdrop} carry {@code dropout}.
 *
 * <p>HF variants this library cannot compute (exact-erf GELU, attention biases on Llama, rope scaling,
 * a head size other than C/H, ...) are refused with the key, its value and what is supported.
 */
final class HfConfigs {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final List<String> GPT2_ACTIVATIONS = List.of("gelu_new", "gelu_pytorch_tanh");

  private HfConfigs() {}

  static HfConfig toHuggingFace(ModelConfig c) {
    ObjectNode extra = JSON.objectNode();
    extra.put("initializer_range", c.initStd());
    extra.put("torch_dtype", "float32");
    if (c.architecture() == Architecture.GPT2) {
      extra.putArray("architectures").add("GPT2LMHeadModel");
      extra.put("resid_pdrop", c.dropout()).put("embd_pdrop", c.dropout()).put("attn_pdrop", 0.0);
      return new HfConfig.Gpt2(c.vocabSize(), c.contextLength(), c.dModel(), c.nLayers(), c.nHeads(), c.ffnHidden(),
          c.normEps(), "gelu_new", c.tiedEmbeddings(), extra);
    }
    extra.putArray("architectures").add("LlamaForCausalLM");
    return new HfConfig.Llama(c.vocabSize(), c.dModel(), c.ffnHidden(), c.nLayers(), c.nHeads(), c.nKvHeads(),
        c.headSize(), c.normEps(), c.ropeTheta(), c.contextLength(), c.tiedEmbeddings(), false, false, "silu", extra);
  }

  /** @throws UnsupportedOperationException naming the HF key for a variant this library cannot compute */
  static ModelConfig fromHuggingFace(HfConfig hf) {
    ObjectNode extra = hf.extra();
    double initStd = number(extra, "initializer_range", 0.02);
    if (hf instanceof HfConfig.Gpt2 g) {
      require(GPT2_ACTIVATIONS.contains(g.activationFunction()), "activation_function", g.activationFunction(),
          "one of " + GPT2_ACTIVATIONS + " (GELU, tanh approximation)");
      require(!bool(extra, "scale_attn_by_inverse_layer_idx", false), "scale_attn_by_inverse_layer_idx", true,
          "false");
      require(!bool(extra, "reorder_and_upcast_attn", false), "reorder_and_upcast_attn", true, "false");
      require(bool(extra, "scale_attn_weights", true), "scale_attn_weights", false, "true");
      return new ModelConfig(Architecture.GPT2, g.vocabSize(), g.nPositions(), g.nLayer(), g.nHead(), g.nHead(),
          g.nEmbd(), g.nInner(), g.tieWordEmbeddings(), 0, g.layerNormEpsilon(), number(extra, "resid_pdrop", 0),
          initStd);
    }
    HfConfig.Llama l = (HfConfig.Llama) hf;
    require(l.hiddenAct().equals("silu"), "hidden_act", l.hiddenAct(), "silu");
    require(!l.attentionBias(), "attention_bias", true, "false");
    require(!l.mlpBias(), "mlp_bias", true, "false");
    require(l.headDim() * l.numAttentionHeads() == l.hiddenSize(), "head_dim", l.headDim(),
        "hidden_size / num_attention_heads = " + l.hiddenSize() / l.numAttentionHeads());
    JsonNode scaling = extra.get("rope_scaling");
    require(scaling == null || scaling.isNull(), "rope_scaling", scaling, "null (plain rotary positions)");
    return new ModelConfig(Architecture.LLAMA, l.vocabSize(), l.maxPositionEmbeddings(), l.numHiddenLayers(),
        l.numAttentionHeads(), l.numKeyValueHeads(), l.hiddenSize(), l.intermediateSize(), l.tieWordEmbeddings(),
        l.ropeTheta(), l.rmsNormEps(), 0, initStd);
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
