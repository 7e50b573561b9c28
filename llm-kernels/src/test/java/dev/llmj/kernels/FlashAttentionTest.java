package dev.llmj.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.llmj.core.spi.AttentionKernel;
import dev.llmj.core.spi.ReferenceAttention;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every path of the tiled kernel (FLOAT: native AVX-512, native AVX2, Java) and the exact path
 * (DOUBLE) against {@link NaiveAttention}: outputs, log-sum-exp and all three gradients, each
 * compared as worst |diff| / max(1, max |reference|). A native path this machine cannot run is
 * skipped with the reason.
 */
class FlashAttentionTest {

  /**
   * FLOAT on short rows (T and Tk up to 130): measured worst 8e-7 to 2.1e-6 per path over three runs
   * (seeds from the clock); a margin of about 4x.
   */
  static final double FLOAT_BOUND_SHORT = 8e-6;
  /**
   * FLOAT on long rows (Tk up to 300, head size 128, scores with a standard deviation of 30): measured
   * worst 7e-6 to 1.7e-5 per path over three runs; a margin of about 3x.
   */
  static final double FLOAT_BOUND_LONG = 5e-5;
  /** DOUBLE: measured worst 5e-16 to 8e-16, a few units of double rounding; the bound allows 100x. */
  static final double DOUBLE_BOUND = 1e-13;

  private FlashAttention kernel = new FlashAttention(2);

  /** The kernel limited to {@code isa} bits; skips unless this JVM runs that path. */
  private static FlashAttention path(int isa) {
    assumeTrue(NativeCpu.widest() >= isa, () -> "no " + isa + "-bit native path here: " + CpuKernelProvider.attentionPath(64));
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
            worst = Math.max(worst, check(rnd, DataType.FLOAT, 2, t, t, 3, hkv, d, causal, FLOAT_BOUND_SHORT));
          }
        }
      }
    }
    System.out.println("cpu-flash FLOAT (isa " + isa + ") worst relative difference vs naive double: " + worst
        + " (bound " + FLOAT_BOUND_SHORT + ")");
  }

  @ParameterizedTest(name = "isa {0}")
  @ValueSource(ints = {512, 256, 0})
  void longerKeysAndLongRowsMatch(int isa) {
    kernel = path(isa);
    Random rnd = TestSeeds.random("longerKeysAndLongRowsMatch");
    double worst = 0;
    for (boolean causal : new boolean[] {true, false}) { // a key/value cache: 70 keys, 5 or 67 queries
      worst = Math.max(worst, check(rnd, DataType.FLOAT, 1, 5, 70, 4, 2, 16, causal, FLOAT_BOUND_LONG));
      worst = Math.max(worst, check(rnd, DataType.FLOAT, 1, 67, 70, 4, 2, 16, causal, FLOAT_BOUND_LONG));
      worst = Math.max(worst, check(rnd, DataType.FLOAT, 1, 131, 200, 2, 1, 32, causal, FLOAT_BOUND_LONG));
    }
    // several 64-row and 64-key blocks, head size 128
    worst = Math.max(worst, check(rnd, DataType.FLOAT, 1, 300, 300, 2, 2, 128, true, FLOAT_BOUND_LONG));
    // scores with a standard deviation of 30: nearly one-hot rows, running maxima that jump between key
    // blocks, exponentials that underflow to 0
    worst = Math.max(worst, check(rnd, DataType.FLOAT, 30, 1, 200, 200, 2, 1, 64, true, FLOAT_BOUND_LONG));
    System.out.println("cpu-flash FLOAT (isa " + isa + ") with Tk > T and long rows, worst relative difference: "
        + worst + " (bound " + FLOAT_BOUND_LONG + ")");
  }

  /**
   * Sliding windows against the naive reference: W = 1 (each query sees itself), windows shorter and
   * longer than a 64-key block, W = T - 1, T and beyond (no key hidden); grouped-query attention, head
   * sizes that take every vector width (8: AVX2 only, 24 and 40: AVX2 under AVX-512, 12: Java), and a
   * key/value cache (Tk > T) where the window reaches back before the first query.
   */
  @ParameterizedTest(name = "isa {0}")
  @ValueSource(ints = {512, 256, 0})
  void slidingWindowMatchesNaive(int isa) {
    kernel = path(isa);
    Random rnd = TestSeeds.random("slidingWindowMatchesNaive");
    double worst = 0;
    for (int t : new int[] {1, 13, 130}) {
      for (int w : new int[] {1, 5, 64, 65, t - 1, t, t + 7}) {
        if (w < 1) {
          continue;
        }
        worst = Math.max(worst, check(rnd, DataType.FLOAT, 1, 2, t, t, 6, 2, 16, true, w, FLOAT_BOUND_LONG));
      }
    }
    for (int d : new int[] {8, 12, 24, 40}) {
      worst = Math.max(worst, check(rnd, DataType.FLOAT, 1, 1, 77, 77, 4, 1, d, true, 9, FLOAT_BOUND_LONG));
    }
    worst = Math.max(worst, check(rnd, DataType.FLOAT, 1, 1, 67, 200, 4, 2, 32, true, 70, FLOAT_BOUND_LONG));
    worst = Math.max(worst, check(rnd, DataType.FLOAT, 1, 1, 3, 200, 2, 1, 16, true, 2, FLOAT_BOUND_LONG));
    // nearly one-hot rows whose maxima move as the window slides
    worst = Math.max(worst, check(rnd, DataType.FLOAT, 30, 1, 300, 300, 2, 1, 64, true, 100, FLOAT_BOUND_LONG));
    System.out.println("cpu-flash FLOAT (isa " + isa + ") sliding windows, worst relative difference vs naive "
        + "double: " + worst + " (bound " + FLOAT_BOUND_LONG + ")");
  }

  /** The layers' reference path (ND4J, masked score matrix) and this kernel agree on windows, float and double. */
  @Test
  void slidingWindowMatchesReferenceAttention() {
    Random rnd = TestSeeds.random("slidingWindowMatchesReferenceAttention");
    AttentionKernel reference = new ReferenceAttention();
    double[] worst = new double[2]; // FLOAT, DOUBLE
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      for (int w : new int[] {1, 3, 64, 100, 150}) {
        INDArray q = gaussian(rnd, type, 2, 100, 6, 24);
        INDArray k = gaussian(rnd, type, 2, 100, 3, 24);
        INDArray v = gaussian(rnd, type, 2, 100, 3, 24);
        INDArray dOut = gaussian(rnd, type, 2, 100, 6, 24);
        double scale = 1 / Math.sqrt(24);
        AttentionKernel.Forward f = kernel.forward(q, k, v, true, w, scale);
        AttentionKernel.Forward r = reference.forward(q, k, v, true, w, scale);
        AttentionKernel.Backward g = kernel.backward(q, k, v, f.out(), f.lse(), dOut, true, w, scale);
        AttentionKernel.Backward rg = reference.backward(q, k, v, r.out(), r.lse(), dOut, true, w, scale);
        INDArray[] actual = {f.out(), f.lse(), g.dq(), g.dk(), g.dv()};
        INDArray[] expected = {r.out(), r.lse(), rg.dq(), rg.dk(), rg.dv()};
        double bound = type == DataType.FLOAT ? FLOAT_BOUND_LONG : DOUBLE_BOUND;
        for (int i = 0; i < actual.length; i++) {
          double diff = relDiff(doubles(expected[i]), doubles(actual[i]));
          int slot = type == DataType.FLOAT ? 0 : 1;
          worst[slot] = Math.max(worst[slot], diff);
          int which = i;
          assertTrue(diff <= bound, () -> type + " window " + w + ": tensor " + which + " differs by " + diff);
        }
      }
    }
    System.out.println("cpu-flash vs reference attention with windows, worst relative difference: FLOAT " + worst[0]
        + " (bound " + FLOAT_BOUND_LONG + "), DOUBLE " + worst[1] + " (bound " + DOUBLE_BOUND + ")");
  }

  @Test
  void slidingWindowDoublePathMatches() {
    Random rnd = TestSeeds.random("slidingWindowDoublePathMatches");
    double worst = 0;
    for (int w : new int[] {1, 4, 13, 20}) {
      worst = Math.max(worst, check(rnd, DataType.DOUBLE, 1, 2, 13, 13, 4, 2, 8, true, w, DOUBLE_BOUND));
      worst = Math.max(worst, check(rnd, DataType.DOUBLE, 1, 1, 5, 30, 3, 1, 6, true, w, DOUBLE_BOUND));
    }
    System.out.println("exact DOUBLE sliding windows, worst relative difference vs naive double: " + worst
        + " (bound " + DOUBLE_BOUND + ")");
  }

  @Test
  void rejectsBadWindows() {
    INDArray q = Nd4j.zeros(DataType.FLOAT, 1, 4, 2, 8), k = Nd4j.zeros(DataType.FLOAT, 1, 4, 2, 8);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> kernel.forward(q, k, k, true, -1, 1));
    assertTrue(e.getMessage().contains("-1"), e.getMessage());
    UnsupportedOperationException u = assertThrows(UnsupportedOperationException.class,
        () -> kernel.forward(q, k, k, false, 2, 1));
    assertTrue(u.getMessage().contains("causal"), u.getMessage());
  }

  @Test
  void doublePathMatches() {
    Random rnd = TestSeeds.random("doublePathMatches");
    double worst = 0;
    for (boolean causal : new boolean[] {true, false}) {
      worst = Math.max(worst, check(rnd, DataType.DOUBLE, 2, 13, 13, 3, 1, 8, causal, DOUBLE_BOUND));
      worst = Math.max(worst, check(rnd, DataType.DOUBLE, 1, 5, 70, 2, 2, 8, causal, DOUBLE_BOUND));
    }
    System.out.println("exact DOUBLE worst relative difference vs naive double: " + worst + " (bound " + DOUBLE_BOUND
        + ")");
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
    return check(rnd, type, spread, b, t, tk, h, hkv, d, causal, 0, tolerance);
  }

  /** As above with a sliding window of {@code window} keys (0: unlimited). */
  private double check(Random rnd, DataType type, double spread, int b, int t, int tk, int h, int hkv, int d,
      boolean causal, int window, double tolerance) {
    double scale = 1 / Math.sqrt(d);
    INDArray q = gaussian(rnd, type, b, t, h, d).muli(spread);
    INDArray k = gaussian(rnd, type, b, tk, hkv, d);
    INDArray v = gaussian(rnd, type, b, tk, hkv, d);
    INDArray dOut = gaussian(rnd, type, b, t, h, d);
    NaiveAttention ref =
        new NaiveAttention(doubles(q), doubles(k), doubles(v), b, t, tk, h, hkv, d, causal, window, scale);
    double[][] grads = ref.backward(doubles(dOut));
    AttentionKernel.Forward f = kernel.forward(q, k, v, causal, window, scale);
    AttentionKernel.Backward g = kernel.backward(q, k, v, f.out(), f.lse(), dOut, causal, window, scale);
    String where = type + " spread=" + spread + " B=" + b + " T=" + t + " Tk=" + tk + " H=" + h + " Hkv=" + hkv + " D=" + d
        + " causal=" + causal + " window=" + window;
    double worst = 0;
    String[] names = {"out", "lse", "dq", "dk", "dv"};
    double[][] expected = {ref.out, ref.lse, grads[0], grads[1], grads[2]};
    INDArray[] actual = {f.out(), f.lse(), g.dq(), g.dk(), g.dv()};
    for (int i = 0; i < names.length; i++) {
      assertTrue(actual[i].dataType() == type, names[i] + " has type " + actual[i].dataType());
      long[] shape = i == 1 ? new long[] {b, h, t} : i == 3 || i == 4 ? new long[] {b, tk, hkv, d} : new long[] {b, t, h, d};
      assertArrayEquals(shape, actual[i].shape(), where + ": shape of " + names[i]);
      double diff = relDiff(expected[i], doubles(actual[i]));
      worst = Math.max(worst, diff);
      String name = names[i];
      assertTrue(diff <= tolerance, () -> where + ": " + name + " differs by " + diff);
    }
    return worst;
  }

  /** max |expected - actual| / max(1, max |expected|), after checking that both have the same length. */
  static double relDiff(double[] expected, double[] actual) {
    if (expected.length != actual.length) {
      throw new AssertionError("expected " + expected.length + " values, got " + actual.length);
    }
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
