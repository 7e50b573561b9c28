package dev.llmj.core.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Both implementations of {@link FloatMath} against double-precision loops, on ranges of every
 * length from 0 to 70 (whole vectors plus every tail) at odd offsets, and on long ranges. Tolerance:
 * 1e-6 of the largest magnitude involved for the element-wise results; for sums, 1e-6 of the sum of
 * magnitudes per 256 terms (a float running sum's rounding grows with its length).
 */
class FloatMathTest {

  private static final long SEED = Long.getLong("tests.seed", 2024L);
  private static final double TOL = 1e-6;

  @Test
  void theBuildRunsTheVectorPath() {
    // surefire starts the JVM with --add-modules jdk.incubator.vector; a silent fallback would hide a slow build.
    assertTrue(FloatMath.simd() || !FloatMath.whyNotSimd().contains("--add-modules"),
        "Vector API path not taken: " + FloatMath.whyNotSimd());
    System.out.println("FloatMath SIMD: " + (FloatMath.simd() ? "on" : "off (" + FloatMath.whyNotSimd() + ")"));
  }

  @Test
  void plainLoopsMatchDoubleReference() {
    check(new Plain());
  }

  @Test
  void vectorLoopsMatchDoubleReference() {
    assumeTrue(FloatMath.simd(), "Vector API path unavailable: " + FloatMath.whyNotSimd());
    check(new Vector());
  }

  /**
   * The vector exp is the plain one operation for operation: the same bits for every element, over
   * arguments from far below e^-87 to beyond e^88, at every tail length.
   */
  @Test
  void vectorExpGivesThePlainBits() {
    assumeTrue(FloatMath.simd(), "Vector API path unavailable: " + FloatMath.whyNotSimd());
    Random rnd = new Random(SEED);
    for (int n : new int[] {1, 7, 13, 16, 33, 4098}) {
      float[] x = new float[n];
      for (int i = 0; i < n; i++) {
        x[i] = (float) (rnd.nextGaussian() * 40);
      }
      x[0] = n % 2 == 0 ? Float.NEGATIVE_INFINITY : 200f;
      float[] v = x.clone(), p = x.clone();
      VectorLoops.expShiftSum(v, 0, n, 0f);
      PlainLoops.expShiftSum(p, 0, n, 0f);
      for (int i = 0; i < n; i++) {
        assertEquals(Float.floatToRawIntBits(p[i]), Float.floatToRawIntBits(v[i]),
            "exp(" + x[i] + ") at " + i + " of " + n + " (seed " + SEED + ")");
      }
    }
  }

  /**
   * The vector sums add lanes in one fixed order, whether the JIT has compiled the loop or not: each
   * result equals a scalar model of that order (per-lane running sums, then lanes L/2 apart, L/4
   * apart, ... added pairwise, then the tail) bit for bit, on the first calls and after 20,000 more
   * (the Vector API's own EXP fails this: its bits change once C2 compiles the loop).
   */
  @Test
  void vectorSumsHaveOneOrderBeforeAndAfterCompilation() {
    assumeTrue(FloatMath.simd(), "Vector API path unavailable: " + FloatMath.whyNotSimd());
    Random rnd = new Random(SEED);
    float[] a = random(rnd, 1031), b = random(rnd, 1031);
    for (int round = 0; round < 2; round++) {
      for (int n : new int[] {16, 37, 1031}) {
        assertEquals(Float.floatToRawIntBits(modelSum(a, b, n, 0)), Float.floatToRawIntBits(VectorLoops.sum(a, 0, n)),
            "sum of " + n + ", round " + round);
        assertEquals(Float.floatToRawIntBits(modelSum(a, b, n, 1)),
            Float.floatToRawIntBits(VectorLoops.dot(a, 0, b, 0, n)), "dot of " + n + ", round " + round);
        float[] e = a.clone();
        float s = VectorLoops.expShiftSum(e, 0, n, 4f);
        assertEquals(Float.floatToRawIntBits(modelSum(e, b, n, 0)), Float.floatToRawIntBits(s),
            "exp sum of " + n + ", round " + round);
      }
      float sink = 0;
      for (int i = 0; i < 20_000; i++) { // enough calls for C2 to compile the loops
        sink += VectorLoops.sum(a, 0, 37) + VectorLoops.dot(a, 0, b, 0, 37) + VectorLoops.expShiftSum(b.clone(), 0, 37, 9f);
      }
      assertTrue(!Float.isNaN(sink));
    }
  }

  /** Scalar model of the vector sums' order: {@code kind} 0 sums a, 1 sums a*b with fused multiply-adds. */
  private static float modelSum(float[] a, float[] b, int n, int kind) {
    int lanes = FloatMath.lanes(), body = n - n % lanes;
    float[] acc = new float[lanes];
    for (int i = 0; i < body; i++) {
      acc[i % lanes] = kind == 0 ? acc[i % lanes] + a[i] : Math.fma(a[i], b[i], acc[i % lanes]);
    }
    for (int k = lanes / 2; k >= 1; k /= 2) {
      float[] next = new float[lanes];
      for (int l = 0; l < lanes; l++) {
        next[l] = acc[l] + acc[(l + k) % lanes];
      }
      acc = next;
    }
    float tail = 0f;
    for (int i = body; i < n; i++) {
      tail += kind == 0 ? a[i] : a[i] * b[i];
    }
    return acc[0] + tail;
  }

  @Test
  void plainExpIsWithinItsBound() {
    double worst = 0;
    for (float x = -87f; x <= 88f; x += 0.0137f) {
      double want = Math.exp(x);
      worst = Math.max(worst, Math.abs(PlainLoops.exp(x) - want) / want);
    }
    System.out.printf("plain exp worst relative error %.2e%n", worst);
    assertTrue(worst < 3e-7, "exp relative error " + worst);
    assertEquals(1f, PlainLoops.exp(0f));
    assertTrue(PlainLoops.exp(Float.NEGATIVE_INFINITY) < 1.7e-38f, "e^-inf");
  }

  /** The rational tanh against Math.tanh on a fine grid, the saturated tails and tiny arguments. */
  @Test
  void tanhMatchesMathTanh() {
    double worstAbs = 0, worstRelSmall = 0;
    for (int i = -2_000_000; i <= 2_000_000; i++) {
      float x = i * 1e-5f;
      double want = Math.tanh(x);
      worstAbs = Math.max(worstAbs, Math.abs(PlainLoops.tanh(x) - want));
      if (Math.abs(x) < 0.5 && x != 0) worstRelSmall = Math.max(worstRelSmall, Math.abs(PlainLoops.tanh(x) - want) / Math.abs(want));
    }
    for (float x : new float[] {1e-30f, -1e-30f, 1e-8f, 30f, -30f, 1e30f, -1e30f, Float.MAX_VALUE, -Float.MAX_VALUE}) {
      worstAbs = Math.max(worstAbs, Math.abs(PlainLoops.tanh(x) - Math.tanh(x)));
    }
    assertEquals(0f, PlainLoops.tanh(0f));
    System.out.printf("rational tanh: worst absolute error %.2e on [-20, 20], worst relative error %.2e below 0.5%n",
        worstAbs, worstRelSmall);
    assertTrue(worstAbs < 5e-7, "worst absolute error " + worstAbs);
    assertTrue(worstRelSmall < 1e-6, "worst relative error near 0: " + worstRelSmall);
  }

  /** The loops under test, so one check covers both classes. */
  private interface Loops {
    float max(float[] a, int from, int to);
    float expShiftSum(float[] a, int from, int to, float shift);
    void scale(float[] a, int from, int to, float s);
    void softmaxGradient(float[] s, float[] ds, int from, int to, float lse, float delta);
    float dot(float[] a, int ao, float[] b, int bo, int n);
    float sum(float[] a, int from, int to);
    float sumSquaredDeviation(float[] a, int from, int to, float mean);
    void normRow(float[] x, int o, int n, float mean, float rstd, float[] gain, float[] bias, float[] xhat, float[] y);
    void normGradientSums(float[] dy, float[] xhat, int o, int n, float[] gain, float[] dGain, float[] dBias, float[] sums);
    void normGradientRow(float[] dy, float[] xhat, int o, int n, float[] gain, float meanG, float meanGx, float rstd, float[] dx);
    void gelu(float[] x, float[] g, float[] t, int n);
    void geluBackward(float[] x, float[] t, float[] dy, float[] dx, int n);
  }

  private static void check(Loops loops) {
    Random rnd = new Random(SEED);
    double worst = 0;
    int[] lengths = new int[75];
    for (int i = 0; i < 71; i++) {
      lengths[i] = i;
    }
    lengths[71] = 255;
    lengths[72] = 1024;
    lengths[73] = 4099;
    lengths[74] = 777;
    for (int n : lengths) {
      int o = rnd.nextInt(5);
      float[] a = random(rnd, o + n + 3), b = random(rnd, o + n + 3);
      float[] gain = random(rnd, n), bias = random(rnd, n);
      double terms = Math.max(1, n / 256.0);
      String tag = loops.getClass().getSimpleName() + " n=" + n + " offset=" + o + " (reproduce with -Dtests.seed=" + SEED + ")";

      double max = Double.NEGATIVE_INFINITY;
      for (int i = o; i < o + n; i++) {
        max = Math.max(max, a[i]);
      }
      assertEquals((float) max, loops.max(a, o, o + n), tag + " max");

      float shift = n == 0 ? 0f : (float) max;
      float[] e = a.clone();
      double sum = 0, abs = 0;
      float[] want = a.clone();
      for (int i = o; i < o + n; i++) {
        want[i] = (float) Math.exp(a[i] - shift);
        sum += want[i];
      }
      worst = Math.max(worst, agree(tag + " exp", want, e, () -> loops.expShiftSum(e, o, o + n, shift), sum, (sum + 1) * terms));

      float[] sc = a.clone();
      loops.scale(sc, o, o + n, 0.37f);
      for (int i = 0; i < a.length; i++) {
        float w = i >= o && i < o + n ? a[i] * 0.37f : a[i];
        assertEquals(w, sc[i], Math.abs(w) * 1e-7, tag + " scale at " + i);
      }

      float[] s = a.clone(), ds = b.clone();
      float lse = shift + 0.5f, delta = 0.25f;
      loops.softmaxGradient(s, ds, o, o + n, lse, delta);
      for (int i = 0; i < a.length; i++) {
        boolean in = i >= o && i < o + n;
        double p = in ? Math.exp(a[i] - lse) : a[i];
        double g = in ? p * (b[i] - delta) : b[i];
        worst = Math.max(worst, rel(tag + " softmax gradient p", p, s[i], 1));
        worst = Math.max(worst, rel(tag + " softmax gradient ds", g, ds[i], 4));
      }

      double dot = 0, total = 0, dev = 0, absDot = 0, absSum = 0;
      for (int i = 0; i < n; i++) {
        dot += (double) a[o + i] * b[o + i];
        absDot += Math.abs((double) a[o + i] * b[o + i]);
        total += a[o + i];
        absSum += Math.abs(a[o + i]);
        dev += ((double) a[o + i] - 0.3) * ((double) a[o + i] - 0.3);
      }
      worst = Math.max(worst, rel(tag + " dot", dot, loops.dot(a, o, b, o, n), absDot + 1));
      worst = Math.max(worst, rel(tag + " sum", total, loops.sum(a, o, o + n), absSum + 1));
      worst = Math.max(worst, rel(tag + " sumSquaredDeviation", dev, loops.sumSquaredDeviation(a, o, o + n, 0.3f), dev + 1));

      for (float[] bs : new float[][] {bias, null}) {
        float[] xhat = new float[a.length], y = new float[a.length];
        loops.normRow(a, o, n, 0.3f, 1.7f, gain, bs, xhat, y);
        for (int j = 0; j < n; j++) {
          double h = ((double) a[o + j] - 0.3f) * 1.7f;
          double yy = h * gain[j] + (bs == null ? 0 : bs[j]);
          worst = Math.max(worst, rel(tag + " norm xhat", h, xhat[o + j], 8));
          worst = Math.max(worst, rel(tag + " norm y", yy, y[o + j], 16));
        }
        float[] dGain = random(rnd, n), dBias = bs == null ? null : random(rnd, n);
        float[] dGain0 = dGain.clone(), dBias0 = dBias == null ? null : dBias.clone();
        float[] sums = new float[2];
        loops.normGradientSums(b, a, o, n, gain, dGain, dBias, sums);
        double sg = 0, sgx = 0, mag = 1;
        for (int j = 0; j < n; j++) {
          double g = (double) b[o + j] * gain[j];
          sg += g;
          sgx += g * a[o + j];
          mag += Math.abs(g) * (1 + Math.abs(a[o + j]));
          worst = Math.max(worst, rel(tag + " dGain", dGain0[j] + (double) b[o + j] * a[o + j], dGain[j], 16));
          if (dBias != null) {
            worst = Math.max(worst, rel(tag + " dBias", dBias0[j] + (double) b[o + j], dBias[j], 8));
          }
        }
        worst = Math.max(worst, rel(tag + " sum(g)", sg, sums[0], mag * terms));
        worst = Math.max(worst, rel(tag + " sum(g xhat)", sgx, sums[1], mag * terms));
        float[] dx = new float[a.length];
        loops.normGradientRow(b, a, o, n, gain, 0.2f, -0.4f, 1.3f, dx);
        for (int j = 0; j < n; j++) {
          double w = ((double) b[o + j] * gain[j] - 0.2f - (double) a[o + j] * -0.4f) * 1.3f;
          worst = Math.max(worst, rel(tag + " dx", w, dx[o + j], 32));
        }
      }
    }
    // GELU over arguments covering tanh's saturated tails, against the formula in double
    float[] x = random(rnd, 4099), dy = random(rnd, 4099);
    for (int n : new int[] {0, 1, 15, 16, 17, 4099}) {
      float[] g = new float[n], t = new float[n], dx = new float[n];
      loops.gelu(x, g, t, n);
      loops.geluBackward(x, t, dy, dx, n);
      for (int i = 0; i < n; i++) {
        double v = x[i], th = Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v));
        double d = 0.5 * (1 + th) + 0.5 * v * (1 - th * th) * Math.sqrt(2 / Math.PI) * (1 + 3 * 0.044715 * v * v);
        String tag = loops.getClass().getSimpleName() + " gelu n=" + n + " at " + i + " (x=" + v + ")";
        worst = Math.max(worst, rel(tag + " tanh", th, t[i], 1));
        worst = Math.max(worst, rel(tag + " value", 0.5 * v * (1 + th), g[i], 1 + Math.abs(v)));
        worst = Math.max(worst, rel(tag + " gradient", dy[i] * d, dx[i], 2 + Math.abs(v * dy[i])));
      }
    }
    System.out.printf("%s: worst relative difference %.2e%n", loops.getClass().getSimpleName(), worst);
  }

  private static double agree(String tag, float[] want, float[] got, java.util.function.Supplier<Float> run,
      double wantSum, double scale) {
    float s = run.get();
    double worst = rel(tag + " sum", wantSum, s, scale);
    for (int i = 0; i < want.length; i++) {
      worst = Math.max(worst, rel(tag + " at " + i, want[i], got[i], Math.max(1e-30, Math.abs(want[i]))));
    }
    return worst;
  }

  /** |want - got| / scale, asserted under TOL. */
  private static double rel(String tag, double want, double got, double scale) {
    double r = Math.abs(want - got) / scale;
    assertTrue(r <= TOL, tag + ": want " + want + ", got " + got + " (relative " + r + ")");
    return r;
  }

  private static float[] random(Random rnd, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (rnd.nextGaussian() * 3);
    }
    return a;
  }

  private static final class Plain implements Loops {
    public float max(float[] a, int f, int t) { return PlainLoops.max(a, f, t); }
    public float expShiftSum(float[] a, int f, int t, float s) { return PlainLoops.expShiftSum(a, f, t, s); }
    public void scale(float[] a, int f, int t, float s) { PlainLoops.scale(a, f, t, s); }
    public void softmaxGradient(float[] s, float[] ds, int f, int t, float l, float d) { PlainLoops.softmaxGradient(s, ds, f, t, l, d); }
    public float dot(float[] a, int ao, float[] b, int bo, int n) { return PlainLoops.dot(a, ao, b, bo, n); }
    public float sum(float[] a, int f, int t) { return PlainLoops.sum(a, f, t); }
    public float sumSquaredDeviation(float[] a, int f, int t, float m) { return PlainLoops.sumSquaredDeviation(a, f, t, m); }
    public void normRow(float[] x, int o, int n, float m, float r, float[] g, float[] b, float[] h, float[] y) { PlainLoops.normRow(x, o, 0, n, m, r, g, b, h, y); }
    public void normGradientSums(float[] dy, float[] h, int o, int n, float[] g, float[] dg, float[] db, float[] s) { s[0] = 0f; s[1] = 0f; PlainLoops.normGradientSums(dy, h, o, 0, n, g, dg, db, s); }
    public void normGradientRow(float[] dy, float[] h, int o, int n, float[] g, float mg, float mgx, float r, float[] dx) { PlainLoops.normGradientRow(dy, h, o, 0, n, g, mg, mgx, r, dx); }
    public void gelu(float[] x, float[] g, float[] t, int n) { PlainLoops.gelu(x, g, t, 0, n); }
    public void geluBackward(float[] x, float[] t, float[] dy, float[] dx, int n) { PlainLoops.geluBackward(x, t, dy, dx, 0, n); }
  }

  private static final class Vector implements Loops {
    public float max(float[] a, int f, int t) { return VectorLoops.max(a, f, t); }
    public float expShiftSum(float[] a, int f, int t, float s) { return VectorLoops.expShiftSum(a, f, t, s); }
    public void scale(float[] a, int f, int t, float s) { VectorLoops.scale(a, f, t, s); }
    public void softmaxGradient(float[] s, float[] ds, int f, int t, float l, float d) { VectorLoops.softmaxGradient(s, ds, f, t, l, d); }
    public float dot(float[] a, int ao, float[] b, int bo, int n) { return VectorLoops.dot(a, ao, b, bo, n); }
    public float sum(float[] a, int f, int t) { return VectorLoops.sum(a, f, t); }
    public float sumSquaredDeviation(float[] a, int f, int t, float m) { return VectorLoops.sumSquaredDeviation(a, f, t, m); }
    public void normRow(float[] x, int o, int n, float m, float r, float[] g, float[] b, float[] h, float[] y) { VectorLoops.normRow(x, o, n, m, r, g, b, h, y); }
    public void normGradientSums(float[] dy, float[] h, int o, int n, float[] g, float[] dg, float[] db, float[] s) { VectorLoops.normGradientSums(dy, h, o, n, g, dg, db, s); }
    public void normGradientRow(float[] dy, float[] h, int o, int n, float[] g, float mg, float mgx, float r, float[] dx) { VectorLoops.normGradientRow(dy, h, o, n, g, mg, mgx, r, dx); }
    public void gelu(float[] x, float[] g, float[] t, int n) { VectorLoops.gelu(x, g, t, n); }
    public void geluBackward(float[] x, float[] t, float[] dy, float[] dx, int n) { VectorLoops.geluBackward(x, t, dy, dx, n); }
  }

}
