package dev.llmj.core.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API loops of {@link FloatMath}: full vectors over the body, then the plain loop on the
 * tail. Only {@link FloatMath} touches this class, and only when the incubator module is loaded.
 *
 * <p>Only lane-wise IEEE operations (add, mul, fma, min, max, bit casts, shuffles) are used, so each
 * loop gives the same bits whether the JIT has compiled it yet or not. The Vector API's own {@code EXP}
 * does not (SVML's approximation once C2 compiles the loop, another one before: measured, about one
 * value in 200 differs in its last bits), and with it two training runs of one seed differed from
 * their first steps on, by how soon C2 got to the softmax loops. {@code reduceLanes(ADD)} leaves the
 * order of the additions to the implementation (JDK 17 happens to add in lane order both ways), so the
 * lane sums here add pairwise in one fixed order of their own.
 */
final class VectorLoops {

  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final int L = F.length();
  /** Rotations by L/2, L/4, ..., 1 lanes: the fixed pairwise order of {@link #sumLanes}. */
  private static final VectorShuffle<Float>[] HALVES = halves();

  private VectorLoops() {}

  static int lanes() {
    return L;
  }

  @SuppressWarnings("unchecked")
  private static VectorShuffle<Float>[] halves() {
    int steps = Integer.numberOfTrailingZeros(L);
    VectorShuffle<Float>[] s = new VectorShuffle[steps];
    for (int i = 0; i < steps; i++) {
      s[i] = VectorShuffle.iota(F, L >> (i + 1), 1, true);
    }
    return s;
  }

  /** The sum of the lanes, added pairwise in a fixed order (unlike {@code reduceLanes(ADD)}). */
  private static float sumLanes(FloatVector v) {
    for (VectorShuffle<Float> s : HALVES) {
      v = v.add(v.rearrange(s));
    }
    return v.lane(0);
  }

  /**
   * {@link PlainLoops#exp} on vectors, operation for operation, so both give the same bits. 2^n comes
   * from the bits of {@code t = v / ln 2 + 1.5 * 2^23}, whose low mantissa bits hold n exactly: a float
   * to int conversion ({@code convert(F2I)}) costs ten times the whole function on JDK 17.
   */
  private static FloatVector exp(FloatVector x) {
    FloatVector v = x.min(88f).max(-87f);
    FloatVector t = v.mul(1.44269504f).add(12582912f);
    FloatVector n = t.sub(12582912f);
    FloatVector f = v.sub(n.mul(0.693145752f)).sub(n.mul(1.42860677e-6f));
    FloatVector p = f.mul(1f / 720).add(1f / 120).mul(f).add(1f / 24).mul(f).add(1f / 6).mul(f).add(1f / 2).mul(f)
        .add(1f).mul(f).add(1f);
    FloatVector scale = t.reinterpretAsInts().add(127 - Float.floatToRawIntBits(12582912f))
        .lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    return p.mul(scale);
  }

  /** The last start of a whole vector within [from, to). */
  private static int bound(int from, int to) {
    return from + F.loopBound(to - from);
  }

  static float max(float[] a, int from, int to) {
    int i = from, end = bound(from, to);
    float m = Float.NEGATIVE_INFINITY;
    if (end > from) {
      FloatVector acc = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
      for (; i < end; i += L) {
        acc = acc.max(FloatVector.fromArray(F, a, i));
      }
      m = acc.reduceLanes(VectorOperators.MAX);
    }
    return Math.max(m, PlainLoops.max(a, i, to));
  }

  static float expShiftSum(float[] a, int from, int to, float shift) {
    int i = from, end = bound(from, to);
    FloatVector acc = FloatVector.zero(F);
    for (; i < end; i += L) {
      FloatVector e = exp(FloatVector.fromArray(F, a, i).sub(shift));
      e.intoArray(a, i);
      acc = acc.add(e);
    }
    return sumLanes(acc) + PlainLoops.expShiftSum(a, i, to, shift);
  }

  static void scale(float[] a, int from, int to, float s) {
    int i = from, end = bound(from, to);
    for (; i < end; i += L) {
      FloatVector.fromArray(F, a, i).mul(s).intoArray(a, i);
    }
    PlainLoops.scale(a, i, to, s);
  }

  static void softmaxGradient(float[] s, float[] ds, int from, int to, float lse, float delta) {
    int i = from, end = bound(from, to);
    for (; i < end; i += L) {
      FloatVector p = exp(FloatVector.fromArray(F, s, i).sub(lse));
      p.intoArray(s, i);
      p.mul(FloatVector.fromArray(F, ds, i).sub(delta)).intoArray(ds, i);
    }
    PlainLoops.softmaxGradient(s, ds, i, to, lse, delta);
  }

  static float dot(float[] a, int ao, float[] b, int bo, int n) {
    int i = 0, end = F.loopBound(n);
    FloatVector acc = FloatVector.zero(F);
    for (; i < end; i += L) {
      acc = FloatVector.fromArray(F, a, ao + i).fma(FloatVector.fromArray(F, b, bo + i), acc);
    }
    return sumLanes(acc) + PlainLoops.dot(a, ao + i, b, bo + i, n - i);
  }

  static float sum(float[] a, int from, int to) {
    int i = from, end = bound(from, to);
    FloatVector acc = FloatVector.zero(F);
    for (; i < end; i += L) {
      acc = acc.add(FloatVector.fromArray(F, a, i));
    }
    return sumLanes(acc) + PlainLoops.sum(a, i, to);
  }

  static float sumSquaredDeviation(float[] a, int from, int to, float mean) {
    int i = from, end = bound(from, to);
    FloatVector acc = FloatVector.zero(F);
    for (; i < end; i += L) {
      FloatVector d = FloatVector.fromArray(F, a, i).sub(mean);
      acc = d.fma(d, acc);
    }
    return sumLanes(acc) + PlainLoops.sumSquaredDeviation(a, i, to, mean);
  }

  static void normRow(float[] x, int o, int n, float mean, float rstd, float[] gain, float[] bias, float[] xhat,
      float[] y) {
    int j = 0, end = F.loopBound(n);
    for (; j < end; j += L) {
      FloatVector h = FloatVector.fromArray(F, x, o + j).sub(mean).mul(rstd);
      h.intoArray(xhat, o + j);
      FloatVector g = FloatVector.fromArray(F, gain, j);
      (bias == null ? h.mul(g) : h.fma(g, FloatVector.fromArray(F, bias, j))).intoArray(y, o + j);
    }
    PlainLoops.normRow(x, o, j, n, mean, rstd, gain, bias, xhat, y);
  }

  static void normGradientSums(float[] dy, float[] xhat, int o, int n, float[] gain, float[] dGain, float[] dBias,
      float[] sums) {
    int j = 0, end = F.loopBound(n);
    FloatVector sumG = FloatVector.zero(F), sumGx = FloatVector.zero(F);
    for (; j < end; j += L) {
      FloatVector d = FloatVector.fromArray(F, dy, o + j), h = FloatVector.fromArray(F, xhat, o + j);
      FloatVector g = d.mul(FloatVector.fromArray(F, gain, j));
      sumG = sumG.add(g);
      sumGx = g.fma(h, sumGx);
      d.fma(h, FloatVector.fromArray(F, dGain, j)).intoArray(dGain, j);
      if (dBias != null) {
        d.add(FloatVector.fromArray(F, dBias, j)).intoArray(dBias, j);
      }
    }
    sums[0] = sumLanes(sumG);
    sums[1] = sumLanes(sumGx);
    PlainLoops.normGradientSums(dy, xhat, o, j, n, gain, dGain, dBias, sums);
  }

  static void normGradientRow(float[] dy, float[] xhat, int o, int n, float[] gain, float meanG, float meanGx,
      float rstd, float[] dx) {
    int j = 0, end = F.loopBound(n);
    for (; j < end; j += L) {
      FloatVector.fromArray(F, dy, o + j).mul(FloatVector.fromArray(F, gain, j)).sub(meanG)
          .sub(FloatVector.fromArray(F, xhat, o + j).mul(meanGx)).mul(rstd).intoArray(dx, o + j);
    }
    PlainLoops.normGradientRow(dy, xhat, o, j, n, gain, meanG, meanGx, rstd, dx);
  }

  static void gelu(float[] x, float[] g, float[] t, int n) {
    int i = 0, end = F.loopBound(n);
    for (; i < end; i += L) {
      FloatVector v = FloatVector.fromArray(F, x, i);
      FloatVector th = tanh(v.mul(v).mul(v).mul(PlainLoops.GELU_C).add(v).mul(PlainLoops.GELU_K));
      th.intoArray(t, i);
      th.add(1f).mul(v).mul(0.5f).intoArray(g, i);
    }
    PlainLoops.gelu(x, g, t, i, n);
  }

  /** {@link PlainLoops#tanh}'s rational function on vectors: faster than the library's TANH here. */
  private static FloatVector tanh(FloatVector x) {
    FloatVector v = x.max(-9f).min(9f);
    FloatVector s = v.mul(v);
    FloatVector p = s.mul(PlainLoops.P4).add(PlainLoops.P3).mul(s).add(PlainLoops.P2).mul(s).add(PlainLoops.P1).mul(s)
        .add(PlainLoops.P0).mul(v);
    FloatVector q = s.mul(PlainLoops.Q4).add(PlainLoops.Q3).mul(s).add(PlainLoops.Q2).mul(s).add(PlainLoops.Q1).mul(s)
        .add(1f);
    return p.div(q);
  }

  static void geluBackward(float[] x, float[] t, float[] dy, float[] dx, int n) {
    int i = 0, end = F.loopBound(n);
    float k = PlainLoops.GELU_K, c3 = 3 * PlainLoops.GELU_C;
    for (; i < end; i += L) {
      FloatVector v = FloatVector.fromArray(F, x, i), th = FloatVector.fromArray(F, t, i);
      // 0.5 (1 + t) + 0.5 v (1 - t^2) k (1 + 3c v^2)
      FloatVector inner = v.mul(v).mul(c3).add(1f).mul(th.mul(th).neg().add(1f)).mul(v).mul(0.5f * k);
      th.add(1f).mul(0.5f).add(inner).mul(FloatVector.fromArray(F, dy, i)).intoArray(dx, i);
    }
    PlainLoops.geluBackward(x, t, dy, dx, i, n);
  }
}
