package dev.llmj.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.llmj.core.kernel.AttentionKernel;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every path of the tiled kernel (FLOAT: native AVX-512, native AVX2, Java) and the exact path
 * (DOUBLE) against {@link NaiveAttention}: outputs, log-sum-exp and all three gradients. FLOAT
 * tolerance: worst |diff| / max(1, max |reference|) below 1e-4; DOUBLE: below 1e-10. A native path
 * this machine cannot run is skipped with the reason.
 */
class FlashAttentionTest {

  private FlashAttention kernel = new FlashAttention(2);

  /** The kernel limited to {@code isa} bits; skips unless this JVM runs that path. */
  private static FlashAttention path(int isa) {
    assumeTrue(NativeCpu.widest() >= isa, () -> "no " + isa + "-bit native path here: " + CpuKernels.attentionPath(64));
    return new FlashAttention(2, isa);
  }

  @ParameterizedTest(name = "isa {0}")
  @ValueSource(ints = {512, 256, 0})
  void matchesNaiveReferenceOnAwkwardShapes(int isa) {
    kernel = path(isa);
    Random rnd = TestSeeds.random("matchesNaiveReferenceOnAwkwardShapes");
    double worst = 0;
    for (int t : new int[] {1, 7, 13, 65, 130}) {
      for (int d : new int[] {8, 12, 16, 24, 64}) {
        for (int hkv : new int[] {1, 3}) {
          for (boolean causal : new boolean[] {true, false}) {
            worst = Math.max(worst, check(rnd, DataType.FLOAT, 2, t, t, 3, hkv, d, causal, 1e-4));
          }
        }
      }
    }
    System.out.println("cpu-flash FLOAT (isa " + isa + ") worst relative difference vs naive double: " + worst);
  }

  @ParameterizedTest(name = "isa {0}")
  @ValueSource(ints = {512, 256, 0})
  void longerKeysAndLongRowsMatch(int isa) {
    kernel = path(isa);
    Random rnd = TestSeeds.random("longerKeysAndLongRowsMatch");
    double worst = 0;
    for (boolean causal : new boolean[] {true, false}) { // a key/value cache: 70 keys, 5 or 67 queries
      worst = Math.max(worst, check(rnd, DataType.FLOAT, 1, 5, 70, 4, 2, 16, causal, 1e-4));
      worst = Math.max(worst, check(rnd, DataType.FLOAT, 1, 67, 70, 4, 2, 16, causal, 1e-4));
      worst = Math.max(worst, check(rnd, DataType.FLOAT, 1, 131, 200, 2, 1, 32, causal, 1e-4));
    }
    // several 64-row and 64-key blocks, head size 128
    worst = Math.max(worst, check(rnd, DataType.FLOAT, 1, 300, 300, 2, 2, 128, true, 1e-4));
    // scores with a standard deviation of 30: nearly one-hot rows, running maxima that jump between key
    // blocks, exponentials that underflow to 0
    worst = Math.max(worst, check(rnd, DataType.FLOAT, 30, 1, 200, 200, 2, 1, 64, true, 1e-4));
    System.out.println("cpu-flash FLOAT (isa " + isa + ") with Tk > T and long rows, worst relative difference: "
        + worst);
  }

  @Test
  void doublePathMatches() {
    Random rnd = TestSeeds.random("doublePathMatches");
    double worst = 0;
    for (boolean causal : new boolean[] {true, false}) {
      worst = Math.max(worst, check(rnd, DataType.DOUBLE, 2, 13, 13, 3, 1, 8, causal, 1e-10));
      worst = Math.max(worst, check(rnd, DataType.DOUBLE, 1, 5, 70, 2, 2, 8, causal, 1e-10));
    }
    System.out.println("exact DOUBLE worst relative difference vs naive double: " + worst);
  }

  @ParameterizedTest(name = "isa {0}")
  @ValueSource(ints = {512, 256, 0})
  void resultsDoNotDependOnThreadCount(int isa) {
    path(isa);
    Random rnd = TestSeeds.random("resultsDoNotDependOnThreadCount");
    INDArray q = gaussian(rnd, DataType.FLOAT, 3, 70, 4, 16);
    INDArray k = gaussian(rnd, DataType.FLOAT, 3, 70, 2, 16);
    INDArray v = gaussian(rnd, DataType.FLOAT, 3, 70, 2, 16);
    INDArray dOut = gaussian(rnd, DataType.FLOAT, 3, 70, 4, 16);
    AttentionKernel one = new FlashAttention(1, isa), three = new FlashAttention(3, isa);
    AttentionKernel.Forward f1 = one.forward(q, k, v, true, 0.25), f3 = three.forward(q, k, v, true, 0.25);
    assertArrayEquals(f1.out().data().asFloat(), f3.out().data().asFloat());
    AttentionKernel.Backward b1 = one.backward(q, k, v, f1.out(), f1.lse(), dOut, true, 0.25);
    AttentionKernel.Backward b3 = three.backward(q, k, v, f3.out(), f3.lse(), dOut, true, 0.25);
    assertArrayEquals(b1.dk().data().asFloat(), b3.dk().data().asFloat());
    assertArrayEquals(b1.dv().data().asFloat(), b3.dv().data().asFloat());
    assertArrayEquals(b1.dq().data().asFloat(), b3.dq().data().asFloat());
    System.out.println("isa " + isa + ", 1 and 3 threads: bitwise equal out, dq, dk, dv");
  }

  @Test
  void rejectsBadShapes() {
    INDArray q = Nd4j.zeros(DataType.FLOAT, 1, 4, 3, 8);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> kernel.forward(q, Nd4j.zeros(DataType.FLOAT, 1, 4, 2, 8), Nd4j.zeros(DataType.FLOAT, 1, 4, 2, 8), true, 1));
    assertTrue(e.getMessage().contains("H=3") && e.getMessage().contains("Hkv=2"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> kernel.forward(q, Nd4j.zeros(DataType.FLOAT, 1, 2, 3, 8), Nd4j.zeros(DataType.FLOAT, 1, 2, 3, 8), true, 1));
    assertTrue(e.getMessage().contains("Tk=2"), e.getMessage());
  }

  /** Runs forward and backward on one shape and returns the worst relative difference. */
  private double check(Random rnd, DataType type, int b, int t, int tk, int h, int hkv, int d, boolean causal,
      double tolerance) {
    return check(rnd, type, 1, b, t, tk, h, hkv, d, causal, tolerance);
  }

  /** As above with queries scaled by {@code spread}, which scales the scores alike. */
  private double check(Random rnd, DataType type, double spread, int b, int t, int tk, int h, int hkv, int d,
      boolean causal, double tolerance) {
    double scale = 1 / Math.sqrt(d);
    INDArray q = gaussian(rnd, type, b, t, h, d).muli(spread);
    INDArray k = gaussian(rnd, type, b, tk, hkv, d);
    INDArray v = gaussian(rnd, type, b, tk, hkv, d);
    INDArray dOut = gaussian(rnd, type, b, t, h, d);
    NaiveAttention ref = new NaiveAttention(doubles(q), doubles(k), doubles(v), b, t, tk, h, hkv, d, causal, scale);
    double[][] grads = ref.backward(doubles(dOut));
    AttentionKernel.Forward f = kernel.forward(q, k, v, causal, scale);
    AttentionKernel.Backward g = kernel.backward(q, k, v, f.out(), f.lse(), dOut, causal, scale);
    String where = type + " spread=" + spread + " B=" + b + " T=" + t + " Tk=" + tk + " H=" + h + " Hkv=" + hkv + " D=" + d
        + " causal=" + causal;
    double worst = 0;
    String[] names = {"out", "lse", "dq", "dk", "dv"};
    double[][] expected = {ref.out, ref.lse, grads[0], grads[1], grads[2]};
    INDArray[] actual = {f.out(), f.lse(), g.dq(), g.dk(), g.dv()};
    for (int i = 0; i < names.length; i++) {
      assertTrue(actual[i].dataType() == type, names[i] + " has type " + actual[i].dataType());
      double diff = relDiff(expected[i], doubles(actual[i]));
      worst = Math.max(worst, diff);
      String name = names[i];
      assertTrue(diff <= tolerance, () -> where + ": " + name + " differs by " + diff);
    }
    return worst;
  }

  private static double relDiff(double[] expected, double[] actual) {
    double max = 1, diff = 0;
    for (int i = 0; i < expected.length; i++) {
      max = Math.max(max, Math.abs(expected[i]));
      diff = Math.max(diff, Math.abs(expected[i] - actual[i]));
    }
    return diff / max;
  }

  private static INDArray gaussian(Random rnd, DataType type, int... shape) {
    int n = 1;
    for (int s : shape) {
      n *= s;
    }
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = rnd.nextGaussian();
    }
    long[] longShape = java.util.Arrays.stream(shape).asLongStream().toArray();
    return Nd4j.create(x, longShape, DataType.DOUBLE).castTo(type);
  }

  private static double[] doubles(INDArray x) {
    return x.castTo(DataType.DOUBLE).dup('c').data().asDouble();
  }
}
