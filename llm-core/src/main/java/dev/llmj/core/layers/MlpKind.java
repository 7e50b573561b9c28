package dev.llmj.core.layers;

/** The feed-forward sub-block. */
public enum MlpKind {
  /** {@code down(gelu_tanh(up(x)))} (GPT-2). */
  GELU,
  /** {@code down(silu(gate(x)) * up(x))} (Llama). */
  SWIGLU,
  /** {@code down(gelu_tanh(gate(x)) * up(x))} (Gemma). */
  GEGLU;

  /** Whether the MLP has a gate projection beside the up projection. */
  public boolean gated() {
    return this != GELU;
  }
}
