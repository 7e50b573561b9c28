package dev.llmj.core.model;

import dev.llmj.core.generate.GenerationConfig;
import dev.llmj.core.generate.Generator;
import dev.llmj.core.layers.IncrementalDecoder;
import java.util.Map;
import java.util.function.IntConsumer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A graph with its config: scoring, next-token logits and generation on plain int arrays.
 *
 * <pre>{@code
 * LanguageModel lm = LanguageModel.create(ModelConfig.preset("tiny"), 42);
 * double nll = lm.loss(ids);                                   // mean next-token cross-entropy
 * int[] text = lm.generate(prompt, GenerationConfig.greedy(20), t -> System.out.print(t + " "));
 * }</pre>
 */
public final class LanguageModel {

  private final ComputationGraph graph;
  private final ModelConfig config;

  public LanguageModel(ComputationGraph graph, ModelConfig config) {
    long expected = config.parameterCount();
    if (graph.numParams() != expected) {
      throw new IllegalArgumentException("graph has " + graph.numParams() + " parameters but the config describes "
          + expected + "; build the graph from this config");
    }
    this.graph = graph;
    this.config = config;
  }

  /** A freshly initialised float32 model. */
  public static LanguageModel create(ModelConfig config, long seed) {
    return new LanguageModel(Transformers.build(config, seed), config);
  }

  /** A float32 model holding Hugging Face tensors (see {@link HuggingFace}). */
  public static LanguageModel fromHuggingFace(Map<String, INDArray> tensors, ModelConfig config) {
    return new LanguageModel(HuggingFace.fromHuggingFace(tensors, config), config);
  }

  public ComputationGraph graph() {
    return graph;
  }

  public ModelConfig config() {
    return config;
  }

  /**
   * Mean cross-entropy (nats per token) of predicting {@code ids[1..n-1]} from their prefixes;
   * {@code ids} may be at most contextLength + 1 long.
   */
  public double loss(int[] ids) {
    if (ids.length < 2 || ids.length > config.contextLength() + 1) {
      throw new IllegalArgumentException("loss needs 2 to contextLength+1 = " + (config.contextLength() + 1)
          + " tokens, got " + ids.length);
    }
    int[] in = java.util.Arrays.copyOf(ids, ids.length - 1);
    int[] next = java.util.Arrays.copyOfRange(ids, 1, ids.length);
    return graph.score(new MultiDataSet(Nd4j.createFromArray(new int[][] {in}), Nd4j.createFromArray(new int[][] {next})),
        false);
  }

  /** Logits (V) for the token after {@code ids}. */
  public float[] nextLogits(int[] ids) {
    if (ids.length == 0 || ids.length > config.contextLength()) {
      throw new IllegalArgumentException("need 1 to contextLength = " + config.contextLength() + " tokens, got "
          + ids.length);
    }
    IncrementalDecoder decoder = new IncrementalDecoder(graph, 1, ids.length);
    return decoder.feed(new int[][] {ids}).castTo(DataType.FLOAT).toFloatVector();
  }

  /** The prompt followed by generated tokens; {@code onToken} (nullable) streams each new token. */
  public int[] generate(int[] prompt, GenerationConfig generation, IntConsumer onToken) {
    return Generator.generate(graph, config.contextLength(), prompt, generation, onToken);
  }

  /** Parameters under Hugging Face names (copies). */
  public Map<String, INDArray> toHuggingFace() {
    return HuggingFace.toHuggingFace(graph, config);
  }
}
