package dev.llmj.core.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * Central finite differences in double precision against the hand-written backward of every layer,
 * through the whole graph (so the epsilons each layer passes down are checked too). Shapes are odd
 * on purpose (T=5, C=12, H=3, V=11). Each parameter tensor is probed at up to 3 random entries.
 * The two default cases cover every layer kind (LayerNorm, GELU, biases, learned positions, tie;
 * RMSNorm, SwiGLU, rotary, grouped-query, own projection); the other two run with -Dtests.slow=true.
 */
class GradientCheckTest {

  private static final long SEED = Long.getLong("tests.seed", 7L);

  static ModelConfig gpt(boolean tied) {
    return new ModelConfig(Architecture.GPT2, 11, 7, 2, 3, 3, 12, 20, tied, 0, 1e-5, 0, 0.3);
  }

  static ModelConfig llama(boolean tied, int heads, int kvHeads, int c) {
    return new ModelConfig(Architecture.LLAMA, 11, 7, 2, heads, kvHeads, c, 18, tied, 10000, 1e-5, 0, 0.3);
  }

  static INDArray ids(Random rnd, int b, int t, int v, boolean withIgnored) {
    int[][] a = new int[b][t];
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < t; j++) {
        a[i][j] = withIgnored && (i + j) % 4 == 3 ? -1 : rnd.nextInt(v);
      }
    }
    return Nd4j.createFromArray(a);
  }

  /** Returns the worst relative error over the probed entries, printing it per tensor. */
  static double check(ModelConfig cfg, String label) {
    Random rnd = new Random(SEED);
    ComputationGraph g = Transformers.build(cfg, SEED, DataType.DOUBLE, new NoOp());
    // Random norm gains and biases so that their gradients are not trivially symmetric.
    for (Map.Entry<String, INDArray> e : g.paramTable().entrySet()) {
      if (e.getValue().rank() == 1) {
        e.getValue().assign(Nd4j.rand(DataType.DOUBLE, e.getValue().shape()).addi(0.5));
      }
    }
    INDArray x = ids(rnd, 2, 5, cfg.vocabSize(), false);
    INDArray y = ids(rnd, 2, 5, cfg.vocabSize(), true);
    MultiDataSet data = new MultiDataSet(x, y);
    g.setInputs(x);
    g.setLabels(y);
    g.computeGradientAndScore();
    Map<String, INDArray> grads = g.gradient().gradientForVariable();
    double worst = 0;
    for (Layer layer : g.getLayers()) {
      String name = layer.conf().getLayer().getLayerName();
      for (Map.Entry<String, INDArray> e : layer.paramTable().entrySet()) {
        INDArray p = e.getValue().reshape(e.getValue().length());
        INDArray grad = grads.get(name + "_" + e.getKey()).dup().reshape(p.length());
        double tensorWorst = 0, tensorAbs = 0, tensorScale = 0;
        for (int probe = 0; probe < Math.min(3, p.length()); probe++) {
          long i = p.length() <= 3 ? probe : rnd.nextInt((int) p.length());
          double old = p.getDouble(i);
          double eps = 1e-6;
          p.putScalar(i, old + eps);
          double up = g.score(data, false);
          p.putScalar(i, old - eps);
          double down = g.score(data, false);
          p.putScalar(i, old);
          double numeric = (up - down) / (2 * eps);
          double analytic = grad.getDouble(i);
          double abs = Math.abs(numeric - analytic);
          double rel = abs == 0 ? 0 : abs / (Math.abs(numeric) + Math.abs(analytic));
          tensorAbs = Math.max(tensorAbs, abs);
          // Differences below 1e-8 are the rounding noise of the difference quotient itself.
          tensorWorst = Math.max(tensorWorst, abs > 1e-8 ? rel : 0);
          tensorScale = Math.max(tensorScale, Math.abs(analytic));
        }
        System.out.printf("gradcheck %-20s %-16s max|g| %.2e  max abs err %.2e  max rel err (abs > 1e-8) %.2e%n",
            label, name + "_" + e.getKey(), tensorScale, tensorAbs, tensorWorst);
        worst = Math.max(worst, tensorWorst);
      }
    }
    return worst;
  }

  private static void assertChecks(ModelConfig cfg, String label) {
    double worst = check(cfg, label);
    assertTrue(worst < 1e-5, label + ": max relative error " + worst + " (reproduce with -Dtests.seed=" + SEED + ")");
  }

  @Test
  void gpt2Tied() {
    assertChecks(gpt(true), "gpt2 tied");
  }

  @Test
  @EnabledIfSystemProperty(named = "tests.slow", matches = "true")
  void gpt2Untied() {
    assertChecks(gpt(false), "gpt2 untied");
  }

  @Test
  void llamaGroupedQueryUntied() {
    assertChecks(llama(false, 4, 2, 16), "llama gqa untied");
  }

  @Test
  @EnabledIfSystemProperty(named = "tests.slow", matches = "true")
  void llamaTiedOddHeads() {
    assertChecks(llama(true, 3, 1, 12), "llama tied H3 Hkv1");
  }
}
