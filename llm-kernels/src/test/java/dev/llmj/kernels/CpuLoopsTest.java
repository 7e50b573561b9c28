package dev.llmj.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The native softmax exponential against Math.exp in double precision, over lengths with awkward tails. */
class CpuLoopsTest {

  private static final long SEED = Long.getLong("tests.seed", 20261202L);

  @Test
  void expShiftSumMatchesDoubleReference() {
    CpuLoops loops = new CpuLoops();
    assumeTrue(loops.usable(), "native CPU code not loaded here: " + CpuKernelProvider.attentionPath(64));
    for (int isa = NativeCpu.widest(); isa >= 256; isa /= 2) { // every vector path this CPU has
      check(isa);
    }
  }

  private static void check(int isa) {
    Random rnd = new Random(SEED);
    double worst = 0, worstSum = 0;
    for (int n : new int[] {1, 7, 13, 16, 17, 4098}) {
      int from = 3, to = from + n;
      float[] a = new float[to + 5];
      for (int i = 0; i < a.length; i++) {
        a[i] = (float) (rnd.nextGaussian() * 8);
      }
      a[from] = -200f; // underflows to exactly 0
      float[] before = a.clone();
      float shift = (float) (rnd.nextGaussian() * 3);
      float sum = LlmjCpu.llmj_cpu_exp_shift_sum(isa, a, from, to, shift);
      double refSum = 0;
      for (int i = from; i < to; i++) {
        double e = Math.exp(before[i] - shift); // the difference in float, as the kernel forms it
        refSum += e;
        worst = Math.max(worst, e < 1e-30 ? Math.abs(a[i]) : Math.abs(a[i] - e) / e);
      }
      worstSum = Math.max(worstSum, Math.abs(sum - refSum) / Math.max(refSum, 1e-30));
      for (int i = 0; i < a.length; i++) {
        if (i < from || i >= to) {
          assertEquals(before[i], a[i], "element " + i + " outside [" + from + ", " + to + ") changed; seed " + SEED);
        }
      }
    }
    System.out.printf("native exp (%d bits): worst relative difference %.2e per element, %.2e for the sum"
        + " (seed %d, reproduce with -Dtests.seed=%d)%n", isa, worst, worstSum, SEED, SEED);
    assertTrue(worst < 1e-6, isa + " bits, per element " + worst + "; seed " + SEED);
    assertTrue(worstSum < 1e-5, isa + " bits, sum " + worstSum + "; seed " + SEED);
  }
}
