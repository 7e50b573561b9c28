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

  static void normRow(float[] x, int o, int n, float mean, float rstd, float[] gain, float[] bias, float[] xhat,
      float[] y) {
    for (int j = 0; j < n; j++) {
      float h = (x[o + j] - mean) * rstd;
      xhat[o + j] = h;
      y[o + j] = bias == null ? h * gain[j] : h * gain[j] + bias[j];
    }
  }

  static void normGradientSums(float[] dy, float[] xhat, int o, int n, float[] gain, float[] dGain, float[] dBias,
      float[] sums) {
    float sumG = 0f, sumGx = 0f;
    for (int j = 0; j < n; j++) {
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

  static void normGradientRow(float[] dy, float[] xhat, int o, int n, float[] gain, float meanG, float meanGx,
      float rstd, float[] dx) {
    for (int j = 0; j < n; j++) {
      dx[o + j] = (dy[o + j] * gain[j] - meanG - xhat[o + j] * meanGx) * rstd;
    }
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
