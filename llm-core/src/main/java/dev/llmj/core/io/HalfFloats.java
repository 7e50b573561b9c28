package dev.llmj.core.io;

/**
 * IEEE 754 binary16 and bfloat16 conversions, bit-exact and rounding to nearest even. Java 17 has no
 * {@code Float.float16ToFloat}; these are small enough to keep hot loops free of calls.
 */
final class HalfFloats {
  private HalfFloats() {}

  static float f16ToFloat(short half) {
    int h = half & 0xffff;
    int sign = (h & 0x8000) << 16;
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    if (exp == 0) {
      // Zero or subnormal: mant * 2^-24 is exact in float.
      float magnitude = mant * 0x1p-24f;
      return sign == 0 ? magnitude : -magnitude;
    }
    if (exp == 0x1f) {
      // Inf, or NaN with its payload kept in the top mantissa bits (the quiet bit lands on the quiet bit).
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  static short floatToF16(float value) {
    int bits = Float.floatToRawIntBits(value);
    int sign = (bits >>> 16) & 0x8000;
    int abs = bits & 0x7fffffff;
    if (abs > 0x7f800000) {
      // NaN stays NaN: force the quiet bit so a payload living only in the low bits is not lost to Inf.
      return (short) (sign | 0x7e00 | ((abs >>> 13) & 0x3ff));
    }
    if (abs >= 0x477ff000) {
      // 65520 is halfway between 65504 (largest half, odd mantissa) and 65536; ties to even go up: Inf.
      return (short) (sign | 0x7c00);
    }
    if (abs < 0x38800000) {
      // Below 2^-14 the result is subnormal: an integer count of 2^-24 steps; rint rounds ties to even,
      // and 1024 steps correctly encodes the smallest normal.
      return (short) (sign | (int) Math.rint(Float.intBitsToFloat(abs) * 0x1p24));
    }
    int h = (((abs >>> 23) - 112) << 10) | ((abs >>> 13) & 0x3ff);
    int rest = abs & 0x1fff;
    if (rest > 0x1000 || (rest == 0x1000 && (h & 1) != 0)) {
      h++; // a carry out of the mantissa correctly bumps the exponent
    }
    return (short) (sign | h);
  }

  static float bf16ToFloat(short bf16) {
    return Float.intBitsToFloat((bf16 & 0xffff) << 16);
  }

  static short floatToBf16(float value) {
    int bits = Float.floatToRawIntBits(value);
    if ((bits & 0x7fffffff) > 0x7f800000) {
      return (short) ((bits >>> 16) | 0x0040);
    }
    int roundingBias = 0x7fff + ((bits >>> 16) & 1);
    return (short) ((bits + roundingBias) >>> 16);
  }
}
