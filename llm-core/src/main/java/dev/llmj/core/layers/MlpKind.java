package dev.llmj.core.layers;

/** The feed-forward sub-block. */
public enum MlpKind {
  /** {@code down(gelu_tanh(up(x)))} (GPT-2). */
  GELU,
  /** {@code down(silu(gate(x)) * up(x))} (Llama). */
  SWIGLU
}
