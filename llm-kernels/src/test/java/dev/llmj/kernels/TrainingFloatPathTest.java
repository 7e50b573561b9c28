package dev.llmj.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmj.core.spi.KernelRegistry;
import dev.llmj.core.model.Architecture;
import dev.llmj.core.model.ModelConfig;
import dev.llmj.core.model.Transformers;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * The whole model's float path as training runs it with this module on the class path (the native
 * attention kernel and OpenBLAS GEMM) against the double path on the same parameters (cast) and the
 * same batch: loss and every parameter gradient, per tensor max |g_float - g_double| / max |g_double|.
 * Head sizes 16 and 24 (with H*D other than C) and a sliding window, so the native attention paths run
 * where the CPU has them. The double path's kernels
 * are checked against the textbook attention ({@link FlashAttentionTest}) and the finite-difference
 * gradient checks of llm-core.
 */
class TrainingFloatPathTest {

  /** Measured worst per-tensor gradient difference, seeds 1, 2 and 11: 9.5e-6 (GPT-2); a margin of about 3x. */
  static final double GRAD_BOUND = 3e-5;
  /** Measured worst relative loss difference, same seeds: 8.1e-8 (Qwen 3); a margin of about 4x. */
  static final double LOSS_BOUND = 3e-7;

  @Test
  void floatKernelsMatchDoubleOnEveryAttentionShape() {
    long seed = Long.getLong("tests.seed", 11L);
    System.out.println("kernels: attention=" + KernelRegistry.attention().name() + " (" + CpuKernelProvider.attentionPath(16)
        + "), matmul=" + KernelRegistry.matmul().name() + "; seed " + seed + " (reproduce with -Dtests.seed=" + seed + ")");
    ModelConfig[] models = {
        new ModelConfig(Architecture.GPT2, 13, 9, 2, 2, 2, 32, 40, true, 0, 1e-5, 0, 0.2),
        new ModelConfig(Architecture.LLAMA, 13, 9, 2, 4, 1, 64, 36, false, 10000, 1e-5, 0, 0.2),
        // head size 24 with C/H = 8: H*D = 96 differs from C, and 24 floats take the AVX2 path under AVX-512
        new ModelConfig(Architecture.QWEN3, 13, 9, 2, 4, 2, 32, 36, false, 10000, 1e-5, 0, 0.2).withHeadSize(24),
        // a sliding window of 4 keys over 9 positions, run natively
        new ModelConfig(Architecture.MISTRAL, 13, 9, 2, 4, 2, 64, 36, false, 10000, 1e-5, 0, 0.2).withWindow(4)};
    for (ModelConfig cfg : models) {
      Random rnd = new Random(seed);
      ComputationGraph d = Transformers.build(cfg, seed, DataType.DOUBLE, new NoOp());
      for (INDArray p : d.paramTable().values()) {
        if (p.rank() == 1) { // norm gains and biases away from their initial 1 and 0
          for (long i = 0; i < p.length(); i++) p.putScalar(i, 0.5 + rnd.nextDouble());
        }
      }
      ComputationGraph f = Transformers.build(cfg, seed, DataType.FLOAT, new NoOp());
      f.setParams(d.params().castTo(DataType.FLOAT));
      int[][] x = new int[3][9], y = new int[3][9];
      for (int b = 0; b < 3; b++) {
        for (int t = 0; t < 9; t++) {
          x[b][t] = rnd.nextInt(cfg.vocabSize());
          y[b][t] = (b + t) % 5 == 4 ? -1 : rnd.nextInt(cfg.vocabSize()); // some targets ignored
        }
      }
      Map<String, INDArray> gd = grads(d, x, y), gf = grads(f, x, y);
      double lossRel = Math.abs(f.score() - d.score()) / d.score();
      assertEquals(gd.keySet(), gf.keySet());
      double worst = 0;
      String worstName = "";
      for (String name : gd.keySet()) {
        double scale = gd.get(name).amaxNumber().doubleValue();
        double diff = gf.get(name).castTo(DataType.DOUBLE).sub(gd.get(name)).amaxNumber().doubleValue();
        if (scale < 1e-12) { // GPT-2's key bias: zero in exact arithmetic, rounding noise in float
          assertTrue(diff < 1e-6, name + " should be zero, float gives " + diff);
          continue;
        }
        if (diff / scale > worst) {
          worst = diff / scale;
          worstName = name;
        }
      }
      System.out.printf("%s H=%d Hkv=%d D=%d W=%d: loss rel %.2e (bound %.1e), %d gradients, worst %.2e in %s"
          + " (bound %.1e)%n", cfg.architecture(), cfg.nHeads(), cfg.nKvHeads(), cfg.headSize(), cfg.window(), lossRel,
          LOSS_BOUND, gd.size(), worst, worstName, GRAD_BOUND);
      assertTrue(lossRel < LOSS_BOUND, cfg.architecture() + ": loss differs by " + lossRel + " (seed " + seed + ")");
      assertTrue(worst < GRAD_BOUND, cfg.architecture() + ": " + worstName + " differs by " + worst + " (seed " + seed + ")");
    }
  }

  private static Map<String, INDArray> grads(ComputationGraph g, int[][] x, int[][] y) {
    g.setInputs(Nd4j.createFromArray(x));
    g.setLabels(Nd4j.createFromArray(y));
    g.computeGradientAndScore();
    Map<String, INDArray> out = new TreeMap<>();
    g.gradient().gradientForVariable().forEach((k, v) -> out.put(k, v.dup()));
    return out;
  }
}
