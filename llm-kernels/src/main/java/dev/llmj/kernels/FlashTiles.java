package dev.llmj.kernels;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import dev.llmj.core.simd.FloatMath;
import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;

/**
 * The FLOAT attention of one (batch, key/value head) task, on the arrays' native memory. Queries
 * go in blocks of {@link #BR} rows; a block's scores against every key it may see form a
 * (BR, Tk) strip, so the softmax of each row is exact in one pass and memory stays O(BR * Tk) per
 * thread, never T x Tk. Backward recomputes the probabilities from the saved log-sum-exp.
 *
 * <p>The five products per block (scores, P V; and backward's scores, dO V^T, P^T dO, dS K,
 * dS^T Q) are single-threaded {@code cblas_sgemm} calls that read q, k, v, dOut in place through
 * their leading dimensions (H*D, Hkv*D) and write out, dq, dk, dv in place. Only the strips are
 * copied to the heap, for the element-wise softmax in {@link FloatMath} (SIMD where the JVM has the
 * Vector API module). Measured on one AVX-512 core, the same
 * 64 x 64 x 64 tile product reached about 2 GFLOP/s as a Java loop over flat arrays (HotSpot 17 does
 * not vectorise accesses with different loop-invariant offsets), about 8 over row arrays, and 70 to
 * 80 through OpenBLAS.
 *
 * <p>An instance works in its thread's scratch buffers, kept between calls (a pool thread runs many
 * tasks; allocating native memory for each cost more than its softmax): use it on one thread only.
 */
final class FlashTiles {

  static final int BR = 64;

  private final AttentionDims dims;
  private final boolean causal;
  private final int window;
  private final float scale;
  private final int ldq, ldk;
  private final FloatPointer strip, gradStrip; // (BR, Tk) native scratch
  private final float[] s, ds, rowA, rowB;

  /** One thread's buffers, grown to the largest strip it has needed. */
  private static final class Scratch {
    FloatPointer strip = new FloatPointer(0L), gradStrip = new FloatPointer(0L);
    float[] s = new float[0], ds = new float[0], rowA = new float[0], rowB = new float[0];

    Scratch fit(int n, int d) {
      if (s.length < n) {
        strip.close();
        gradStrip.close();
        strip = new FloatPointer(n);
        gradStrip = new FloatPointer(n);
        s = new float[n];
        ds = new float[n];
      }
      if (rowA.length != d) { // exactly d: whole-array reads of a row must not run past it
        rowA = new float[d];
        rowB = new float[d];
      }
      return this;
    }
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  /** Tiles for one call's shape and mask; {@code window} keys per query, 0 for unlimited. */
  FlashTiles(AttentionDims dims, boolean causal, int window, double scale) {
    this.dims = dims;
    this.causal = causal;
    this.window = window;
    this.scale = (float) scale;
    this.ldq = dims.ldq();
    this.ldk = dims.ldk();
    Scratch scratch = SCRATCH.get().fit(BR * Math.max(1, dims.tk()), dims.d());
    strip = scratch.strip;
    gradStrip = scratch.gradStrip;
    s = scratch.s;
    ds = scratch.ds;
    rowA = scratch.rowA;
    rowB = scratch.rowB;
  }

  /** Forward of query head {@code hi} of batch {@code bi}: writes its out rows and lse. */
  void forward(FloatPointer q, FloatPointer k, FloatPointer v, FloatPointer out, float[] lse, int bi, int hi) {
    int d = dims.d(), kv = hi / dims.group();
    FloatPointer keys = at(k, dims.kv(bi, 0, kv)), values = at(v, dims.kv(bi, 0, kv));
    for (int i0 = 0; i0 < dims.t(); i0 += BR) {
      int rows = Math.min(BR, dims.t() - i0);
      int from = dims.keyStart(window, i0); // the strip covers the keys some row of the block sees
      int cols = dims.keyEnd(causal, i0 + rows - 1) - from;
      FloatPointer qBlock = at(q, dims.q(bi, i0, hi));
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, cols, d, scale, qBlock, ldq,
          at(keys, (long) from * ldk), ldk, 0f, strip, cols);
      strip.get(s, 0, rows * cols);
      for (int r = 0; r < rows; r++) {
        lse[dims.lse(bi, hi, i0 + r)] = softmaxRow(r * cols, dims.keyStart(window, i0 + r) - from,
            dims.keyEnd(causal, i0 + r) - from, cols);
      }
      strip.put(s, 0, rows * cols);
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, d, cols, 1f, strip, cols,
          at(values, (long) from * ldk), ldk, 0f, at(out, dims.q(bi, i0, hi)), ldq);
    }
  }

  /**
   * Probabilities of one strip row in place (0 outside {@code [lo, end)}); returns the log-sum-exp. The
   * row is processed to {@link #padded} length with -infinity outside, whose exponentials are 0.
   */
  private float softmaxRow(int row, int lo, int end, int cols) {
    int to = padded(end, cols);
    Arrays.fill(s, row, row + lo, Float.NEGATIVE_INFINITY);
    Arrays.fill(s, row + end, row + to, Float.NEGATIVE_INFINITY);
    float max = FloatMath.max(s, row, row + to);
    float sum = FloatMath.expShiftSum(s, row, row + to, max);
    FloatMath.scale(s, row, row + to, 1f / sum);
    Arrays.fill(s, row + end, row + cols, 0f);
    return max + (float) Math.log(sum);
  }

  /** {@code end} rounded up to whole SIMD steps, within the strip's {@code cols}. */
  private static int padded(int end, int cols) {
    int lanes = FloatMath.lanes();
    return Math.min(cols, (end + lanes - 1) / lanes * lanes);
  }

  /**
   * Backward of query head {@code hi}: writes its dq rows and adds its share to dk and dv, which
   * must start zeroed; the heads of one key/value head run in order on one task.
   */
  void backward(FloatPointer q, FloatPointer k, FloatPointer v, FloatPointer out, float[] lse, FloatPointer dOut,
      FloatPointer dq, FloatPointer dk, FloatPointer dv, int bi, int hi) {
    int d = dims.d(), kv = hi / dims.group();
    for (int i0 = 0; i0 < dims.t(); i0 += BR) {
      int rows = Math.min(BR, dims.t() - i0);
      int from = dims.keyStart(window, i0);
      int cols = dims.keyEnd(causal, i0 + rows - 1) - from;
      int kvOffset = dims.kv(bi, from, kv);
      FloatPointer keys = at(k, kvOffset), values = at(v, kvOffset);
      FloatPointer dKeys = at(dk, kvOffset), dValues = at(dv, kvOffset);
      FloatPointer qBlock = at(q, dims.q(bi, i0, hi)), dOutBlock = at(dOut, dims.q(bi, i0, hi));
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, cols, d, scale, qBlock, ldq, keys, ldk,
          0f, strip, cols);
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, cols, d, 1f, dOutBlock, ldq, values, ldk,
          0f, gradStrip, cols); // dP = dO V^T
      strip.get(s, 0, rows * cols);
      gradStrip.get(ds, 0, rows * cols);
      for (int r = 0; r < rows; r++) {
        int o = dims.q(bi, i0 + r, hi);
        at(out, o).get(rowA, 0, d); // the scratch rows may be longer than d
        at(dOut, o).get(rowB, 0, d);
        // rowsum(dO * O) equals rowsum(P * dP), the softmax Jacobian's correction
        float delta = FloatMath.dot(rowA, 0, rowB, 0, d);
        scoreGradientRow(r * cols, dims.keyStart(window, i0 + r) - from, dims.keyEnd(causal, i0 + r) - from, cols,
            lse[dims.lse(bi, hi, i0 + r)], delta);
      }
      strip.put(s, 0, rows * cols);
      gradStrip.put(ds, 0, rows * cols);
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, cols, d, rows, 1f, strip, cols, dOutBlock, ldq,
          1f, dValues, ldk); // dV += P^T dO
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, d, cols, scale, gradStrip, cols, keys, ldk,
          0f, at(dq, dims.q(bi, i0, hi)), ldq); // dQ = scale dS K
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, cols, d, rows, scale, gradStrip, cols, qBlock, ldq,
          1f, dKeys, ldk); // dK += scale dS^T Q
    }
  }

  /**
   * P = exp(S - lse) into {@code s} and dS = P o (dP - delta) into {@code ds}; 0 outside {@code [lo, end)}.
   * The scores before {@code lo} become -infinity (exponential 0); those past {@code end} are finite
   * products, so the row runs to {@link #padded} length and the padding is cleared after.
   */
  private void scoreGradientRow(int row, int lo, int end, int cols, float rowLse, float delta) {
    Arrays.fill(s, row, row + lo, Float.NEGATIVE_INFINITY);
    FloatMath.softmaxGradient(s, ds, row, row + padded(end, cols), rowLse, delta);
    Arrays.fill(ds, row, row + lo, 0f);
    Arrays.fill(s, row + end, row + cols, 0f);
    Arrays.fill(ds, row + end, row + cols, 0f);
  }

  /** A pointer {@code offset} floats past {@code base}, leaving {@code base} as it is. */
  private static FloatPointer at(FloatPointer base, long offset) {
    return new FloatPointer(base).position(base.position() + offset);
  }
}
