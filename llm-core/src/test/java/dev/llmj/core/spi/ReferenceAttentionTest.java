package dev.llmj.core.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Compares the ND4J attention with a scalar double-precision loop, and its backward with finite differences. */
class ReferenceAttentionTest {

  private static final long SEED = Long.getLong("tests.seed", 20240611L);

  /**
   * Scalar attention: out (B, T, H, D) from q (B, T, H, D), k/v (B, Tk, Hkv, D), bottom-right causal;
   * with {@code window} W > 0, query position i sees keys i - W < j <= i.
   */
  static double[][][][] naive(double[][][][] q, double[][][][] k, double[][][][] v, boolean causal, int window,
      double scale) {
    int b = q.length, t = q[0].length, h = q[0][0].length, d = q[0][0][0].length;
    int tk = k[0].length, hkv = k[0][0].length, g = h / hkv;
    double[][][][] out = new double[b][t][h][d];
    for (int bi = 0; bi < b; bi++) {
      for (int hi = 0; hi < h; hi++) {
        int kv = hi / g;
        for (int i = 0; i < t; i++) {
          int last = causal ? i + (tk - t) : tk - 1;
          int first = window > 0 ? Math.max(0, last - window + 1) : 0;
          double[] s = new double[last + 1];
          double max = Double.NEGATIVE_INFINITY;
          for (int j = first; j <= last; j++) {
            for (int c = 0; c < d; c++) {
              s[j] += q[bi][i][hi][c] * k[bi][j][kv][c];
            }
            s[j] *= scale;
            max = Math.max(max, s[j]);
          }
          double sum = 0;
          for (int j = first; j <= last; j++) {
            s[j] = Math.exp(s[j] - max);
            sum += s[j];
          }
          for (int j = first; j <= last; j++) {
            for (int c = 0; c < d; c++) {
              out[bi][i][hi][c] += s[j] / sum * v[bi][j][kv][c];
            }
          }
        }
      }
    }
    return out;
  }

  static INDArray random(Random rnd, DataType dt, long... shape) {
    INDArray a = Nd4j.create(DataType.DOUBLE, shape);
    double[] data = new double[(int) a.length()];
    for (int i = 0; i < data.length; i++) {
      data[i] = rnd.nextGaussian();
    }
    return Nd4j.create(data, shape, DataType.DOUBLE).castTo(dt);
  }

  static double[][][][] toArray(INDArray a) {
    int[] s = java.util.Arrays.stream(a.shape()).mapToInt(x -> (int) x).toArray();
    double[][][][] r = new double[s[0]][s[1]][s[2]][s[3]];
    for (int i = 0; i < s[0]; i++)
      for (int j = 0; j < s[1]; j++)
        for (int l = 0; l < s[2]; l++)
          for (int m = 0; m < s[3]; m++) r[i][j][l][m] = a.getDouble(i, j, l, m);
    return r;
  }

  static double maxDiff(INDArray a, double[][][][] ref) {
    double worst = 0;
    for (int i = 0; i < ref.length; i++)
      for (int j = 0; j < ref[0].length; j++)
        for (int l = 0; l < ref[0][0].length; l++)
          for (int m = 0; m < ref[0][0][0].length; m++)
            worst = Math.max(worst, Math.abs(a.getDouble(i, j, l, m) - ref[i][j][l][m]));
    return worst;
  }

  @Test
  void forwardMatchesScalarLoop() {
    AttentionKernel kernel = new ReferenceAttention();
    Random rnd = new Random(SEED);
    int[][] cases = {{2, 5, 3, 3, 4, 5}, {1, 7, 4, 2, 3, 7}, {2, 1, 2, 1, 8, 6}, {1, 4, 6, 3, 5, 4}};
    for (DataType dt : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
      for (int[] c : cases) {
        for (int window : new int[] {-1, 0, 1, 3}) { // -1: not causal
          boolean causal = window >= 0;
          int w = Math.max(0, window);
          int b = c[0], t = c[1], h = c[2], hkv = c[3], d = c[4], tk = c[5];
          INDArray q = random(rnd, dt, b, t, h, d);
          INDArray k = random(rnd, dt, b, tk, hkv, d);
          INDArray v = random(rnd, dt, b, tk, hkv, d);
          double scale = 1 / Math.sqrt(d);
          AttentionKernel.Forward f = kernel.forward(q, k, v, causal, w, scale);
          double worst = maxDiff(f.out(), naive(toArray(q), toArray(k), toArray(v), causal, w, scale));
          double tol = dt == DataType.DOUBLE ? 1e-12 : 1e-5;
          System.out.printf("attention forward %s causal=%s window=%d shape=%s: max |diff| %.3g (seed %d)%n",
              dt, causal, w, java.util.Arrays.toString(c), worst, SEED);
          assertTrue(worst < tol, "max diff " + worst + " (reproduce with -Dtests.seed=" + SEED + ")");
          assertEquals(dt, f.out().dataType());
          assertEquals(java.util.List.of((long) b, (long) h, (long) t),
              java.util.Arrays.stream(f.lse().shape()).boxed().toList());
        }
      }
    }
  }

  /** Checks dq, dk, dv of {@code sum(out * w)} for a fixed random {@code w} against central differences at 8 entries each. */
  @Test
  void backwardMatchesFiniteDifferences() {
    AttentionKernel kernel = new ReferenceAttention();
    Random rnd = new Random(SEED + 1);
    int[][] cases = {{2, 5, 3, 3, 4}, {1, 6, 4, 2, 3}, {2, 3, 6, 1, 2}};
    for (int[] c : cases) {
      for (int window : new int[] {-1, 0, 2}) { // -1: not causal
        boolean causal = window >= 0;
        int win = Math.max(0, window);
        int b = c[0], t = c[1], h = c[2], hkv = c[3], d = c[4];
        INDArray q = random(rnd, DataType.DOUBLE, b, t, h, d);
        INDArray k = random(rnd, DataType.DOUBLE, b, t, hkv, d);
        INDArray v = random(rnd, DataType.DOUBLE, b, t, hkv, d);
        INDArray w = random(rnd, DataType.DOUBLE, b, t, h, d);
        double scale = 0.7;
        AttentionKernel.Forward f = kernel.forward(q, k, v, causal, win, scale);
        AttentionKernel.Backward g = kernel.backward(q, k, v, f.out(), f.lse(), w, causal, win, scale);
        double worst = 0;
        INDArray[][] pairs = {{q, g.dq()}, {k, g.dk()}, {v, g.dv()}};
        for (INDArray[] pair : pairs) {
          INDArray x = pair[0].reshape(pair[0].length());
          INDArray grad = pair[1].reshape(x.length());
          for (int probe = 0; probe < 8; probe++) { // random entries: the full sweep is slow on ND4J's per-op cost
            long i = rnd.nextInt((int) x.length());
            double old = x.getDouble(i);
            double eps = 1e-6;
            x.putScalar(i, old + eps);
            double up = kernel.forward(q, k, v, causal, win, scale).out().mul(w).sumNumber().doubleValue();
            x.putScalar(i, old - eps);
            double down = kernel.forward(q, k, v, causal, win, scale).out().mul(w).sumNumber().doubleValue();
            x.putScalar(i, old);
            double numeric = (up - down) / (2 * eps);
            double diff = Math.abs(numeric - grad.getDouble(i)) / Math.max(1, Math.abs(numeric));
            worst = Math.max(worst, diff);
          }
        }
        System.out.printf("attention backward causal=%s window=%d shape=%s: max rel diff %.3g (seed %d)%n",
            causal, win, java.util.Arrays.toString(c), worst, SEED);
        assertTrue(worst < 1e-7, "max diff " + worst + " (reproduce with -Dtests.seed=" + SEED + ")");
      }
    }
  }

  @Test
  void floatBackwardMatchesDouble() {
    AttentionKernel kernel = new ReferenceAttention();
    Random rnd = new Random(SEED + 2);
    INDArray q = random(rnd, DataType.DOUBLE, 2, 7, 4, 5);
    INDArray k = random(rnd, DataType.DOUBLE, 2, 7, 2, 5);
    INDArray v = random(rnd, DataType.DOUBLE, 2, 7, 2, 5);
    INDArray w = random(rnd, DataType.DOUBLE, 2, 7, 4, 5);
    AttentionKernel.Forward fd = kernel.forward(q, k, v, true, 0.4);
    AttentionKernel.Backward gd = kernel.backward(q, k, v, fd.out(), fd.lse(), w, true, 0.4);
    INDArray qf = q.castTo(DataType.FLOAT), kf = k.castTo(DataType.FLOAT), vf = v.castTo(DataType.FLOAT);
    AttentionKernel.Forward ff = kernel.forward(qf, kf, vf, true, 0.4);
    AttentionKernel.Backward gf = kernel.backward(qf, kf, vf, ff.out(), ff.lse(), w.castTo(DataType.FLOAT), true, 0.4);
    double worst = Math.max(Math.max(
        gf.dq().castTo(DataType.DOUBLE).sub(gd.dq()).amaxNumber().doubleValue(),
        gf.dk().castTo(DataType.DOUBLE).sub(gd.dk()).amaxNumber().doubleValue()),
        gf.dv().castTo(DataType.DOUBLE).sub(gd.dv()).amaxNumber().doubleValue());
    System.out.printf("attention backward float vs double: max |diff| %.3g%n", worst);
    assertEquals(DataType.FLOAT, gf.dq().dataType());
    assertTrue(worst < 1e-4, "max diff " + worst);
  }

  @Test
  void windowNeedsCausalAndIsNotNegative() {
    AttentionKernel kernel = new ReferenceAttention();
    INDArray q = Nd4j.rand(DataType.DOUBLE, 1, 4, 2, 3), k = Nd4j.rand(DataType.DOUBLE, 1, 4, 2, 3);
    assertThrows(UnsupportedOperationException.class, () -> kernel.forward(q, k, k, false, 2, 0.5));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> kernel.forward(q, k, k, true, -1, 0.5));
    assertTrue(e.getMessage().contains("-1"), e.getMessage());
    // a window as wide as the keys masks nothing beyond the causal mask
    assertEquals(0, kernel.forward(q, k, k, true, 4, 0.5).out().sub(kernel.forward(q, k, k, true, 0.5).out())
        .amaxNumber().doubleValue());
  }

  @Test
  void kernelChoiceHonoursNamesAndRejectsUnknown() {
    Map<String, AttentionKernel> available = KernelRegistry.availableAttention();
    assertTrue(available.containsKey("reference"), available.keySet().toString());
    assertEquals("reference", KernelRegistry.choose(available, "reference", KernelRegistry.ATTENTION_PROPERTY).name());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> KernelRegistry.choose(available, "no-such-kernel", KernelRegistry.ATTENTION_PROPERTY));
    assertTrue(e.getMessage().contains("reference") && e.getMessage().contains("no-such-kernel"), e.getMessage());
    assertTrue(KernelRegistry.availableMatmul().containsKey("nd4j"));
    assertTrue(KernelRegistry.attention() != null && KernelRegistry.matmul() != null);
  }
}
