package dev.llmj.core.model;

import dev.llmj.core.layers.MlpKind;
import dev.llmj.core.layers.NormKind;
import java.util.Arrays;
import java.util.Locale;

/**
 * The model family: fixes the block's parts and the Hugging Face tensor names. Every family is a
 * configuration of the same decoder block; sizes, the head size, rope scaling and the sliding window
 * are in {@link ModelConfig}.
 */
public enum Architecture {
  /** LayerNorm with bias, learned positions, GELU (tanh) MLP, biases everywhere. */
  GPT2(NormKind.LAYER_NORM, MlpKind.GELU, true, true, false, false, false),
  /** RMSNorm, rotary positions, SwiGLU MLP, no biases (also SmolLM, TinyLlama). */
  LLAMA(NormKind.RMS_NORM, MlpKind.SWIGLU, false, false, false, false, false),
  /** Llama's block with an optional sliding attention window. */
  MISTRAL(NormKind.RMS_NORM, MlpKind.SWIGLU, false, false, false, false, false),
  /** Llama's block with biases on the q, k and v projections (Qwen 1.5, 2, 2.5). */
  QWEN2(NormKind.RMS_NORM, MlpKind.SWIGLU, false, false, true, false, false),
  /** Llama's block with a per-head RMSNorm of queries and keys before the rotation. */
  QWEN3(NormKind.RMS_NORM, MlpKind.SWIGLU, false, false, false, true, false),
  /** RMSNorm times (1 + w), GeGLU (tanh) MLP, embeddings scaled by sqrt(C) (first-generation Gemma). */
  GEMMA(NormKind.RMS_NORM_OFFSET, MlpKind.GEGLU, false, false, false, false, true);

  final NormKind norm;
  final MlpKind mlp;
  final boolean bias;
  final boolean learnedPositions;
  final boolean qkvBias;
  final boolean qkNorm;
  final boolean scaledEmbeddings;

  Architecture(NormKind norm, MlpKind mlp, boolean bias, boolean learnedPositions, boolean qkvBias, boolean qkNorm,
      boolean scaledEmbeddings) {
    this.norm = norm;
    this.mlp = mlp;
    this.bias = bias;
    this.learnedPositions = learnedPositions;
    this.qkvBias = qkvBias;
    this.qkNorm = qkNorm;
    this.scaledEmbeddings = scaledEmbeddings;
  }

  /** Lower-case name used in config.json and as Hugging Face's {@code model_type}, e.g. {@code "gpt2"}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether positions are rotary (every family but GPT-2). */
  public boolean rotary() {
    return !learnedPositions;
  }

  public static Architecture fromId(String id) {
    for (Architecture a : values()) {
      if (a.id().equals(id)) {
        return a;
      }
    }
    throw new IllegalArgumentException("unknown architecture '" + id + "'; valid: "
        + Arrays.stream(values()).map(Architecture::id).toList());
  }
}
