package dev.llmj.core.train;

import java.util.Locale;
import org.deeplearning4j.nn.conf.layers.Layer;

/**
 * Which parameters get decoupled weight decay. DL4J attaches regularization per layer and per parameter
 * kind ({@code regularization} for weight parameters, {@code regularizationBias} for bias parameters, as
 * each layer's parameter initializer classifies them), so the choice is made at that granularity.
 *
 * <p>The {@link #DEFAULT} policy decays the weights of every layer except embeddings and normalisation
 * layers, and never decays biases: decaying a norm's gain or an embedding pulls it toward zero for no
 * regularising benefit (the GPT-2/nanoGPT practice is to decay only matmul weights).
 *
 * <pre>{@code
 * DecayPolicy onlyAttention = (name, layer) -> name.contains("attn");
 * }</pre>
 */
@FunctionalInterface
public interface DecayPolicy {

  /** Matmul weights decay; embeddings ("Embedding" in the layer class), norms ("Norm") and biases do not. */
  DecayPolicy DEFAULT = (name, layer) -> {
    String cls = layer.getClass().getSimpleName().toLowerCase(Locale.ROOT);
    return !cls.contains("embedding") && !cls.contains("norm");
  };

  /** Every weight parameter decays, embeddings and norms included (biases still do not). */
  DecayPolicy ALL_WEIGHTS = (name, layer) -> true;

  /** Whether the weight parameters of layer {@code name} decay. */
  boolean decayWeights(String name, Layer layer);

  /** Whether the bias parameters of layer {@code name} decay; none by default. */
  default boolean decayBiases(String name, Layer layer) {
    return false;
  }
}
