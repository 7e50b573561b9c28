package dev.llmj.kernels;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

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
 * copied to the heap, for the element-wise softmax in Java. Measured on one AVX-512 core, the same
 * 64 x 64 x 64 tile product reached about 2 GFLOP/s as a Java loop over flat arrays (HotSpot 17 does
 * not vectorise accesses with different loop-invariant offsets), about 8 over row arrays, and 70 to
 * 80 through OpenBLAS.
 *
 * <p>An instance holds one thread's scratch buffers; call {@link #close} to free them.
 */
final class FlashTiles implements AutoCloseable {

  static final int BR = 64;

  private final AttentionDims dims;
  private final boolean causal;
  private final float scale;
  private final int ldq, ldk;
  private final FloatPointer strip, gradStrip; // (BR, Tk) native scratch
  private final float[] s, ds, rowA, rowB;

  FlashTiles(AttentionDims dims, boolean causal, double scale) {
    this.dims = dims;
    this.causal = causal;
    this.scale = (float) scale;
    this.ldq = dims.h() * dims.d();
    this.ldk = dims.hkv() * dims.d();
    int n = BR * Math.max(1, dims.tk());
    strip = new FloatPointer(n);
    gradStrip = new FloatPointer(n);
    s = new float[n];
    ds = new float[n];
    rowA = new float[dims.d()];
    rowB = new float[dims.d()];
  }

  /** Forward of query head {@code hi} of batch {@code bi}: writes its out rows and lse. */
  void forward(FloatPointer q, FloatPointer k, FloatPointer v, FloatPointer out, float[] lse, int bi, int hi) {
    int d = dims.d(), kv = hi / dims.group();
    FloatPointer keys = at(k, dims.kv(bi, 0, kv)), values = at(v, dims.kv(bi, 0, kv));
    for (int i0 = 0; i0 < dims.t(); i0 += BR) {
      int rows = Math.min(BR, dims.t() - i0);
      int cols = dims.keyEnd(causal, i0 + rows - 1);
      FloatPointer qBlock = at(q, dims.q(bi, i0, hi));
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, cols, d, scale, qBlock, ldq, keys, ldk,
          0f, strip, cols);
      strip.get(s, 0, rows * cols);
      for (int r = 0; r < rows; r++) {
        lse[dims.lse(bi, hi, i0 + r)] = softmaxRow(r * cols, dims.keyEnd(causal, i0 + r), cols);
      }
      strip.put(s, 0, rows * cols);
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, d, cols, 1f, strip, cols, values, ldk,
          0f, at(out, dims.q(bi, i0, hi)), ldq);
    }
  }

  /** Probabilities of one strip row in place (0 past {@code end}); returns the log-sum-exp. */
  private float softmaxRow(int row, int end, int cols) {
    float max = Float.NEGATIVE_INFINITY;
    for (int c = 0; c < end; c++) {
      max = Math.max(max, s[row + c]);
    }
    float sum = 0f;
    for (int c = 0; c < end; c++) {
      float e = exp(s[row + c] - max);
      s[row + c] = e;
      sum += e;
    }
    float inv = 1f / sum;
    for (int c = 0; c < end; c++) {
      s[row + c] *= inv;
    }
    for (int c = end; c < cols; c++) {
      s[row + c] = 0f;
    }
    return max + (float) Math.log(sum);
  }

  /**
   * Backward of query head {@code hi}: writes its dq rows and adds its share to dk and dv, which
   * must start zeroed; the heads of one key/value head run in order on one task.
   */
  void backward(FloatPointer q, FloatPointer k, FloatPointer v, FloatPointer out, float[] lse, FloatPointer dOut,
      FloatPointer dq, FloatPointer dk, FloatPointer dv, int bi, int hi) {
    int d = dims.d(), kv = hi / dims.group();
    int kvOffset = dims.kv(bi, 0, kv);
    FloatPointer keys = at(k, kvOffset), values = at(v, kvOffset);
    FloatPointer dKeys = at(dk, kvOffset), dValues = at(dv, kvOffset);
    for (int i0 = 0; i0 < dims.t(); i0 += BR) {
      int rows = Math.min(BR, dims.t() - i0);
      int cols = dims.keyEnd(causal, i0 + rows - 1);
      FloatPointer qBlock = at(q, dims.q(bi, i0, hi)), dOutBlock = at(dOut, dims.q(bi, i0, hi));
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, cols, d, scale, qBlock, ldq, keys, ldk,
          0f, strip, cols);
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, cols, d, 1f, dOutBlock, ldq, values, ldk,
          0f, gradStrip, cols); // dP = dO V^T
      strip.get(s, 0, rows * cols);
      gradStrip.get(ds, 0, rows * cols);
      for (int r = 0; r < rows; r++) {
        int o = dims.q(bi, i0 + r, hi);
        at(out, o).get(rowA);
        at(dOut, o).get(rowB);
        float delta = 0f; // rowsum(dO * O) equals rowsum(P * dP), the softmax Jacobian's correction
        for (int x = 0; x < d; x++) {
          delta += rowA[x] * rowB[x];
        }
        scoreGradientRow(r * cols, dims.keyEnd(causal, i0 + r), cols, lse[dims.lse(bi, hi, i0 + r)], delta);
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

  /** P = exp(S - lse) into {@code s} and dS = P o (dP - delta) into {@code ds}; 0 past {@code end}. */
  private void scoreGradientRow(int row, int end, int cols, float rowLse, float delta) {
    for (int c = 0; c < end; c++) {
      float p = exp(s[row + c] - rowLse);
      s[row + c] = p;
      ds[row + c] = p * (ds[row + c] - delta);
    }
    for (int c = end; c < cols; c++) {
      s[row + c] = 0f;
      ds[row + c] = 0f;
    }
  }

  /**
   * e^x in float arithmetic, within 3e-7 relative of Math.exp for x in [-87, 88] (below, e^-87 = 1.6e-38
   * instead of the smaller exact value): x = n ln 2 + f with |f| <= ln 2 / 2, e^f by its Taylor
   * polynomial to degree 6, 2^n put into the exponent bits. Three times faster than Math.exp, which
   * works in double; the scores' exponentials are the largest cost of attention after the GEMMs.
   */
  static float exp(float x) {
    float v = Math.max(Math.min(x, 88f), -87f);
    float n = (v * 1.44269504f + 12582912f) - 12582912f; // round(v / ln 2): 1.5 * 2^23 drops the fraction
    float f = v - n * 0.693145752f - n * 1.42860677e-6f; // ln 2 split so that n * hi is exact
    float p = 1f + f * (1f + f * (1f / 2 + f * (1f / 6 + f * (1f / 24 + f * (1f / 120 + f * (1f / 720))))));
    return p * Float.intBitsToFloat(((int) n + 127) << 23);
  }

  /** A pointer {@code offset} floats past {@code base}, leaving {@code base} as it is. */
  private static FloatPointer at(FloatPointer base, long offset) {
    return new FloatPointer(base).position(base.position() + offset);
  }

  @Override
  public void close() {
    strip.close();
    gradStrip.close();
  }
}
