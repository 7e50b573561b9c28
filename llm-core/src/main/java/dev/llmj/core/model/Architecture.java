package dev.llmj.core.model;

import dev.llmj.core.layers.MlpKind;
import dev.llmj.core.layers.NormKind;

/** The model family: fixes the block's parts and the Hugging Face tensor names. */
public enum Architecture {
  /** LayerNorm with bias, learned positions, GELU (tanh) MLP, biases everywhere. */
  GPT2(NormKind.LAYER_NORM, MlpKind.GELU, true, true),
  /** RMSNorm, rotary positions, SwiGLU MLP, no biases. */
  LLAMA(NormKind.RMS_NORM, MlpKind.SWIGLU, false, false);

  final NormKind norm;
  final MlpKind mlp;
  final boolean bias;
  final boolean learnedPositions;

  Architecture(NormKind norm, MlpKind mlp, boolean bias, boolean learnedPositions) {
    this.norm = norm;
    this.mlp = mlp;
    this.bias = bias;
    this.learnedPositions = learnedPositions;
  }

  /** Lower-case name used in config.json, e.g. {@code "gpt2"}. */
  public String id() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public static Architecture fromId(String id) {
    for (Architecture a : values()) {
      if (a.id().equals(id)) {
        return a;
      }
    }
    throw new IllegalArgumentException("unknown architecture '" + id + "'; valid: gpt2, llama");
  }
}
