package dev.llmj.kernels;

/**
 * Textbook attention in double with the full score matrix, written from the definitions: the
 * independent reference for the kernels. Arrays are flat c-order (B, T, H, D) / (B, Tk, Hkv, D);
 * the causal mask is aligned bottom-right when Tk &gt; T; a sliding window W &gt; 0 lets query position
 * i see keys j with i - W &lt; j &lt;= i. Public for the tests of other packages.
 */
public final class NaiveAttention {

  final int b, t, tk, h, hkv, d;
  final boolean causal;
  final int window;
  final double scale;
  public final double[] out, lse;
  private final double[][][][] p; // [b][h][t][tk] probabilities
  private final double[] q, k, v;

  public NaiveAttention(double[] q, double[] k, double[] v, int b, int t, int tk, int h, int hkv, int d,
      boolean causal, double scale) {
    this(q, k, v, b, t, tk, h, hkv, d, causal, 0, scale);
  }

  /** With a sliding window of {@code window} keys per query (0: unlimited). */
  public NaiveAttention(double[] q, double[] k, double[] v, int b, int t, int tk, int h, int hkv, int d,
      boolean causal, int window, double scale) {
    this.window = window;
    this.q = q;
    this.k = k;
    this.v = v;
    this.b = b;
    this.t = t;
    this.tk = tk;
    this.h = h;
    this.hkv = hkv;
    this.d = d;
    this.causal = causal;
    this.scale = scale;
    out = new double[b * t * h * d];
    lse = new double[b * h * t];
    p = new double[b][h][t][tk];
    for (int bi = 0; bi < b; bi++) {
      for (int hi = 0; hi < h; hi++) {
        int kvi = hi / (h / hkv);
        for (int i = 0; i < t; i++) {
          double max = Double.NEGATIVE_INFINITY;
          double[] s = new double[tk];
          for (int j = 0; j < tk; j++) {
            int position = i + tk - t;
            if ((causal && j > position) || (window > 0 && j <= position - window)) {
              s[j] = Double.NEGATIVE_INFINITY;
              continue;
            }
            for (int x = 0; x < d; x++) {
              s[j] += q[qi(bi, i, hi) + x] * k[ki(bi, j, kvi) + x];
            }
            s[j] *= scale;
            max = Math.max(max, s[j]);
          }
          double sum = 0;
          for (int j = 0; j < tk; j++) {
            sum += Math.exp(s[j] - max);
          }
          lse[(bi * h + hi) * t + i] = max + Math.log(sum);
          for (int j = 0; j < tk; j++) {
            p[bi][hi][i][j] = Math.exp(s[j] - max) / sum;
            for (int x = 0; x < d; x++) {
              out[qi(bi, i, hi) + x] += p[bi][hi][i][j] * v[ki(bi, j, kvi) + x];
            }
          }
        }
      }
    }
  }

  /** Gradients {dq, dk, dv} through the softmax Jacobian: dS = P o (dP - rowsum(P o dP)). */
  public double[][] backward(double[] dOut) {
    double[] dq = new double[q.length], dk = new double[k.length], dv = new double[v.length];
    for (int bi = 0; bi < b; bi++) {
      for (int hi = 0; hi < h; hi++) {
        int kvi = hi / (h / hkv);
        for (int i = 0; i < t; i++) {
          double[] dp = new double[tk];
          double rowsum = 0;
          for (int j = 0; j < tk; j++) {
            for (int x = 0; x < d; x++) {
              dp[j] += dOut[qi(bi, i, hi) + x] * v[ki(bi, j, kvi) + x];
              dv[ki(bi, j, kvi) + x] += p[bi][hi][i][j] * dOut[qi(bi, i, hi) + x];
            }
            rowsum += p[bi][hi][i][j] * dp[j];
          }
          for (int j = 0; j < tk; j++) {
            double ds = p[bi][hi][i][j] * (dp[j] - rowsum) * scale;
            for (int x = 0; x < d; x++) {
              dq[qi(bi, i, hi) + x] += ds * k[ki(bi, j, kvi) + x];
              dk[ki(bi, j, kvi) + x] += ds * q[qi(bi, i, hi) + x];
            }
          }
        }
      }
    }
    return new double[][] {dq, dk, dv};
  }

  private int qi(int bi, int i, int hi) {
    return ((bi * t + i) * h + hi) * d;
  }

  private int ki(int bi, int j, int kvi) {
    return ((bi * tk + j) * hkv + kvi) * d;
  }
}
