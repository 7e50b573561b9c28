package dev.llmj.core.model;

import dev.llmj.core.generate.GenerationConfig;
import dev.llmj.core.layers.IncrementalDecoder;
import java.util.Arrays;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Rough timings of the "small" preset (4 layers, C=256, T=256, V=4096): one training step and
 * decoding with and without the key/value cache, side by side in one JVM.
 * Run: mvn -o -pl llm-core test -Dtest=SmallModelTiming -Dtests.slow=true -Dsurefire.failIfNoSpecifiedTests=false
 */
@EnabledIfSystemProperty(named = "tests.slow", matches = "true")
class SmallModelTiming {

  @Test
  void trainStepAndDecoding() {
    ModelConfig c = ModelConfig.preset("small");
    ComputationGraph g = Transformers.build(c, 1);
    int b = 4, t = 256;
    int[][] x = new int[b][t];
    int[][] y = new int[b][t];
    java.util.Random rnd = new java.util.Random(1);
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < t; j++) {
        x[i][j] = rnd.nextInt(c.vocabSize());
        y[i][j] = rnd.nextInt(c.vocabSize());
      }
    }
    MultiDataSet data = new MultiDataSet(Nd4j.createFromArray(x), Nd4j.createFromArray(y));
    g.fit(data);
    int steps = 3;
    long t0 = System.nanoTime();
    for (int i = 0; i < steps; i++) {
      g.fit(data);
    }
    double stepMs = (System.nanoTime() - t0) / 1e6 / steps;
    System.out.printf("small preset train step B=%d T=%d: %.0f ms (%.0f tokens/s)%n", b, t, stepMs, b * t / stepMs * 1000);

    LanguageModel lm = new LanguageModel(g, c);
    int[] prompt = Arrays.copyOf(x[0], 16);
    int n = 48;
    long t1 = System.nanoTime();
    lm.generate(prompt, GenerationConfig.greedy(n), null);
    double cachedMs = (System.nanoTime() - t1) / 1e6;
    long t2 = System.nanoTime();
    int[] seq = Arrays.copyOf(prompt, prompt.length + n);
    for (int i = prompt.length; i < seq.length; i++) {
      float[] logits = g.outputSingle(Nd4j.createFromArray(new int[][] {Arrays.copyOf(seq, i)}))
          .get(org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.point(i - 1),
              org.nd4j.linalg.indexing.NDArrayIndex.all()).toFloatVector();
      int best = 0;
      for (int v = 1; v < logits.length; v++) {
        if (logits[v] > logits[best]) best = v;
      }
      seq[i] = best;
    }
    double fullMs = (System.nanoTime() - t2) / 1e6;
    System.out.printf("greedy %d tokens after a 16-token prompt: cached %.0f ms (%.1f tok/s), uncached %.0f ms"
        + " (%.1f tok/s), ratio %.2fx%n", n, cachedMs, n / cachedMs * 1000, fullMs, n / fullMs * 1000, fullMs / cachedMs);
    new IncrementalDecoder(g, 1, 8); // constructing a decoder is cheap
  }
}
