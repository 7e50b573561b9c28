package dev.llmj.core.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmj.data.io.StrictJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The architecture fields of a Hugging Face {@code config.json}: {@link Gpt2} for {@code gpt2},
 * {@link Llama} for the families that share Llama's fields ({@code llama}, {@code mistral},
 * {@code qwen2}, {@code qwen3}, {@code gemma}). Keys without a field ({@code architectures},
 * {@code bos_token_id}, {@code rope_scaling}, {@code sliding_window}, ...) are kept in {@link #extra()}
 * and written back on export, so a config survives a load/save round trip.
 *
 * <pre>{@code
 * HfConfig config = HfConfig.read(Path.of("gpt2/config.json"));
 * if (config instanceof HfConfig.Gpt2 g) {
 *   System.out.println(g.nLayer() + " layers, C=" + g.nEmbd());
 * }
 * HfConfig deeper = config.withNumLayers(24);
 * }</pre>
 */
public sealed interface HfConfig permits HfConfig.Gpt2, HfConfig.Llama {

  /** {@code gpt2}, or one of {@link Llama#MODEL_TYPES}. */
  String modelType();

  int numLayers();

  int vocabSize();

  boolean tieWordEmbeddings();

  /** Uninterpreted keys of the original file (a copy). */
  ObjectNode extra();

  /** The same configuration with a different layer count (depth up- or down-scaling). */
  HfConfig withNumLayers(int numLayers);

  /** The complete {@code config.json} content: {@code model_type}, the typed fields, then {@link #extra()}. */
  ObjectNode toJson();

  /** Every {@code model_type} this library reads. */
  java.util.List<String> SUPPORTED = java.util.List.of("gpt2", "llama", "mistral", "qwen2", "qwen3", "gemma");

  static HfConfig read(Path configJson) throws IOException {
    JsonNode root;
    try {
      root = Json.STRICT.readTree(Files.readAllBytes(configJson));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(configJson + ": not valid JSON: " + e.getOriginalMessage(), e);
    }
    return parse(root, configJson.toString());
  }

  private static void requirePositive(String key, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(key + " must be positive, got " + value);
    }
  }

  /** @param source names the origin (a file path) in error messages */
  static HfConfig parse(JsonNode json, String source) {
    StrictJson f = StrictJson.object(json, source);
    String type = f.optionalString("model_type", null);
    if (type == null) {
      throw new IllegalArgumentException(source + ": missing 'model_type'; expected one of " + SUPPORTED);
    }
    try {
      if (type.equals("gpt2")) {
        return Gpt2.parse(f);
      }
      if (Llama.MODEL_TYPES.contains(type)) {
        return Llama.parse(type, f);
      }
      String hint = type.startsWith("gemma") ? " (" + type + " adds logit soft-capping, post-norms and alternating"
          + " sliding windows to gemma, which this library does not compute)" : "";
      throw new UnsupportedOperationException(source + ": model_type '" + type + "' is not supported" + hint
          + "; supported types are " + SUPPORTED);
    } catch (IllegalArgumentException e) {
      throw e.getMessage().startsWith(source) ? e : new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
  }

  /**
   * GPT-2 ({@code GPT2LMHeadModel}).
   *
   * @param nInner MLP hidden size; HF writes {@code null} for the default 4 * nEmbd
   */
  record Gpt2(int vocabSize, int nPositions, int nEmbd, int nLayer, int nHead, int nInner,
      double layerNormEpsilon, String activationFunction, boolean tieWordEmbeddings, ObjectNode extra)
      implements HfConfig {

    public Gpt2 {
      requirePositive("vocab_size", vocabSize);
      requirePositive("n_positions", nPositions);
      requirePositive("n_embd", nEmbd);
      requirePositive("n_layer", nLayer);
      requirePositive("n_head", nHead);
      requirePositive("n_inner", nInner);
      if (nEmbd % nHead != 0) {
        throw new IllegalArgumentException("n_embd " + nEmbd + " must be divisible by n_head " + nHead);
      }
      if (!(layerNormEpsilon > 0)) {
        throw new IllegalArgumentException("layer_norm_epsilon must be positive, got " + layerNormEpsilon);
      }
      if (activationFunction == null || activationFunction.isEmpty()) {
        throw new IllegalArgumentException("activation_function must be a non-empty string such as gelu_new");
      }
      extra = extra == null ? Json.STRICT.createObjectNode() : extra.deepCopy();
    }

    /** GPT-2 with HF's defaults for everything but the sizes. */
    public static Gpt2 of(int vocabSize, int nPositions, int nEmbd, int nLayer, int nHead) {
      return new Gpt2(vocabSize, nPositions, nEmbd, nLayer, nHead, 4 * nEmbd, 1e-5, "gelu_new", true, null);
    }

    static Gpt2 parse(StrictJson f) {
      int nEmbd = f.requiredInt("n_embd");
      return new Gpt2(f.requiredInt("vocab_size"), f.requiredInt("n_positions"), nEmbd, f.requiredInt("n_layer"),
          f.requiredInt("n_head"), f.optionalInt("n_inner", 4 * nEmbd), f.optionalDouble("layer_norm_epsilon", 1e-5),
          f.optionalString("activation_function", "gelu_new"), f.optionalBoolean("tie_word_embeddings", true),
          f.remaining());
    }

    @Override
    public String modelType() {
      return "gpt2";
    }

    @Override
    public int numLayers() {
      return nLayer;
    }

    @Override
    public ObjectNode extra() {
      return extra.deepCopy();
    }

    @Override
    public Gpt2 withNumLayers(int numLayers) {
      return new Gpt2(vocabSize, nPositions, nEmbd, numLayers, nHead, nInner, layerNormEpsilon,
          activationFunction, tieWordEmbeddings, extra);
    }

    @Override
    public ObjectNode toJson() {
      ObjectNode o = Json.STRICT.createObjectNode().put("model_type", "gpt2").put("vocab_size", vocabSize)
          .put("n_positions", nPositions).put("n_embd", nEmbd).put("n_layer", nLayer).put("n_head", nHead)
          .put("n_inner", nInner).put("layer_norm_epsilon", layerNormEpsilon)
          .put("activation_function", activationFunction).put("tie_word_embeddings", tieWordEmbeddings);
      o.setAll(extra.deepCopy());
      return o;
    }
  }

  /**
   * The Llama family ({@code LlamaForCausalLM}) and the families that share its fields and tensor names:
   * {@code mistral}, {@code qwen2}, {@code qwen3}, {@code gemma}. Grouped-query attention when
   * {@code numKeyValueHeads < numAttentionHeads}; family-specific keys ({@code sliding_window},
   * {@code rope_scaling}, ...) stay in {@link #extra()}.
   */
  record Llama(String modelType, int vocabSize, int hiddenSize, int intermediateSize, int numHiddenLayers,
      int numAttentionHeads, int numKeyValueHeads, int headDim, double rmsNormEps, double ropeTheta,
      int maxPositionEmbeddings, boolean tieWordEmbeddings, boolean attentionBias, boolean mlpBias, String hiddenAct,
      ObjectNode extra) implements HfConfig {

    /** The {@code model_type}s of this record. */
    public static final java.util.List<String> MODEL_TYPES = java.util.List.of("llama", "mistral", "qwen2", "qwen3",
        "gemma");

    public Llama {
      if (!MODEL_TYPES.contains(modelType)) {
        throw new IllegalArgumentException("model_type '" + modelType + "' is not one of " + MODEL_TYPES);
      }
      requirePositive("vocab_size", vocabSize);
      requirePositive("hidden_size", hiddenSize);
      requirePositive("intermediate_size", intermediateSize);
      requirePositive("num_hidden_layers", numHiddenLayers);
      requirePositive("num_attention_heads", numAttentionHeads);
      requirePositive("num_key_value_heads", numKeyValueHeads);
      requirePositive("head_dim", headDim);
      requirePositive("max_position_embeddings", maxPositionEmbeddings);
      if (numAttentionHeads % numKeyValueHeads != 0) {
        throw new IllegalArgumentException("num_attention_heads " + numAttentionHeads
            + " must be a multiple of num_key_value_heads " + numKeyValueHeads);
      }
      if (!(rmsNormEps > 0) || !(ropeTheta > 0)) {
        throw new IllegalArgumentException("rms_norm_eps (" + rmsNormEps + ") and rope_theta (" + ropeTheta
            + ") must be positive");
      }
      if (hiddenAct == null || hiddenAct.isEmpty()) {
        throw new IllegalArgumentException("hidden_act must be a non-empty string such as silu");
      }
      extra = extra == null ? Json.STRICT.createObjectNode() : extra.deepCopy();
    }

    /** A {@code llama} config. */
    public Llama(int vocabSize, int hiddenSize, int intermediateSize, int numHiddenLayers, int numAttentionHeads,
        int numKeyValueHeads, int headDim, double rmsNormEps, double ropeTheta, int maxPositionEmbeddings,
        boolean tieWordEmbeddings, boolean attentionBias, boolean mlpBias, String hiddenAct, ObjectNode extra) {
      this("llama", vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads, numKeyValueHeads,
          headDim, rmsNormEps, ropeTheta, maxPositionEmbeddings, tieWordEmbeddings, attentionBias, mlpBias, hiddenAct,
          extra);
    }

    /** Llama with HF's defaults for everything but the sizes; head_dim = hiddenSize / numAttentionHeads. */
    public static Llama of(int vocabSize, int hiddenSize, int intermediateSize, int numHiddenLayers,
        int numAttentionHeads, int numKeyValueHeads) {
      if (numAttentionHeads <= 0 || hiddenSize % numAttentionHeads != 0) {
        throw new IllegalArgumentException("hidden_size " + hiddenSize + " must be divisible by num_attention_heads "
            + numAttentionHeads);
      }
      return new Llama(vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
          numKeyValueHeads, hiddenSize / numAttentionHeads, 1e-6, 10000.0, 2048, false, false, false, "silu", null);
    }

    /** Reads the fields with the defaults of the family's Hugging Face config class for absent keys. */
    static Llama parse(String type, StrictJson f) {
      boolean gemma = type.equals("gemma");
      int hidden = f.requiredInt("hidden_size");
      int heads = f.requiredInt("num_attention_heads");
      int headDim = f.optionalInt("head_dim", gemma ? 256 : type.equals("qwen3") ? 128 : -1);
      if (headDim == -1) {
        if (heads <= 0 || hidden % heads != 0) {
          throw new IllegalArgumentException("hidden_size " + hidden + " is not divisible by num_attention_heads "
              + heads + "; set head_dim explicitly");
        }
        headDim = hidden / heads;
      }
      int maxPositions = switch (type) {
        case "llama" -> 2048;
        case "mistral" -> 4096 * 32;
        case "gemma" -> 8192;
        default -> 32768;
      };
      return new Llama(type, f.requiredInt("vocab_size"), hidden, f.requiredInt("intermediate_size"),
          f.requiredInt("num_hidden_layers"), heads, f.optionalInt("num_key_value_heads", heads), headDim,
          f.optionalDouble("rms_norm_eps", 1e-6), f.optionalDouble("rope_theta", 10000.0),
          f.optionalInt("max_position_embeddings", maxPositions), f.optionalBoolean("tie_word_embeddings", gemma),
          f.optionalBoolean("attention_bias", false), f.optionalBoolean("mlp_bias", false),
          f.optionalString("hidden_act", gemma ? "gelu_pytorch_tanh" : "silu"), f.remaining());
    }

    @Override
    public int numLayers() {
      return numHiddenLayers;
    }

    @Override
    public ObjectNode extra() {
      return extra.deepCopy();
    }

    @Override
    public Llama withNumLayers(int numLayers) {
      return new Llama(modelType, vocabSize, hiddenSize, intermediateSize, numLayers, numAttentionHeads,
          numKeyValueHeads, headDim, rmsNormEps, ropeTheta, maxPositionEmbeddings, tieWordEmbeddings, attentionBias,
          mlpBias, hiddenAct, extra);
    }

    @Override
    public ObjectNode toJson() {
      ObjectNode o = Json.STRICT.createObjectNode().put("model_type", modelType).put("vocab_size", vocabSize)
          .put("hidden_size", hiddenSize).put("intermediate_size", intermediateSize)
          .put("num_hidden_layers", numHiddenLayers).put("num_attention_heads", numAttentionHeads)
          .put("num_key_value_heads", numKeyValueHeads).put("head_dim", headDim).put("rms_norm_eps", rmsNormEps)
          .put("rope_theta", ropeTheta).put("max_position_embeddings", maxPositionEmbeddings)
          .put("tie_word_embeddings", tieWordEmbeddings).put("attention_bias", attentionBias)
          .put("mlp_bias", mlpBias).put("hidden_act", hiddenAct);
      o.setAll(extra.deepCopy());
      return o;
    }
  }
}
