package dev.llmj.core.layers;

/** Normalisation before each sub-block and before the output projection. */
public enum NormKind {
  /** Mean and variance with a gain and a bias (GPT-2). */
  LAYER_NORM,
  /** Root mean square with a gain only (Llama). */
  RMS_NORM,
  /**
   * Root mean square scaled by {@code 1 + w} (Gemma): the stored weight is the gain's offset from one,
   * so it starts at zero.
   */
  RMS_NORM_OFFSET
}
