package dev.llmj.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Checks the binary16 and bfloat16 conversions exhaustively against an independent computation:
 * decoding by the textbook formula in double arithmetic, encoding by a nearest-value search over
 * the ordered table of all representable values.
 */
class HalfFloatsTest {
  static final long SEED = Long.getLong("tests.seed", 0x5eed);

  /** value = (-1)^s * 2^(e - bias) * (1 + m / 2^mbits), or the subnormal / special forms. */
  static double reference(int bits, int expBits, int mantBits) {
    int bias = (1 << (expBits - 1)) - 1;
    int sign = (bits >>> (expBits + mantBits)) & 1;
    int exp = (bits >>> mantBits) & ((1 << expBits) - 1);
    int mant = bits & ((1 << mantBits) - 1);
    double magnitude;
    if (exp == (1 << expBits) - 1) {
      magnitude = mant == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
    } else if (exp == 0) {
      magnitude = mant / Math.pow(2, mantBits) * Math.pow(2, 1 - bias);
    } else {
      magnitude = (1 + mant / Math.pow(2, mantBits)) * Math.pow(2, exp - bias);
    }
    return sign == 1 ? -magnitude : magnitude;
  }

  @Test
  void f16DecodeAll65536() {
    int nans = 0;
    for (int h = 0; h < 65536; h++) {
      double expected = reference(h, 5, 10);
      float actual = HalfFloats.f16ToFloat((short) h);
      if (Double.isNaN(expected)) {
        assertTrue(Float.isNaN(actual), "0x" + Integer.toHexString(h));
        assertEquals(h & 0x3ff, (Float.floatToRawIntBits(actual) >>> 13) & 0x3ff, "NaN payload kept");
        nans++;
        continue;
      }
      assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(actual),
          "0x" + Integer.toHexString(h) + " expected " + expected + " got " + actual);
    }
    assertEquals(2 * 1023, nans);
    System.out.println("f16 decode: 65536 patterns bit-exact (incl. -0, subnormals, inf), " + nans + " NaNs");
  }

  @Test
  void bf16DecodeAll65536() {
    for (int h = 0; h < 65536; h++) {
      double expected = reference(h, 8, 7);
      float actual = HalfFloats.bf16ToFloat((short) h);
      if (Double.isNaN(expected)) {
        assertTrue(Float.isNaN(actual), "0x" + Integer.toHexString(h));
      } else {
        assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(actual),
            "0x" + Integer.toHexString(h));
      }
    }
    System.out.println("bf16 decode: 65536 patterns bit-exact");
  }

  @Test
  void f16EncodeRoundTripsEveryValue() {
    for (int h = 0; h < 65536; h++) {
      float f = HalfFloats.f16ToFloat((short) h);
      short back = HalfFloats.floatToF16(f);
      if (Float.isNaN(f)) {
        assertTrue(Float.isNaN(HalfFloats.f16ToFloat(back)));
      } else {
        assertEquals(h, back & 0xffff, "0x" + Integer.toHexString(h));
      }
      short bf = HalfFloats.floatToBf16(HalfFloats.bf16ToFloat((short) h));
      if (!Float.isNaN(HalfFloats.bf16ToFloat((short) h))) {
        assertEquals(h, bf & 0xffff, "bf16 0x" + Integer.toHexString(h));
      } else {
        assertTrue(Float.isNaN(HalfFloats.bf16ToFloat(bf)), "bf16 NaN stays NaN");
      }
    }
  }

  /**
   * Nearest representable value, ties to the even bit pattern, by binary search over non-negative
   * patterns (ordered like their values); the pattern just above the largest finite value is Inf,
   * whose "value" for rounding is the next power of two, which gives IEEE overflow rounding.
   */
  static int nearest(float x, int expBits, int mantBits) {
    int inf = ((1 << expBits) - 1) << mantBits;
    double infAsNumber = Math.pow(2, (1 << (expBits - 1)));
    double ax = Math.abs((double) x);
    int sign = Float.floatToRawIntBits(x) < 0 ? 1 << (expBits + mantBits) : 0;
    int lo = 0;
    int hi = inf;
    while (lo < hi) { // largest pattern with value <= ax
      int mid = (lo + hi + 1) >>> 1;
      double v = mid == inf ? infAsNumber : reference(mid, expBits, mantBits);
      if (v <= ax) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    if (lo == inf) {
      return sign | inf;
    }
    double below = reference(lo, expBits, mantBits);
    double above = lo + 1 == inf ? infAsNumber : reference(lo + 1, expBits, mantBits);
    double dBelow = ax - below;
    double dAbove = above - ax;
    int pick = dBelow < dAbove ? lo : dAbove < dBelow ? lo + 1 : ((lo & 1) == 0 ? lo : lo + 1);
    return sign | pick;
  }

  @Test
  void encodeMatchesNearestSearch() {
    System.out.println("seed " + SEED + " (reproduce with -Dtests.seed=" + SEED + ")");
    SplittableRandom random = new SplittableRandom(SEED);
    int checked = 0;
    // Exact ties and their neighbours between every pair of adjacent halves, both signs.
    for (int h = 0; h < 0x7c00; h++) {
      float a = HalfFloats.f16ToFloat((short) h);
      float b = h + 1 == 0x7c00 ? 65536f : HalfFloats.f16ToFloat((short) (h + 1));
      float mid = (a + b) / 2; // exact: halves need 11 significant bits, floats have 24
      for (float x : new float[] {mid, Math.nextUp(mid), Math.nextDown(mid), -mid, -Math.nextUp(mid)}) {
        checkF16(x);
        checked++;
      }
    }
    for (int i = 0; i < 200_000; i++) {
      float x = Float.intBitsToFloat(random.nextInt());
      if (!Float.isNaN(x)) {
        checkF16(x);
        checkBf16(x);
        checked += 2;
      }
      float y = (float) (random.nextDouble(-70000, 70000) * Math.pow(2, -random.nextInt(30)));
      checkF16(y);
      checkBf16(y);
      checked += 2;
    }
    for (float x : new float[] {65504f, 65519.996f, 65520f, Float.MAX_VALUE, Float.MIN_VALUE, 0x1p-25f,
        Math.nextUp(0x1p-25f), 0x1p-24f * 1.5f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
      checkF16(x);
      checkBf16(x);
    }
    assertTrue(Float.isNaN(HalfFloats.f16ToFloat(HalfFloats.floatToF16(Float.intBitsToFloat(0x7f800001)))),
        "NaN with payload only in low bits stays NaN in f16");
    assertTrue(Float.isNaN(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(Float.intBitsToFloat(0x7f800001)))),
        "NaN with payload only in low bits stays NaN in bf16");
    System.out.println("encode: " + checked + " values matched the nearest-even search, 0 mismatches");
  }

  private static void checkF16(float x) {
    assertEquals(nearest(x, 5, 10), HalfFloats.floatToF16(x) & 0xffff, () -> "f16 of " + x + " seed " + SEED);
  }

  private static void checkBf16(float x) {
    assertEquals(nearest(x, 8, 7), HalfFloats.floatToBf16(x) & 0xffff, () -> "bf16 of " + x + " seed " + SEED);
  }
}
