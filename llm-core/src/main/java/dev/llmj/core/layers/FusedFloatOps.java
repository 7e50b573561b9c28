package dev.llmj.core.layers;

import dev.llmj.core.simd.FloatMath;
import java.util.stream.IntStream;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fused kernels for float32 layers: LayerNorm/RMSNorm forward and backward, GELU and its derivative,
 * softmax cross-entropy with its logits gradient. Each replaces a chain of five to fifteen whole-array
 * ND4J ops (every one a JNI call, an allocation and a full pass over memory) with one or two passes
 * over rows, split across the common fork-join pool; the arithmetic is {@link FloatMath}'s (SIMD where
 * the JVM has the Vector API). The layers fall back to their plain ND4J code for any other data type (the float64 gradient
 * checks run that code), and tests compare the two on awkward sizes.
 *
 * <p>Arrays cross the JNI boundary by bulk copy. The element-wise kernels {@link #stream} blocks of
 * rows through small per-task buffers that stay in cache (one read of each input and one write of
 * each output from main memory); {@link #read} and {@link #write} move a whole small array.
 */
final class FusedFloatOps {

  /** Rows below which splitting across threads costs more than it saves. */
  private static final int MIN_WORK_PER_TASK = 1 << 15;

  private FusedFloatOps() {}

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

  /** Row-range tasks for (rows, cols): one when the work is small, at most four per core. */
  private static int tasks(int rows, int cols, int processors) {
    return (int) Math.min(Math.max(1, (long) rows * cols / MIN_WORK_PER_TASK),
        Math.max(1, Math.min(rows, 4L * processors)));
  }

  /** Runs {@code body} over row ranges that start at multiples of {@code align} rows. */
  private static void forTasks(int rows, int cols, int align, int processors, TaskRange body) {
    int units = (rows + align - 1) / align;
    int tasks = Math.min(tasks(rows, cols, processors), Math.max(1, units));
    if (tasks <= 1) {
      body.run(0, 0, rows);
      return;
    }
    IntStream.range(0, tasks).parallel().forEach(i -> body.run(i,
        (int) Math.min(rows, (long) align * (units * (long) i / tasks)),
        (int) Math.min(rows, (long) align * (units * (long) (i + 1) / tasks))));
  }

  @FunctionalInterface
  private interface TaskRange {
    void run(int task, int from, int to);
  }

  /** Floats of one array per block: 32 KB, so a block of every array in a kernel stays in L2. */
  private static final int BLOCK_FLOATS = 8192;

  /** A kernel body over one block: rows {@code [first, first + rows)}, buffers of {@code rows * cols}. */
  @FunctionalInterface
  interface Block {
    void run(int task, int first, int rows, float[][] in, float[][] out);
  }

  /**
   * Streams dense float arrays of {@code rows} rows of {@code cols} through {@code body} in blocks of
   * whole rows: each block of the inputs is copied into buffers, the body fills the output buffers,
   * and they are copied into {@code out}. Tasks ({@link #tasks}) own disjoint row ranges, in order.
   */
  static void stream(int rows, int cols, INDArray[] in, INDArray[] out, Block body) {
    stream(rows, cols, 1, Runtime.getRuntime().availableProcessors(), in, out, body);
  }

  /** {@link #stream} with task ranges starting at multiples of {@code align} rows, sized for {@code processors}. */
  private static void stream(int rows, int cols, int align, int processors, INDArray[] in, INDArray[] out,
      Block body) {
    int blockRows = Math.max(1, BLOCK_FLOATS / Math.max(1, cols));
    forTasks(rows, cols, align, processors, (task, from, to) -> {
      FloatPointer[] ip = pointers(in), op = pointers(out);
      long[] ib0 = positions(ip), ob0 = positions(op);
      float[][] ib = new float[in.length][blockRows * cols], ob = new float[out.length][blockRows * cols];
      for (int r = from; r < to; r += blockRows) {
        int nr = Math.min(blockRows, to - r), len = nr * cols;
        long at = (long) r * cols;
        for (int i = 0; i < in.length; i++) {
          ip[i].position(ib0[i] + at).get(ib[i], 0, len);
        }
        body.run(task, r, nr, ib, ob);
        for (int i = 0; i < out.length; i++) {
          op[i].position(ob0[i] + at).put(ob[i], 0, len);
        }
      }
    });
  }

  /** One pointer per array at its first element, owned by the calling task (positions are per pointer). */
  private static FloatPointer[] pointers(INDArray[] arrays) {
    FloatPointer[] p = new FloatPointer[arrays.length];
    for (int i = 0; i < arrays.length; i++) {
      p[i] = new FloatPointer(arrays[i].data().addressPointer());
    }
    return p;
  }

  private static long[] positions(FloatPointer[] p) {
    long[] at = new long[p.length];
    for (int i = 0; i < p.length; i++) {
      at[i] = p[i].position();
    }
    return at;
  }

  /** An uninitialised dense c-order float array; every element must be written. */
  static INDArray output(long... shape) {
    return Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
  }

  /**
   * Normalises each row of x (N, C): returns {@code y = xhat*gain + bias} and writes {@code xhat} (N, C)
   * and {@code rstd} (N). {@code centre} false gives RMSNorm (no mean subtracted, bias null).
   */
  static INDArray normForward(INDArray x, float[] gain, float[] bias, boolean centre, double eps, INDArray xhat,
      float[] rstd) {
    int n = (int) x.size(0), c = (int) x.size(1);
    INDArray y = output(n, c);
    stream(n, c, new INDArray[] {x}, new INDArray[] {y, xhat}, (task, first, rows, in, out) -> {
      float[] xs = in[0];
      for (int r = 0; r < rows; r++) {
        int o = r * c;
        float mean = centre ? FloatMath.sum(xs, o, o + c) / c : 0f;
        float var = FloatMath.sumSquaredDeviation(xs, o, o + c, mean) / c;
        float s = (float) (1 / Math.sqrt(var + eps));
        rstd[first + r] = s;
        FloatMath.normRow(xs, o, c, mean, s, gain, bias, out[1], out[0]);
      }
    });
    return y;
  }

  /** Rows whose gain and bias gradients are summed in float before they join the double totals. */
  private static final int GRADIENT_BLOCK = 64;

  /**
   * Norm backward: returns dx (N, C) and writes {@code dGain = sum(dy*xhat)} and {@code dBias = sum(dy)}
   * (over rows; dBias may be null). With {@code g = dy*gain}:
   * {@code dx = rstd (g - mean(g) - xhat mean(g xhat))}, RMSNorm without the {@code mean(g)} term.
   */
  static INDArray normBackward(INDArray dy, INDArray xhat, float[] rstd, float[] gain, boolean centre,
      float[] dGain, float[] dBias) {
    return normBackward(dy, xhat, rstd, gain, centre, dGain, dBias, Runtime.getRuntime().availableProcessors());
  }

  /**
   * {@link #normBackward} with tasks sized for {@code processors}. The gain and bias sums do not depend
   * on it: each block of {@link #GRADIENT_BLOCK} rows, counted from row 0, is summed in float in row
   * order by one task, and the blocks' sums are added in block order in double, so a run gives the same
   * bits on any number of cores.
   */
  static INDArray normBackward(INDArray dy, INDArray xhat, float[] rstd, float[] gain, boolean centre,
      float[] dGain, float[] dBias, int processors) {
    int n = (int) dy.size(0), c = (int) dy.size(1);
    INDArray dx = output(n, c);
    int blocks = (n + GRADIENT_BLOCK - 1) / GRADIENT_BLOCK;
    float[][] gainSums = new float[blocks][c], biasSums = new float[dBias == null ? 0 : blocks][c];
    stream(n, c, GRADIENT_BLOCK, processors, new INDArray[] {dy, xhat}, new INDArray[] {dx},
        (task, first, rows, in, out) -> {
          float[] sums = new float[2];
          for (int r = 0; r < rows; r++) {
            int o = r * c, block = (first + r) / GRADIENT_BLOCK;
            FloatMath.normGradientSums(in[0], in[1], o, c, gain, gainSums[block],
                dBias == null ? null : biasSums[block], sums);
            float meanG = centre ? sums[0] / c : 0f;
            FloatMath.normGradientRow(in[0], in[1], o, c, gain, meanG, sums[1] / c, rstd[first + r], out[0]);
          }
        });
    for (int j = 0; j < c; j++) {
      double sg = 0, sb = 0;
      for (int b = 0; b < blocks; b++) {
        sg += gainSums[b][j];
        if (dBias != null) {
          sb += biasSums[b][j];
        }
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
   * {@code y < 0}). Rows go through {@link #stream}'s buffers.
   */
  static double[] softmaxCrossEntropy(INDArray logits, int[] y, float scale, boolean gradient) {
    int n = (int) logits.size(0), v = (int) logits.size(1);
    double[] loss = new double[n];
    INDArray[] out = gradient ? new INDArray[] {logits} : new INDArray[0];
    stream(n, v, new INDArray[] {logits}, out, (task, first, rows, in, o) -> {
      float[] x = gradient ? o[0] : in[0]; // the gradient is computed in the output buffer
      for (int r = 0, at = 0; r < rows; r++, at += v) {
        int label = y[first + r];
        if (label < 0) {
          if (gradient) {
            java.util.Arrays.fill(x, at, at + v, 0f);
          }
          continue;
        }
        if (gradient) {
          System.arraycopy(in[0], at, x, at, v);
        }
        float target = x[at + label];
        float max = FloatMath.max(x, at, at + v);
        float sum = FloatMath.expShiftSum(x, at, at + v, max);
        loss[first + r] = max + Math.log(sum) - target;
        if (gradient) {
          FloatMath.scale(x, at, at + v, scale / sum);
          x[at + label] -= scale;
        }
      }
    });
    return loss;
  }

  /**
   * GELU, tanh form, of a (N, C): returns {gelu(a), t} with {@code t = tanh(k (a + 0.044715 a^3))} for
   * backward, in one pass of {@link FloatMath#gelu} (ND4J's tanh transform costs about ten times as much).
   */
  static INDArray[] gelu(INDArray a) {
    int rows = (int) a.size(0), cols = (int) a.size(1);
    INDArray g = output(rows, cols), t = output(rows, cols);
    stream(rows, cols, new INDArray[] {a}, new INDArray[] {g, t}, (task, first, nr, in, out) -> {
      FloatMath.gelu(in[0], out[0], out[1], nr * cols);
    });
    return new INDArray[] {g, t};
  }

  /** {@code dy * gelu'(a)} from the forward's tanh {@code t}: no transcendental left to evaluate. */
  static INDArray geluBackward(INDArray a, INDArray t, INDArray dy) {
    int rows = (int) a.size(0), cols = (int) a.size(1);
    INDArray da = output(rows, cols);
    stream(rows, cols, new INDArray[] {a, t, dy}, new INDArray[] {da}, (task, first, nr, in, out) -> {
      FloatMath.geluBackward(in[0], in[1], in[2], out[0], nr * cols);
    });
    return da;
  }
}
