package dev.llmj.core.layers;

import dev.llmj.core.simd.FloatMath;
import java.util.stream.IntStream;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fused kernels for float32 layers: LayerNorm/RMSNorm forward and backward, GELU and its derivative.
 * Each replaces a chain of five to fifteen whole-array ND4J ops (every one a JNI call, an allocation
 * and a full pass over memory) with one or two passes over rows, split across the common fork-join
 * pool. The layers fall back to their plain ND4J code for any other data type (the float64 gradient
 * checks run that code), and tests compare the two on awkward sizes.
 *
 * <p>Arrays cross the JNI boundary by bulk copy: {@link #read} and {@link #write} move a dense
 * c-order array to and from a {@code float[]} in one memcpy each, cheap next to the arithmetic.
 */
final class FloatKernels {

  private static final float GELU_K = (float) Math.sqrt(2 / Math.PI);
  private static final float GELU_C = 0.044715f;
  /** Rows below which splitting across threads costs more than it saves. */
  private static final int MIN_WORK_PER_TASK = 1 << 15;

  private FloatKernels() {}

  /** True when every array is float32 and dense c-order, so {@link #read} sees it as one block. */
  static boolean eligible(INDArray... arrays) {
    for (INDArray a : arrays) {
      if (a != null && (a.dataType() != DataType.FLOAT || a.ordering() != 'c' || !Shape.hasDefaultStridesForShape(a)
          || a.length() > Integer.MAX_VALUE - 8)) {
        return false;
      }
    }
    return true;
  }

  /** A copy of a dense c-order float array's elements (see {@link #eligible}). */
  static float[] read(INDArray a) {
    float[] out = new float[(int) a.length()];
    // addressPointer() already points at the view's first element.
    new FloatPointer(a.data().addressPointer()).get(out, 0, out.length);
    return out;
  }

  /** Writes {@code values} into a dense c-order float array of the same length. */
  static void write(float[] values, INDArray a) {
    if (values.length != a.length()) {
      throw new IllegalArgumentException("writing " + values.length + " values into an array of " + a.length());
    }
    new FloatPointer(a.data().addressPointer()).put(values, 0, values.length);
  }

  /** A new c-order float array holding {@code values}. */
  static INDArray create(float[] values, long... shape) {
    // Nd4j.create(float[], ...) copies element by element; an uninitialised array plus one memcpy does not.
    INDArray a = Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
    write(values, a);
    return a;
  }

  /** Runs {@code body(from, to)} over row ranges covering [0, rows), in parallel when the work is large. */
  static void forRows(int rows, int cols, RowRange body) {
    int tasks = (int) Math.min(Math.max(1, (long) rows * cols / MIN_WORK_PER_TASK),
        Math.min(rows, 4L * Runtime.getRuntime().availableProcessors()));
    if (tasks <= 1) {
      body.run(0, rows);
      return;
    }
    IntStream.range(0, tasks).parallel().forEach(i -> body.run(
        (int) ((long) rows * i / tasks), (int) ((long) rows * (i + 1) / tasks)));
  }

  @FunctionalInterface
  interface RowRange {
    void run(int from, int to);
  }

  /**
   * Normalises each row of x (N, C): writes {@code xhat}, {@code rstd} (N) and {@code y = xhat*gain + bias}.
   * {@code centre} false gives RMSNorm (no mean subtracted, bias null).
   */
  static void normForward(float[] x, int n, int c, float[] gain, float[] bias, boolean centre, double eps,
      float[] y, float[] xhat, float[] rstd) {
    forRows(n, c, (from, to) -> {
      for (int r = from; r < to; r++) {
        int o = r * c;
        float mean = centre ? FloatMath.sum(x, o, o + c) / c : 0f;
        float var = FloatMath.sumSquaredDeviation(x, o, o + c, mean) / c;
        float s = (float) (1 / Math.sqrt(var + eps));
        rstd[r] = s;
        FloatMath.normRow(x, o, c, mean, s, gain, bias, xhat, y);
      }
    });
  }

  /** Rows whose gain and bias gradients are summed in float before they join the double totals. */
  private static final int GRADIENT_BLOCK = 64;

  /**
   * Norm backward: returns dx and writes {@code dGain = sum(dy*xhat)} and {@code dBias = sum(dy)} (over
   * rows; dBias may be null). With {@code g = dy*gain}: {@code dx = rstd (g - mean(g) - xhat mean(g xhat))},
   * RMSNorm without the {@code mean(g)} term.
   */
  static float[] normBackward(float[] dy, float[] xhat, float[] rstd, int n, int c, float[] gain, boolean centre,
      float[] dGain, float[] dBias) {
    float[] dx = new float[n * c];
    int tasks = Math.max(1, Math.min(n, 4 * Runtime.getRuntime().availableProcessors()));
    double[][] partial = new double[tasks][2 * c]; // per task: dGain then dBias
    IntStream.range(0, tasks).parallel().forEach(task -> {
      double[] acc = partial[task];
      float[] blockGain = new float[c], blockBias = dBias == null ? null : new float[c], sums = new float[2];
      int from = (int) ((long) n * task / tasks), end = (int) ((long) n * (task + 1) / tasks);
      for (int r = from; r < end; r++) {
        int o = r * c;
        FloatMath.normGradientSums(dy, xhat, o, c, gain, blockGain, blockBias, sums);
        float meanG = centre ? sums[0] / c : 0f;
        FloatMath.normGradientRow(dy, xhat, o, c, gain, meanG, sums[1] / c, rstd[r], dx);
        if ((r - from) % GRADIENT_BLOCK == GRADIENT_BLOCK - 1 || r == end - 1) {
          for (int j = 0; j < c; j++) {
            acc[j] += blockGain[j];
            blockGain[j] = 0f;
            if (blockBias != null) {
              acc[c + j] += blockBias[j];
              blockBias[j] = 0f;
            }
          }
        }
      }
    });
    for (int j = 0; j < c; j++) {
      double sg = 0, sb = 0;
      for (double[] acc : partial) {
        sg += acc[j];
        sb += acc[c + j];
      }
      dGain[j] = (float) sg;
      if (dBias != null) {
        dBias[j] = (float) sb;
      }
    }
    return dx;
  }

  /**
   * Softmax cross-entropy of each row of dense float logits (N, V) against {@code y} (N), one read of
   * each row: returns the per-row losses {@code lse - logit[y]} (0 where {@code y < 0}) and, when
   * {@code gradient}, overwrites each row with {@code scale (softmax - onehot(y))} (zeros where
   * {@code y < 0}). Rows go through a {@code float[V]} per task that stays in cache.
   */
  static double[] softmaxCrossEntropy(INDArray logits, int[] y, float scale, boolean gradient) {
    int n = (int) logits.size(0), v = (int) logits.size(1);
    double[] loss = new double[n];
    FloatPointer base = new FloatPointer(logits.data().addressPointer());
    forRows(n, v, (from, to) -> {
      FloatPointer at = new FloatPointer(base);
      float[] row = new float[v];
      for (int r = from; r < to; r++) {
        if (y[r] < 0) {
          if (gradient) {
            java.util.Arrays.fill(row, 0f);
            at.position(base.position() + (long) r * v).put(row, 0, v);
          }
          continue;
        }
        at.position(base.position() + (long) r * v).get(row, 0, v);
        float target = row[y[r]];
        float max = FloatMath.max(row, 0, v);
        float sum = FloatMath.expShiftSum(row, 0, v, max);
        loss[r] = max + Math.log(sum) - target;
        if (gradient) {
          FloatMath.scale(row, 0, v, scale / sum);
          row[y[r]] -= scale;
          at.put(row, 0, v);
        }
      }
    });
    return loss;
  }

  /**
   * {@code tanh(k (a + 0.044715 a^3))}, GELU's tanh, by {@link #tanh(float)}: one vectorised pass,
   * where ND4J's tanh transform costs about ten times as much and Java's Math.tanh is a scalar call.
   */
  static float[] geluTanh(float[] a, int rows, int cols) {
    float[] t = new float[a.length];
    forRows(rows, cols, (from, to) -> {
      for (int i = from * cols, end = to * cols; i < end; i++) {
        float x = a[i];
        t[i] = tanh(GELU_K * (x + GELU_C * x * x * x));
      }
    });
    return t;
  }

  // tanh(x) = x P(x^2) / Q(x^2) on [-9, 9], P of degree 4 and Q of degree 4 in x^2, fitted for the
  // least maximum error by iterated reweighted least squares (float32 evaluation: at most 4e-7 from
  // tanh anywhere); beyond 9, tanh is 1 to within float precision.
  private static final float P0 = 0.99999988f, P1 = 0.13373317f, P2 = 3.4867218e-3f, P3 = 2.0474103e-5f,
      P4 = 1.3187331e-8f;
  private static final float Q1 = 0.46706614f, Q2 = 2.5842514e-2f, Q3 = 3.2716128e-4f, Q4 = 7.7039431e-7f;

  /** tanh in float arithmetic only (no call, no table), so that loops over it vectorise. */
  static float tanh(float x) {
    float v = Math.max(-9f, Math.min(9f, x));
    float s = v * v;
    float p = v * (P0 + s * (P1 + s * (P2 + s * (P3 + s * P4))));
    float q = 1f + s * (Q1 + s * (Q2 + s * (Q3 + s * Q4)));
    return p / q;
  }

  /** {@code 0.5 a (1 + t)} with {@code t} from {@link #geluTanh}. */
  static float[] gelu(float[] a, float[] t, int rows, int cols) {
    float[] g = new float[a.length];
    forRows(rows, cols, (from, to) -> {
      for (int i = from * cols, end = to * cols; i < end; i++) {
        g[i] = 0.5f * a[i] * (1 + t[i]);
      }
    });
    return g;
  }

  /** {@code dy * gelu'(a)} from the forward's tanh, written over dy: no transcendental left to evaluate. */
  static void geluBackward(float[] a, float[] t, float[] dy, int rows, int cols) {
    forRows(rows, cols, (from, to) -> {
      for (int i = from * cols, end = to * cols; i < end; i++) {
        float x = a[i], th = t[i];
        float d = 0.5f * (1 + th) + 0.5f * x * (1 - th * th) * GELU_K * (1 + 3 * GELU_C * x * x);
        dy[i] *= d;
      }
    });
  }
}
