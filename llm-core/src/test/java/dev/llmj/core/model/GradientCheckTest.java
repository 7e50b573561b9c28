package dev.llmj.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmj.core.layers.RopeScaling;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * Central finite differences in double precision against the hand-written backward of every layer,
 * through the whole graph (so the epsilons each layer passes down are checked too), for every variant
 * the README names: GPT-2 tied and untied, Llama tied and untied, grouped-query attention down to one
 * key/value head, rotary positions (every Llama), and each option of the other families: Qwen 2's q, k,
 * v biases, Qwen 3's per-head q/k norms with a head size other than C/H, Gemma's (1 + w) norms, GeGLU
 * and scaled tied embeddings, Mistral's sliding window, linear and llama3 rope scaling. Shapes are odd
 * on purpose (T=5, C=12, H=3, V=11).
 *
 * <p>Each parameter tensor is probed along one seeded random unit direction u of the whole tensor:
 * (L(p + eps u) - L(p - eps u)) / 2 eps against the analytic g.u, so one probe covers every entry of
 * the tensor (a wrong entry of the backward shows unless its error is orthogonal to u). A probe passes
 * when the absolute difference is under 1e-8 (the rounding noise of the difference quotient in double
 * is about 1e-10) or the relative difference is under 1e-5.
 *
 * <p>Then the float path that training runs against the double path on the same parameters (cast) and
 * the same batch: loss and every parameter gradient.
 */
class GradientCheckTest {

  private static final long SEED = Long.getLong("tests.seed", 7L);
  /** Bound on |numeric - analytic| / (|numeric| + |analytic|) for a probe whose difference exceeds 1e-8. */
  private static final double REL_BOUND = 1e-5;
  private static final double ABS_FLOOR = 1e-8;
  /** Random directions per tensor; each costs two evaluations of the loss. */
  private static final int PROBES = Integer.getInteger("tests.probes", 1);
  private static int threadsBefore;

  /**
   * One ND4J thread: the tensors here have a few dozen entries, and with several threads each of the
   * thousands of tiny ops waits on OpenMP, which made this class 5 times slower on a busy 2-core machine.
   */
  @BeforeAll
  static void oneThread() {
    threadsBefore = Nd4j.getEnvironment().maxThreads();
    Nd4j.getEnvironment().setMaxThreads(1);
  }

  @AfterAll
  static void restoreThreads() {
    Nd4j.getEnvironment().setMaxThreads(threadsBefore);
  }

  static ModelConfig gpt(boolean tied) {
    return new ModelConfig(Architecture.GPT2, 11, 7, 2, 3, 3, 12, 20, tied, 0, 1e-5, 0, 0.3);
  }

  static ModelConfig llama(boolean tied, int heads, int kvHeads, int c) {
    return new ModelConfig(Architecture.LLAMA, 11, 7, 2, heads, kvHeads, c, 18, tied, 10000, 1e-5, 0, 0.3);
  }

  /** A rotary family of width 12 with 3 heads of size 4 (H*D = C) unless changed by the caller. */
  static ModelConfig family(Architecture arch, boolean tied, int kvHeads) {
    return new ModelConfig(arch, 11, 7, 2, 3, kvHeads, 12, 18, tied, 10000, 1e-5, 0, 0.3);
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

  /** A double graph whose norm gains and biases are seeded random values, so their gradients are not symmetric. */
  static ComputationGraph randomGraph(ModelConfig cfg, Random rnd) {
    ComputationGraph g = Transformers.build(cfg, SEED, DataType.DOUBLE, new NoOp());
    for (Layer layer : g.getLayers()) {
      for (INDArray p : layer.paramTable().values()) {
        if (p.rank() == 1) {
          double[] v = new double[(int) p.length()];
          for (int i = 0; i < v.length; i++) {
            v[i] = 0.5 + rnd.nextDouble();
          }
          p.assign(Nd4j.createFromArray(v));
        }
      }
    }
    return g;
  }

  static INDArray unitDirection(Random rnd, long n) {
    double[] u = new double[(int) n];
    double norm = 0;
    for (int i = 0; i < u.length; i++) {
      u[i] = rnd.nextGaussian();
      norm += u[i] * u[i];
    }
    norm = Math.sqrt(norm);
    for (int i = 0; i < u.length; i++) {
      u[i] /= norm;
    }
    return Nd4j.createFromArray(u);
  }

  /** Returns the worst relative error over the probes that exceed the absolute floor, printing it per tensor. */
  static double check(ModelConfig cfg, String label) {
    Random rnd = new Random(SEED);
    ComputationGraph g = randomGraph(cfg, rnd);
    INDArray x = ids(rnd, 2, 5, cfg.vocabSize(), false);
    INDArray y = ids(rnd, 2, 5, cfg.vocabSize(), true);
    MultiDataSet data = new MultiDataSet(x, y);
    g.setInputs(x);
    g.setLabels(y);
    g.computeGradientAndScore();
    Map<String, INDArray> grads = g.gradient().gradientForVariable();
    double worstRel = 0, worstAbs = 0;
    int tensors = 0;
    double eps = 1e-6;
    for (Layer layer : g.getLayers()) {
      String name = layer.conf().getLayer().getLayerName();
      for (Map.Entry<String, INDArray> e : layer.paramTable().entrySet()) {
        INDArray p = e.getValue().reshape(e.getValue().length()); // a view: writes reach the graph
        INDArray grad = grads.get(name + "_" + e.getKey()).dup().reshape(p.length());
        INDArray saved = p.dup();
        double tensorRel = 0, tensorAbs = 0, tensorScale = 0;
        for (int probe = 0; probe < PROBES; probe++) {
          INDArray u = unitDirection(rnd, p.length());
          p.assign(saved.add(u.mul(eps)));
          double up = g.score(data, false);
          p.assign(saved.sub(u.mul(eps)));
          double down = g.score(data, false);
          p.assign(saved);
          double numeric = (up - down) / (2 * eps);
          double analytic = grad.mul(u).sumNumber().doubleValue();
          double abs = Math.abs(numeric - analytic);
          double rel = abs == 0 ? 0 : abs / (Math.abs(numeric) + Math.abs(analytic));
          tensorAbs = Math.max(tensorAbs, abs);
          tensorRel = Math.max(tensorRel, abs > ABS_FLOOR ? rel : 0);
          tensorScale = Math.max(tensorScale, Math.abs(analytic));
        }
        System.out.printf("gradcheck %-20s %-16s max|g.u| %.2e  max abs err %.2e  max rel err (abs > 1e-8) %.2e%n",
            label, name + "_" + e.getKey(), tensorScale, tensorAbs, tensorRel);
        worstRel = Math.max(worstRel, tensorRel);
        worstAbs = Math.max(worstAbs, tensorAbs);
        tensors++;
      }
    }
    assertEquals(g.numParams(), cfg.parameterCount(), label + ": parameters");
    System.out.printf("gradcheck %-20s %d tensors: worst abs err %.2e, worst rel err (abs > 1e-8) %.2e (seed %d)%n",
        label, tensors, worstAbs, worstRel, SEED);
    return worstRel;
  }

  private static void assertChecks(ModelConfig cfg, String label) {
    double worst = check(cfg, label);
    assertTrue(worst < REL_BOUND, label + ": max relative error " + worst + " (reproduce with -Dtests.seed=" + SEED + ")");
  }

  @Test
  void gpt2Tied() {
    assertChecks(gpt(true), "gpt2 tied");
  }

  @Test
  void gpt2Untied() {
    assertChecks(gpt(false), "gpt2 untied");
  }

  @Test
  void llamaUntiedGroupedQuery() {
    assertChecks(llama(false, 4, 2, 16), "llama untied H4 Hkv2");
  }

  @Test
  void llamaTiedSingleKvHead() {
    assertChecks(llama(true, 3, 1, 12), "llama tied H3 Hkv1");
  }

  static ModelConfig qwen2() {
    return family(Architecture.QWEN2, false, 1);
  }

  /** Head size 6 with 3 heads: H*D = 18 against C = 12. */
  static ModelConfig qwen3() {
    return family(Architecture.QWEN3, false, 3).withHeadSize(6);
  }

  /** Head size 8 with 2 heads and one key/value head: H*D = 16 against C = 12; tied. */
  static ModelConfig gemma() {
    return new ModelConfig(Architecture.GEMMA, 11, 7, 2, 2, 1, 12, 18, true, 10000, 1e-6, 0, 0.3, 8, 0,
        RopeScaling.NONE);
  }

  /** T = 5 (7 in the float test): windows of 1 and 2 keys mask most of the causal triangle. */
  static ModelConfig mistral(int window, boolean tied) {
    return family(Architecture.MISTRAL, tied, tied ? 1 : 3).withWindow(window);
  }

  /** Head size 8: wavelengths 6.3, 63, 628 and 6283 fall on both sides and inside llama3's band [25, 200]. */
  static ModelConfig llama3Rope() {
    return llama(false, 2, 1, 16).withRopeScaling(RopeScaling.llama3(4, 1, 8, 200));
  }

  @Test
  void qwen2QkvBiases() {
    assertChecks(qwen2(), "qwen2 qkv bias");
  }

  @Test
  void qwen3QkNormsAndHeadsWiderThanCOverH() {
    assertChecks(qwen3(), "qwen3 D6 H3 C12");
  }

  @Test
  void gemmaOffsetNormsGegluScaledEmbeddingsTied() {
    assertChecks(gemma(), "gemma D8 H2 C12");
  }

  @Test
  void mistralSlidingWindow() {
    assertChecks(mistral(2, false), "mistral window 2");
    assertChecks(mistral(1, true), "mistral window 1");
  }

  @Test
  void ropeScaling() {
    assertChecks(llama3Rope(), "llama3 rope scaling");
    assertChecks(llama(false, 2, 1, 16).withRopeScaling(RopeScaling.linear(2.5)), "linear rope scaling");
  }

  @Test
  void llamaUntiedSingleKvHeadAndPlainAttention() {
    assertChecks(llama(false, 4, 1, 16), "llama untied H4 Hkv1");
    assertChecks(llama(true, 2, 2, 12), "llama tied H2 Hkv2");
  }
}
