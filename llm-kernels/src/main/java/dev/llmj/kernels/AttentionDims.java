package dev.llmj.kernels;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Sizes of one attention call, validated once. Keys may be longer than queries (Tk &gt;= T, a
 * key/value cache): the queries are then the last T positions and the causal mask is aligned
 * bottom-right, so query row {@code t} sees keys {@code 0 .. t + shift} with {@code shift = Tk - T}.
 * A row-major element index of the (B, T, H, D) or (B, Tk, Hkv, D) layouts is computed here.
 */
record AttentionDims(int b, int t, int tk, int h, int hkv, int d) {

  static AttentionDims of(INDArray q, INDArray k, INDArray v) {
    if (q.rank() != 4 || k.rank() != 4 || v.rank() != 4) {
      throw new IllegalArgumentException("attention wants rank-4 q (B, T, H, D), k and v (B, Tk, Hkv, D); got q "
          + Arrays.toString(q.shape()) + ", k " + Arrays.toString(k.shape()) + ", v " + Arrays.toString(v.shape()));
    }
    long b = q.size(0), t = q.size(1), h = q.size(2), d = q.size(3), tk = k.size(1), hkv = k.size(2);
    if (k.size(0) != b || k.size(3) != d || !Arrays.equals(k.shape(), v.shape())) {
      throw new IllegalArgumentException("k and v must both be (B=" + b + ", Tk, Hkv, D=" + d + "); got k "
          + Arrays.toString(k.shape()) + ", v " + Arrays.toString(v.shape()));
    }
    if (hkv == 0 || h % hkv != 0) {
      throw new IllegalArgumentException("query heads H=" + h + " must be a multiple of key/value heads Hkv=" + hkv);
    }
    if (tk < t || (t > 0 && tk == 0)) {
      throw new IllegalArgumentException("keys Tk=" + tk + " must be at least as many as queries T=" + t);
    }
    if (b * t * h * d > Integer.MAX_VALUE - 8 || b * tk * hkv * d > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("attention tensors over 2^31 elements: q " + Arrays.toString(q.shape())
          + "; split the batch");
    }
    DataType type = q.dataType();
    if ((type != DataType.FLOAT && type != DataType.DOUBLE) || k.dataType() != type || v.dataType() != type) {
      throw new IllegalArgumentException("attention supports FLOAT or DOUBLE with one type for q, k, v; got q "
          + type + ", k " + k.dataType() + ", v " + v.dataType());
    }
    return new AttentionDims((int) b, (int) t, (int) tk, (int) h, (int) hkv, (int) d);
  }

  /** Query heads per key/value head. */
  int group() {
    return h / hkv;
  }

  int shift() {
    return tk - t;
  }

  /** Floats between consecutive rows of one head in q, out, dOut and dq: H * D. */
  int ldq() {
    return h * d;
  }

  /** Floats between consecutive rows of one head in k, v, dk and dv: Hkv * D. */
  int ldk() {
    return hkv * d;
  }

  /** Index of q[b, t, h, 0] (also of out, dOut, dq). */
  int q(int bi, int ti, int hi) {
    return ((bi * t + ti) * h + hi) * d;
  }

  /** Index of k[b, j, kv, 0] (also of v, dk, dv). */
  int kv(int bi, int j, int kvi) {
    return ((bi * tk + j) * hkv + kvi) * d;
  }

  /** Index of lse[b, h, t]. */
  int lse(int bi, int hi, int ti) {
    return (bi * h + hi) * t + ti;
  }

  /** One past the last key query row {@code ti} may see. */
  int keyEnd(boolean causal, int ti) {
    return causal ? Math.min(tk, ti + shift() + 1) : tk;
  }

  /**
   * The first key query row {@code ti} may see under a sliding window of {@code window} keys (0:
   * unlimited): position {@code ti + shift} sees keys {@code ti + shift - window < j}.
   */
  int keyStart(int window, int ti) {
    return window > 0 ? Math.max(0, ti + shift() - window + 1) : 0;
  }

  long[] queryShape() {
    return new long[] {b, t, h, d};
  }

  long[] keyShape() {
    return new long[] {b, tk, hkv, d};
  }

  long[] lseShape() {
    return new long[] {b, h, t};
  }
}
