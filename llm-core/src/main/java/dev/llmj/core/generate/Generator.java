package dev.llmj.core.generate;

import dev.llmj.core.layers.IncrementalDecoder;
import java.util.Arrays;
import java.util.function.IntConsumer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Autoregressive generation with a key/value cache: the prompt is fed once, then each new token
 * costs one position of work.
 *
 * <pre>{@code
 * int[] out = Generator.generate(graph, 1024, prompt, GenerationConfig.greedy(20), t -> System.out.println(t));
 * }</pre>
 */
public final class Generator {

  private Generator() {}

  /**
   * Returns the prompt followed by the generated tokens; {@code onToken} (may be null) sees each
   * generated token as soon as it is chosen. The whole sequence must fit {@code contextLength}.
   */
  public static int[] generate(ComputationGraph graph, int contextLength, int[] prompt, GenerationConfig config,
      IntConsumer onToken) {
    if (prompt.length == 0) {
      throw new IllegalArgumentException("prompt must hold at least one token (e.g. the end-of-text id)");
    }
    int total = prompt.length + config.maxNewTokens();
    if (total > contextLength) {
      throw new IllegalArgumentException("prompt (" + prompt.length + ") + maxNewTokens (" + config.maxNewTokens()
          + ") = " + total + " exceeds the context length " + contextLength + "; shorten one of them");
    }
    int[] seq = Arrays.copyOf(prompt, total);
    int length = prompt.length;
    if (config.maxNewTokens() == 0) {
      return seq;
    }
    IncrementalDecoder decoder = new IncrementalDecoder(graph, 1, total);
    Sampler sampler = new Sampler(config);
    float[] logits = decoder.feed(new int[][] {prompt}).castTo(DataType.FLOAT).toFloatVector();
    while (length < total) {
      int token = sampler.next(logits, seq, length);
      seq[length++] = token;
      if (onToken != null) {
        onToken.accept(token);
      }
      if (config.isStop(token) || length == total) {
        break;
      }
      logits = decoder.feed(new int[][] {{token}}).castTo(DataType.FLOAT).toFloatVector();
    }
    return Arrays.copyOf(seq, length);
  }
}
