package dev.llmj.core.simd;

/** The scalar loops of {@link FloatMath}: the reference for the Vector API path and its fallback. */
final class PlainLoops {

  private PlainLoops() {}

  static float max(float[] a, int from, int to) {
    float m = Float.NEGATIVE_INFINITY;
    for (int i = from; i < to; i++) {
      m = Math.max(m, a[i]);
    }
    return m;
  }

  static float expShiftSum(float[] a, int from, int to, float shift) {
    float sum = 0f;
    for (int i = from; i < to; i++) {
      float e = exp(a[i] - shift);
      a[i] = e;
      sum += e;
    }
    return sum;
  }

  static void scale(float[] a, int from, int to, float s) {
    for (int i = from; i < to; i++) {
      a[i] *= s;
    }
  }

  static void softmaxGradient(float[] s, float[] ds, int from, int to, float lse, float delta) {
    for (int i = from; i < to; i++) {
      float p = exp(s[i] - lse);
      s[i] = p;
      ds[i] = p * (ds[i] - delta);
    }
  }

  static float dot(float[] a, int ao, float[] b, int bo, int n) {
    float sum = 0f;
    for (int i = 0; i < n; i++) {
      sum += a[ao + i] * b[bo + i];
    }
    return sum;
  }

  static float sum(float[] a, int from, int to) {
    float sum = 0f;
    for (int i = from; i < to; i++) {
      sum += a[i];
    }
    return sum;
  }

  static float sumSquaredDeviation(float[] a, int from, int to, float mean) {
    float sum = 0f;
    for (int i = from; i < to; i++) {
      float d = a[i] - mean;
      sum += d * d;
    }
    return sum;
  }

  /** Columns [from, n) of a norm's row; the SIMD loops finish their rows' tails here. */
  static void normRow(float[] x, int o, int from, int n, float mean, float rstd, float[] gain, float[] bias,
      float[] xhat, float[] y) {
    for (int j = from; j < n; j++) {
      float h = (x[o + j] - mean) * rstd;
      xhat[o + j] = h;
      y[o + j] = bias == null ? h * gain[j] : h * gain[j] + bias[j];
    }
  }

  /** Columns [from, n): adds to {@code sums[0]} and {@code sums[1]} rather than overwriting them. */
  static void normGradientSums(float[] dy, float[] xhat, int o, int from, int n, float[] gain, float[] dGain,
      float[] dBias, float[] sums) {
    float sumG = sums[0], sumGx = sums[1];
    for (int j = from; j < n; j++) {
      float d = dy[o + j], h = xhat[o + j];
      float g = d * gain[j];
      sumG += g;
      sumGx += g * h;
      dGain[j] += d * h;
      if (dBias != null) {
        dBias[j] += d;
      }
    }
    sums[0] = sumG;
    sums[1] = sumGx;
  }

  static void normGradientRow(float[] dy, float[] xhat, int o, int from, int n, float[] gain, float meanG,
      float meanGx, float rstd, float[] dx) {
    for (int j = from; j < n; j++) {
      dx[o + j] = (dy[o + j] * gain[j] - meanG - xhat[o + j] * meanGx) * rstd;
    }
  }

  static final float GELU_K = (float) Math.sqrt(2 / Math.PI);
  static final float GELU_C = 0.044715f;

  static void gelu(float[] x, float[] g, float[] t, int from, int n) {
    for (int i = from; i < n; i++) {
      float v = x[i];
      float th = tanh(GELU_K * (v + GELU_C * v * v * v));
      t[i] = th;
      g[i] = 0.5f * v * (1 + th);
    }
  }

  static void geluBackward(float[] x, float[] t, float[] dy, float[] dx, int from, int n) {
    for (int i = from; i < n; i++) {
      float v = x[i], th = t[i];
      dx[i] = dy[i] * (0.5f * (1 + th) + 0.5f * v * (1 - th * th) * GELU_K * (1 + 3 * GELU_C * v * v));
    }
  }

  // tanh(x) = x P(x^2) / Q(x^2) on [-9, 9], P of degree 4 and Q of degree 4 in x^2, fitted for the
  // least maximum error by iterated reweighted least squares (float32 evaluation: at most 4e-7 from
  // tanh anywhere); beyond 9, tanh is 1 to within float precision.
  static final float P0 = 0.99999988f, P1 = 0.13373317f, P2 = 3.4867218e-3f, P3 = 2.0474103e-5f,
      P4 = 1.3187331e-8f;
  static final float Q1 = 0.46706614f, Q2 = 2.5842514e-2f, Q3 = 3.2716128e-4f, Q4 = 7.7039431e-7f;

  /** tanh in float arithmetic only (no call, no table), so that loops over it vectorise. */
  static float tanh(float x) {
    float v = Math.max(-9f, Math.min(9f, x));
    float s = v * v;
    float p = v * (P0 + s * (P1 + s * (P2 + s * (P3 + s * P4))));
    float q = 1f + s * (Q1 + s * (Q2 + s * (Q3 + s * Q4)));
    return p / q;
  }

  /**
   * e^x in float arithmetic, within 3e-7 relative of Math.exp for x in [-87, 88] (below, e^-87 = 1.6e-38
   * instead of the smaller exact value): x = n ln 2 + f with |f| <= ln 2 / 2, e^f by its Taylor
   * polynomial to degree 6, 2^n put into the exponent bits. Three times faster than Math.exp, which
   * works in double.
   */
  static float exp(float x) {
    float v = Math.max(Math.min(x, 88f), -87f);
    float n = (v * 1.44269504f + 12582912f) - 12582912f; // round(v / ln 2): 1.5 * 2^23 drops the fraction
    float f = v - n * 0.693145752f - n * 1.42860677e-6f; // ln 2 split so that n * hi is exact
    float p = 1f + f * (1f + f * (1f / 2 + f * (1f / 6 + f * (1f / 24 + f * (1f / 120 + f * (1f / 720))))));
    return p * Float.intBitsToFloat(((int) n + 127) << 23);
  }
}
