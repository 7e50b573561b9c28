package dev.llmj.core.layers;

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
        double mean = 0;
        if (centre) {
          for (int j = 0; j < c; j++) {
            mean += x[o + j];
          }
          mean /= c;
        }
        double var = 0;
        for (int j = 0; j < c; j++) {
          double d = x[o + j] - mean;
          var += d * d;
        }
        float s = (float) (1 / Math.sqrt(var / c + eps));
        float m = (float) mean;
        rstd[r] = s;
        for (int j = 0; j < c; j++) {
          float h = (x[o + j] - m) * s;
          xhat[o + j] = h;
          y[o + j] = bias == null ? h * gain[j] : h * gain[j] + bias[j];
        }
      }
    });
  }

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
      for (int r = (int) ((long) n * task / tasks), end = (int) ((long) n * (task + 1) / tasks); r < end; r++) {
        int o = r * c;
        double sumG = 0, sumGx = 0;
        for (int j = 0; j < c; j++) {
          float d = dy[o + j], h = xhat[o + j];
          float g = d * gain[j];
          sumG += g;
          sumGx += g * h;
          acc[j] += d * h;
          acc[c + j] += d;
        }
        float meanG = centre ? (float) (sumG / c) : 0f;
        float meanGx = (float) (sumGx / c);
        float s = rstd[r];
        for (int j = 0; j < c; j++) {
          dx[o + j] = (dy[o + j] * gain[j] - meanG - xhat[o + j] * meanGx) * s;
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
