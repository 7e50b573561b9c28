package dev.llmj.kernels;

import java.util.Arrays;

/**
 * The float arithmetic of tiled attention for one head, in the flash-attention order: blocks of
 * {@link #BR} queries against blocks of {@link #BC} keys, an online softmax that rescales the
 * running output when a row's maximum grows, and a backward pass that recomputes each probability
 * tile from the saved log-sum-exp. Working memory is a few tiles plus O(Tk * D) per head; no
 * T x Tk matrix exists.
 *
 * <p>Every inner loop is an axpy over a contiguous run of D or {@link #BC} floats (keys and values
 * are also kept transposed, D x Tk, for the products that would otherwise be dot products), which
 * is the form HotSpot's superword pass turns into SIMD code; a dot-product reduction would stay
 * scalar because float addition order is fixed.
 *
 * <p>An instance holds one thread's scratch buffers and is reused across heads.
 */
final class FlashTiles {

  static final int BR = 64;
  static final int BC = 64;

  private final AttentionDims dims;
  private final boolean causal;
  private final float scale;
  private final float[] kh, vh, kt, vt; // this kv head: (Tk, D) and transposed (D, Tk)
  private final float[] qs, dob, acc, s, dp, m, l, rowLse, delta;

  FlashTiles(AttentionDims dims, boolean causal, double scale) {
    this.dims = dims;
    this.causal = causal;
    this.scale = (float) scale;
    int d = dims.d(), tk = dims.tk();
    kh = new float[tk * d];
    vh = new float[tk * d];
    kt = new float[d * tk];
    vt = new float[d * tk];
    qs = new float[BR * d];
    dob = new float[BR * d];
    acc = new float[BR * d];
    s = new float[BR * BC];
    dp = new float[BR * BC];
    m = new float[BR];
    l = new float[BR];
    rowLse = new float[BR];
    delta = new float[BR];
  }

  /** Gathers key/value head {@code kvi} of batch {@code bi} in both layouts. */
  void loadKeys(float[] k, float[] v, int bi, int kvi) {
    int d = dims.d(), tk = dims.tk();
    for (int j = 0; j < tk; j++) {
      int src = dims.kv(bi, j, kvi);
      System.arraycopy(k, src, kh, j * d, d);
      System.arraycopy(v, src, vh, j * d, d);
      for (int x = 0; x < d; x++) {
        kt[x * tk + j] = k[src + x];
        vt[x * tk + j] = v[src + x];
      }
    }
  }

  /** Forward for query head {@code hi}; {@link #loadKeys} must hold its key/value head. */
  void forward(float[] q, int bi, int hi, float[] out, float[] lse) {
    int d = dims.d();
    for (int i0 = 0; i0 < dims.t(); i0 += BR) {
      int rows = Math.min(BR, dims.t() - i0);
      loadQueries(q, bi, hi, i0, rows, qs, scale);
      Arrays.fill(m, Float.NEGATIVE_INFINITY);
      Arrays.fill(l, 0f);
      Arrays.fill(acc, 0, rows * d, 0f);
      int jEnd = dims.keyEnd(causal, i0 + rows - 1);
      for (int j0 = 0; j0 < jEnd; j0 += BC) {
        int cols = Math.min(BC, jEnd - j0);
        scores(i0, rows, j0, cols, qs, kt, s);
        for (int r = 0; r < rows; r++) {
          int row = r * BC;
          float mx = m[r];
          for (int c = 0; c < cols; c++) {
            mx = Math.max(mx, s[row + c]);
          }
          float sum = 0f;
          for (int c = 0; c < cols; c++) {
            float p = (float) Math.exp(s[row + c] - mx);
            s[row + c] = p;
            sum += p;
          }
          float correction = (float) Math.exp(m[r] - mx); // 0 on the first block, where m is -inf
          m[r] = mx;
          l[r] = l[r] * correction + sum;
          int a = r * d;
          if (correction != 1f) {
            for (int x = 0; x < d; x++) {
              acc[a + x] *= correction;
            }
          }
          for (int c = 0; c < cols; c++) {
            float p = s[row + c];
            if (p != 0f) {
              int vo = (j0 + c) * d;
              for (int x = 0; x < d; x++) {
                acc[a + x] += p * vh[vo + x];
              }
            }
          }
        }
      }
      for (int r = 0; r < rows; r++) {
        float inv = 1f / l[r];
        int o = dims.q(bi, i0 + r, hi);
        for (int x = 0; x < d; x++) {
          out[o + x] = acc[r * d + x] * inv;
        }
        lse[dims.lse(bi, hi, i0 + r)] = m[r] + (float) Math.log(l[r]);
      }
    }
  }

  /**
   * Backward for query head {@code hi}: writes its dq rows and adds its share to {@code dk},
   * {@code dv} (Tk, D), which the caller sums over the heads of one key/value head.
   */
  void backward(float[] q, float[] out, float[] lse, float[] dOut, int bi, int hi,
      float[] dq, float[] dk, float[] dv) {
    int d = dims.d();
    for (int i0 = 0; i0 < dims.t(); i0 += BR) {
      int rows = Math.min(BR, dims.t() - i0);
      loadQueries(q, bi, hi, i0, rows, qs, scale);
      loadQueries(dOut, bi, hi, i0, rows, dob, 1f);
      for (int r = 0; r < rows; r++) {
        int o = dims.q(bi, i0 + r, hi);
        float dot = 0f; // rowsum(dO * O) equals rowsum(P * dP), the softmax Jacobian's correction
        for (int x = 0; x < d; x++) {
          dot += dOut[o + x] * out[o + x];
        }
        delta[r] = dot;
        rowLse[r] = lse[dims.lse(bi, hi, i0 + r)];
      }
      Arrays.fill(acc, 0, rows * d, 0f); // dq of this block
      int jEnd = dims.keyEnd(causal, i0 + rows - 1);
      for (int j0 = 0; j0 < jEnd; j0 += BC) {
        int cols = Math.min(BC, jEnd - j0);
        scores(i0, rows, j0, cols, qs, kt, s);
        for (int r = 0; r < rows; r++) {
          int row = r * BC;
          for (int c = 0; c < cols; c++) {
            s[row + c] = (float) Math.exp(s[row + c] - rowLse[r]); // P; masked scores give 0
          }
        }
        products(rows, j0, cols, dob, vt, dp); // dP = dO V^T
        for (int r = 0; r < rows; r++) {
          int row = r * BC, a = r * d;
          for (int c = 0; c < cols; c++) {
            float p = s[row + c];
            if (p == 0f) {
              continue;
            }
            float ds = p * (dp[row + c] - delta[r]); // d loss / d score
            float dsScaled = ds * scale;
            int kv = (j0 + c) * d;
            for (int x = 0; x < d; x++) {
              dv[kv + x] += p * dob[a + x];
              acc[a + x] += dsScaled * kh[kv + x];
              dk[kv + x] += ds * qs[a + x]; // qs already carries the scale
            }
          }
        }
      }
      for (int r = 0; r < rows; r++) {
        System.arraycopy(acc, r * d, dq, dims.q(bi, i0 + r, hi), d);
      }
    }
  }

  /** Copies query rows i0 .. i0+rows of head hi into a (rows, D) block, times {@code factor}. */
  private void loadQueries(float[] x, int bi, int hi, int i0, int rows, float[] block, float factor) {
    int d = dims.d();
    for (int r = 0; r < rows; r++) {
      int src = dims.q(bi, i0 + r, hi);
      for (int c = 0; c < d; c++) {
        block[r * d + c] = x[src + c] * factor;
      }
    }
  }

  /** Scores of a tile: s = qs kt[:, j0 .. j0+cols], -infinity where the causal mask hides a key. */
  private void scores(int i0, int rows, int j0, int cols, float[] qs, float[] kt, float[] s) {
    products(rows, j0, cols, qs, kt, s);
    if (causal) {
      for (int r = 0; r < rows; r++) {
        int end = dims.keyEnd(true, i0 + r);
        for (int c = Math.max(0, end - j0); c < cols; c++) {
          s[r * BC + c] = Float.NEGATIVE_INFINITY;
        }
      }
    }
  }

  /** out[r, c] = sum over x of a[r, x] * bt[x, j0 + c], as axpys over c. */
  private void products(int rows, int j0, int cols, float[] a, float[] bt, float[] out) {
    int d = dims.d(), tk = dims.tk();
    for (int r = 0; r < rows; r++) {
      int row = r * BC;
      Arrays.fill(out, row, row + cols, 0f);
      for (int x = 0; x < d; x++) {
        float ax = a[r * d + x];
        int b = x * tk + j0;
        for (int c = 0; c < cols; c++) {
          out[row + c] += ax * bt[b + c];
        }
      }
    }
  }
}
