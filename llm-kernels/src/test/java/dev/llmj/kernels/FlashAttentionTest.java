package dev.llmj.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmj.core.kernel.AttentionKernel;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The tiled kernel (FLOAT) and the exact path (DOUBLE) against {@link NaiveAttention}: outputs,
 * log-sum-exp and all three gradients. FLOAT tolerance: worst |diff| / max(1, max |reference|)
 * below 1e-4; DOUBLE: below 1e-10.
 */
class FlashAttentionTest {

  private final AttentionKernel kernel = new FlashAttention(2);

  @Test
  void matchesNaiveReferenceOnAwkwardShapes() {
    Random rnd = TestSeeds.random("matchesNaiveReferenceOnAwkwardShapes");
    double worst = 0;
    for (int t : new int[] {1, 7, 13, 65, 130}) {
      for (int d : new int[] {8, 64}) {
        for (int hkv : new int[] {1, 3}) {
          for (boolean causal : new boolean[] {true, false}) {
            worst = Math.max(worst, check(rnd, DataType.FLOAT, 2, t, t, 3, hkv, d, causal, 1e-4));
          }
        }
      }
    }
    System.out.println("cpu-flash FLOAT worst relative difference vs naive double: " + worst);
  }

  @Test
  void doublePathAndLongerKeysMatch() {
    Random rnd = TestSeeds.random("doublePathAndLongerKeysMatch");
    double worst = 0;
    for (boolean causal : new boolean[] {true, false}) {
      worst = Math.max(worst, check(rnd, DataType.DOUBLE, 2, 13, 13, 3, 1, 8, causal, 1e-10));
      worst = Math.max(worst, check(rnd, DataType.DOUBLE, 1, 5, 70, 2, 2, 8, causal, 1e-10));
    }
    System.out.println("exact DOUBLE worst relative difference vs naive double: " + worst);
    double worstFloat = 0;
    for (boolean causal : new boolean[] {true, false}) { // a key/value cache: 70 keys, 5 or 67 queries
      worstFloat = Math.max(worstFloat, check(rnd, DataType.FLOAT, 1, 5, 70, 4, 2, 16, causal, 1e-4));
      worstFloat = Math.max(worstFloat, check(rnd, DataType.FLOAT, 1, 67, 70, 4, 2, 16, causal, 1e-4));
    }
    System.out.println("cpu-flash FLOAT with Tk > T worst relative difference: " + worstFloat);
  }

  @Test
  void resultsDoNotDependOnThreadCount() {
    Random rnd = TestSeeds.random("resultsDoNotDependOnThreadCount");
    INDArray q = gaussian(rnd, DataType.FLOAT, 3, 70, 4, 16);
    INDArray k = gaussian(rnd, DataType.FLOAT, 3, 70, 2, 16);
    INDArray v = gaussian(rnd, DataType.FLOAT, 3, 70, 2, 16);
    INDArray dOut = gaussian(rnd, DataType.FLOAT, 3, 70, 4, 16);
    AttentionKernel one = new FlashAttention(1), three = new FlashAttention(3);
    AttentionKernel.Forward f1 = one.forward(q, k, v, true, 0.25), f3 = three.forward(q, k, v, true, 0.25);
    assertArrayEquals(f1.out().data().asFloat(), f3.out().data().asFloat());
    AttentionKernel.Backward b1 = one.backward(q, k, v, f1.out(), f1.lse(), dOut, true, 0.25);
    AttentionKernel.Backward b3 = three.backward(q, k, v, f3.out(), f3.lse(), dOut, true, 0.25);
    assertArrayEquals(b1.dk().data().asFloat(), b3.dk().data().asFloat());
    assertArrayEquals(b1.dq().data().asFloat(), b3.dq().data().asFloat());
    System.out.println("1 and 3 threads: bitwise equal out, dq, dk");
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
    double scale = 1 / Math.sqrt(d);
    INDArray q = gaussian(rnd, type, b, t, h, d);
    INDArray k = gaussian(rnd, type, b, tk, hkv, d);
    INDArray v = gaussian(rnd, type, b, tk, hkv, d);
    INDArray dOut = gaussian(rnd, type, b, t, h, d);
    NaiveAttention ref = new NaiveAttention(doubles(q), doubles(k), doubles(v), b, t, tk, h, hkv, d, causal, scale);
    double[][] grads = ref.backward(doubles(dOut));
    AttentionKernel.Forward f = kernel.forward(q, k, v, causal, scale);
    AttentionKernel.Backward g = kernel.backward(q, k, v, f.out(), f.lse(), dOut, causal, scale);
    String where = type + " B=" + b + " T=" + t + " Tk=" + tk + " H=" + h + " Hkv=" + hkv + " D=" + d
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
