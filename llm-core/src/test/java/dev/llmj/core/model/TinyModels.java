package dev.llmj.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/** Tiny models of both architectures, a learnable token sequence, and exact parameter comparison. */
final class TinyModels {
  static final long SEED = Long.getLong("tests.seed", 0x11a3);
  static final int VOCAB = 23;

  private TinyModels() {}

  static ModelConfig gpt2(int layers, boolean tied) {
    return ModelConfig.of(Architecture.GPT2, VOCAB, 24, layers, 2, 16).withTiedEmbeddings(tied);
  }

  static ModelConfig llama(int layers, boolean tied) {
    return ModelConfig.of(Architecture.LLAMA, VOCAB, 24, layers, 2, 16).withKvHeads(1).withTiedEmbeddings(tied);
  }

  /** GPT-2 and Llama, each tied and untied; the GPT-2 ones with non-default dropout and init std. */
  static List<ModelConfig> all(int layers) {
    ModelConfig g = gpt2(layers, true);
    ModelConfig odd = new ModelConfig(g.architecture(), g.vocabSize(), g.contextLength(), g.nLayers(), g.nHeads(),
        g.nKvHeads(), g.dModel(), 40, false, 0, 1e-6, 0.1, 0.01);
    return List.of(g, odd, llama(layers, true), llama(layers, false));
  }

  /** A fixed cycle over {@code period} distinct ids, repeated to {@code length} tokens from {@code start}. */
  static int[] cycle(int period, int start, int length) {
    int[] ids = new int[length];
    for (int i = 0; i < length; i++) {
      ids[i] = (7 * ((start + i) % period) + 3) % VOCAB;
    }
    return ids;
  }

  /** {@code steps} Adam steps on random windows of {@link #cycle}; returns the trained model. */
  static LanguageModel trainedOnCycle(ModelConfig config, int period, int steps, long seed) {
    ComputationGraph g = Transformers.build(config, seed, DataType.FLOAT, new Adam(1e-2));
    Random r = new Random(seed);
    int t = config.contextLength();
    for (int s = 0; s < steps; s++) {
      int[][] in = new int[4][];
      int[][] next = new int[4][];
      for (int b = 0; b < 4; b++) {
        int[] w = cycle(period, r.nextInt(period), t + 1);
        in[b] = java.util.Arrays.copyOf(w, t);
        next[b] = java.util.Arrays.copyOfRange(w, 1, t + 1);
      }
      g.fit(new MultiDataSet(Nd4j.createFromArray(in), Nd4j.createFromArray(next)));
    }
    return new LanguageModel(g, config);
  }

  /** Asserts equal configs and bit-identical parameters; prints and returns the worst difference (0). */
  static double assertSameModel(LanguageModel expected, LanguageModel actual, String what) {
    assertEquals(expected.config(), actual.config(), what);
    float[] a = expected.graph().params().castTo(DataType.FLOAT).toFloatVector();
    float[] b = actual.graph().params().castTo(DataType.FLOAT).toFloatVector();
    assertEquals(a.length, b.length, what);
    double worst = 0;
    int differing = 0;
    for (int i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs(a[i] - b[i]));
      differing += Float.floatToRawIntBits(a[i]) == Float.floatToRawIntBits(b[i]) ? 0 : 1;
    }
    System.out.printf("%s: %d parameters, %d differ, worst difference %g%n", what, a.length, differing, worst);
    assertEquals(0, differing, what + ": parameters differing in their bits");
    return worst;
  }
}
