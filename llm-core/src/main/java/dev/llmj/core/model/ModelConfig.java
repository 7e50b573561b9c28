package dev.llmj.core.model;

import dev.llmj.core.layers.RopeScaling;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shape of a decoder-only transformer, validated on construction.
 *
 * <pre>{@code
 * ModelConfig gpt2 = ModelConfig.preset("gpt2");            // 124,439,808 parameters
 * ModelConfig mine = ModelConfig.of(Architecture.LLAMA, 4096, 256, 4, 4, 256).withKvHeads(2);
 * ModelConfig qwen3 = ModelConfig.of(Architecture.QWEN3, 4096, 256, 4, 4, 256).withHeadSize(96);
 * ModelConfig mistral = ModelConfig.of(Architecture.MISTRAL, 4096, 256, 4, 4, 256).withWindow(64);
 * }</pre>
 *
 * @param architecture family (norm, positions, MLP, biases, q/k norms, embedding scale, tensor names)
 * @param vocabSize V
 * @param contextLength longest sequence T the model accepts (rows of the learned position table)
 * @param nLayers number of decoder blocks
 * @param nHeads query heads H
 * @param nKvHeads key/value heads; fewer than nHeads gives grouped-query attention
 * @param dModel C
 * @param ffnHidden MLP hidden size F (GPT-2: 4C)
 * @param tiedEmbeddings output projection shares the token table (GPT-2 does, Llama does not)
 * @param ropeTheta rotary base (Llama 10000); 0 for architectures without rotary positions
 * @param normEps epsilon added to the variance in every norm
 * @param dropout drop probability on embeddings and residual branches (0 for fine-tuning and eval)
 * @param initStd std of the normal initialisation of matrices (GPT-2: 0.02)
 * @param headSize D; dModel / nHeads unless the family allows another (Qwen 3, Gemma: H*D may differ from C)
 * @param window sliding attention window W (mistral): query i attends keys i - W &lt; j &lt;= i; 0 for unlimited
 * @param ropeScaling stretching of the rotary frequencies ({@link RopeScaling#NONE} for plain rotary positions)
 */
public record ModelConfig(Architecture architecture, int vocabSize, int contextLength, int nLayers, int nHeads,
    int nKvHeads, int dModel, int ffnHidden, boolean tiedEmbeddings, double ropeTheta, double normEps,
    double dropout, double initStd, int headSize, int window, RopeScaling ropeScaling) {

  public ModelConfig {
    if (architecture == null) {
      throw new IllegalArgumentException("architecture is required, one of " + java.util.Arrays.stream(
          Architecture.values()).map(Architecture::id).toList());
    }
    positive("vocabSize", vocabSize);
    positive("contextLength", contextLength);
    positive("nLayers", nLayers);
    positive("nHeads", nHeads);
    positive("dModel", dModel);
    positive("ffnHidden", ffnHidden);
    positive("headSize", headSize);
    if (nKvHeads <= 0 || nHeads % nKvHeads != 0) {
      throw new IllegalArgumentException("nKvHeads " + nKvHeads + " must divide nHeads " + nHeads
          + " (set nKvHeads = nHeads for plain multi-head attention)");
    }
    if (ropeScaling == null) {
      throw new IllegalArgumentException("ropeScaling is required; use RopeScaling.NONE for plain rotary positions");
    }
    if (architecture == Architecture.GPT2 && (nKvHeads != nHeads || ropeTheta != 0 || (long) headSize * nHeads != dModel
        || ropeScaling.type() != RopeScaling.Type.NONE)) {
      throw new IllegalArgumentException("gpt2 has plain attention with head size dModel/nHeads and learned positions:"
          + " nKvHeads must equal nHeads (" + nHeads + ", got " + nKvHeads + "), headSize must be " + dModel / nHeads
          + " (got " + headSize + "), ropeTheta 0 (got " + ropeTheta + ") and no rope scaling (got "
          + ropeScaling.type().id() + "); use a rotary family such as llama");
    }
    if (architecture.rotary() && (ropeTheta <= 1 || headSize % 2 != 0)) {
      throw new IllegalArgumentException(architecture.id() + " needs ropeTheta > 1 (got " + ropeTheta
          + ", usually 10000) and an even headSize (got " + headSize + ")");
    }
    if (window < 0 || window > 0 && architecture != Architecture.MISTRAL) {
      throw new IllegalArgumentException("window must be 0 (unlimited) or, for mistral only, a number of keys >= 1;"
          + " got " + window + " for " + architecture.id());
    }
    if (!(normEps > 0 && normEps < 1)) {
      throw new IllegalArgumentException("normEps must be in (0, 1), got " + normEps + " (usually 1e-5)");
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
    }
    if (!(initStd > 0)) {
      throw new IllegalArgumentException("initStd must be positive, got " + initStd + " (GPT-2 uses 0.02)");
    }
  }

  /** A config with head size dModel / nHeads, no sliding window and no rope scaling. */
  public ModelConfig(Architecture architecture, int vocabSize, int contextLength, int nLayers, int nHeads,
      int nKvHeads, int dModel, int ffnHidden, boolean tiedEmbeddings, double ropeTheta, double normEps,
      double dropout, double initStd) {
    this(architecture, vocabSize, contextLength, nLayers, nHeads, nKvHeads, dModel, ffnHidden, tiedEmbeddings,
        ropeTheta, normEps, dropout, initStd, evenSplit(dModel, nHeads), 0, RopeScaling.NONE);
  }

  private static int evenSplit(int dModel, int nHeads) {
    if (nHeads <= 0 || dModel % nHeads != 0) {
      throw new IllegalArgumentException("dModel " + dModel + " must be a multiple of nHeads " + nHeads
          + "; pick nHeads among the divisors of dModel (or set headSize explicitly for a rotary family)");
    }
    return dModel / nHeads;
  }

  private static void positive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }

  /**
   * A config with the architecture's defaults: plain attention with head size dModel / nHeads, GPT-2
   * MLP width 4C or the gated families' 8C/3 rounded up to a multiple of 16, tied embeddings for GPT-2
   * and Gemma, rotary base 10000 for the rotary families, no window, no rope scaling.
   */
  public static ModelConfig of(Architecture arch, int vocabSize, int contextLength, int nLayers, int nHeads, int dModel) {
    boolean rotary = arch.rotary();
    int ffn = rotary ? (int) Math.ceil(8.0 * dModel / 3 / 16) * 16 : 4 * dModel;
    return new ModelConfig(arch, vocabSize, contextLength, nLayers, nHeads, nHeads, dModel, ffn,
        !rotary || arch == Architecture.GEMMA, rotary ? 10000 : 0, 1e-5, 0.0, 0.02);
  }

  private static final Map<String, ModelConfig> PRESETS = new LinkedHashMap<>();

  static {
    PRESETS.put("gpt2", of(Architecture.GPT2, 50257, 1024, 12, 12, 768));
    PRESETS.put("gpt2-medium", of(Architecture.GPT2, 50257, 1024, 24, 16, 1024));
    PRESETS.put("tiny", of(Architecture.GPT2, 4096, 128, 2, 4, 64));
    PRESETS.put("small", of(Architecture.GPT2, 4096, 256, 4, 4, 256));
    PRESETS.put("llama-tiny", of(Architecture.LLAMA, 4096, 128, 2, 4, 64).withKvHeads(2));
    PRESETS.put("llama-small", of(Architecture.LLAMA, 4096, 256, 4, 4, 256).withKvHeads(2));
    // the shape of Qwen2.5-0.5B (494M parameters): q/k/v biases, rotary base 1e6, RMSNorm eps 1e-6, tied output
    PRESETS.put("qwen2.5-0.5b", new ModelConfig(Architecture.QWEN2, 151_936, 32_768, 24, 14, 2, 896, 4864, true,
        1_000_000, 1e-6, 0, 0.02));
  }

  /**
   * Preset names: gpt2, gpt2-medium, tiny, small (the CPU benchmark model), llama-tiny, llama-small,
   * qwen2.5-0.5b (Qwen2.5-0.5B's shape, randomly initialised).
   */
  public static List<String> presetNames() {
    return List.copyOf(PRESETS.keySet());
  }

  public static ModelConfig preset(String name) {
    ModelConfig c = PRESETS.get(name);
    if (c == null) {
      throw new IllegalArgumentException("unknown preset '" + name + "'; valid: " + PRESETS.keySet());
    }
    return c;
  }

  /** Number of parameters, each shared tensor counted once; equals the built graph's {@code numParams()}. */
  public long parameterCount() {
    long c = dModel, f = ffnHidden, q = (long) nHeads * headSize, kv = (long) nKvHeads * headSize;
    boolean bias = architecture.bias;
    int normTensors = architecture.norm == dev.llmj.core.layers.NormKind.LAYER_NORM ? 2 : 1;
    long mlpIn = architecture.mlp.gated() ? 2 * c * f : c * f;
    long block = 2 * normTensors * c
        + c * q + 2 * c * kv + q * c // q, k, v, o
        + (bias || architecture.qkvBias ? q + 2 * kv : 0) + (bias ? c : 0)
        + (architecture.qkNorm ? 2 * normTensors * (long) headSize : 0)
        + mlpIn + f * c + (bias ? f + c : 0); // up (and gate), down
    long embed = (long) vocabSize * c + (architecture.learnedPositions ? (long) contextLength * c : 0);
    long head = normTensors * c + (tiedEmbeddings ? 0 : c * vocabSize);
    return embed + nLayers * block + head;
  }

  public ModelConfig withKvHeads(int n) {
    return new ModelConfig(architecture, vocabSize, contextLength, nLayers, nHeads, n, dModel, ffnHidden,
        tiedEmbeddings, ropeTheta, normEps, dropout, initStd, headSize, window, ropeScaling);
  }

  /** Head size D; the rotary families allow nHeads * D != dModel. */
  public ModelConfig withHeadSize(int d) {
    return withAttention(d, window, ropeScaling);
  }

  /** Sliding window W (mistral): query i attends keys i - W &lt; j &lt;= i; 0 for unlimited. */
  public ModelConfig withWindow(int w) {
    return withAttention(headSize, w, ropeScaling);
  }

  public ModelConfig withRopeScaling(RopeScaling r) {
    return withAttention(headSize, window, r);
  }

  private ModelConfig withAttention(int d, int w, RopeScaling r) {
    return new ModelConfig(architecture, vocabSize, contextLength, nLayers, nHeads, nKvHeads, dModel, ffnHidden,
        tiedEmbeddings, ropeTheta, normEps, dropout, initStd, d, w, r);
  }

  public ModelConfig withFfnHidden(int f) {
    return new ModelConfig(architecture, vocabSize, contextLength, nLayers, nHeads, nKvHeads, dModel, f,
        tiedEmbeddings, ropeTheta, normEps, dropout, initStd, headSize, window, ropeScaling);
  }

  public ModelConfig withTiedEmbeddings(boolean tied) {
    return new ModelConfig(architecture, vocabSize, contextLength, nLayers, nHeads, nKvHeads, dModel, ffnHidden,
        tied, ropeTheta, normEps, dropout, initStd, headSize, window, ropeScaling);
  }

  public ModelConfig withDropout(double p) {
    return new ModelConfig(architecture, vocabSize, contextLength, nLayers, nHeads, nKvHeads, dModel, ffnHidden,
        tiedEmbeddings, ropeTheta, normEps, p, initStd, headSize, window, ropeScaling);
  }

  public ModelConfig withLayers(int n) {
    return new ModelConfig(architecture, vocabSize, contextLength, n, nHeads, nKvHeads, dModel, ffnHidden,
        tiedEmbeddings, ropeTheta, normEps, dropout, initStd, headSize, window, ropeScaling);
  }

  public ModelConfig withVocabSize(int v) {
    return new ModelConfig(architecture, v, contextLength, nLayers, nHeads, nKvHeads, dModel, ffnHidden,
        tiedEmbeddings, ropeTheta, normEps, dropout, initStd, headSize, window, ropeScaling);
  }

  public ModelConfig withContextLength(int t) {
    return new ModelConfig(architecture, vocabSize, t, nLayers, nHeads, nKvHeads, dModel, ffnHidden,
        tiedEmbeddings, ropeTheta, normEps, dropout, initStd, headSize, window, ropeScaling);
  }

  /** The Hugging Face config.json fields of this config (exact except Llama's dropout, which HF lacks). */
  public dev.llmj.core.io.HfConfig toHuggingFace() {
    return HfConfigs.toHuggingFace(this);
  }

  /**
   * The config of a Hugging Face model; {@code initializer_range} gives initStd, GPT-2's {@code resid_pdrop}
   * the dropout (0 when absent, and for Llama).
   *
   * @throws UnsupportedOperationException naming the key of a variant this library does not compute
   */
  public static ModelConfig fromHuggingFace(dev.llmj.core.io.HfConfig hf) {
    return HfConfigs.fromHuggingFace(hf);
  }

  /** This config as config.json text. */
  public String toJson() {
    return ConfigJson.write(this);
  }

  /** Parses config.json text; unknown keys are errors that list the valid ones. */
  public static ModelConfig fromJson(String json) {
    return ConfigJson.read(json, "config.json");
  }

  /** As {@link #fromJson(String)}; {@code source} names the text's origin (a file and key) in error messages. */
  public static ModelConfig fromJson(String json, String source) {
    return ConfigJson.read(json, source);
  }

  public void write(java.nio.file.Path file) throws java.io.IOException {
    java.nio.file.Files.writeString(file, toJson());
  }

  public static ModelConfig read(java.nio.file.Path file) throws java.io.IOException {
    return ConfigJson.read(java.nio.file.Files.readString(file), file.toString());
  }
}
