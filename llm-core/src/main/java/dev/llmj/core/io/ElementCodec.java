package dev.llmj.core.io;

import java.nio.ByteBuffer;

/** Little-endian element encoding and decoding for the floating safetensors types. */
final class ElementCodec {
  private ElementCodec() {}

  /** Decodes {@code n} elements starting at {@code in}'s position (which advances). */
  static float[] decodeFloats(SafetensorsDType dtype, ByteBuffer in, int n) {
    float[] out = new float[n];
    // Bulk gets through typed views: per-element relative gets on a mapped buffer are several times slower.
    switch (dtype) {
      case F32 -> in.asFloatBuffer().get(out);
      case F64 -> {
        double[] raw = new double[n];
        in.asDoubleBuffer().get(raw);
        for (int i = 0; i < n; i++) {
          out[i] = (float) raw[i];
        }
      }
      case F16, BF16 -> {
        short[] raw = new short[n];
        in.asShortBuffer().get(raw);
        if (dtype == SafetensorsDType.F16) {
          for (int i = 0; i < n; i++) {
            out[i] = HalfFloats.f16ToFloat(raw[i]);
          }
        } else {
          for (int i = 0; i < n; i++) {
            out[i] = HalfFloats.bf16ToFloat(raw[i]);
          }
        }
      }
      default -> throw new UnsupportedOperationException(dtype + " is not a floating type");
    }
    in.position(in.position() + n * dtype.bytes());
    return out;
  }

  static double[] decodeDoubles(SafetensorsDType dtype, ByteBuffer in, int n) {
    if (dtype != SafetensorsDType.F64) {
      float[] f = decodeFloats(dtype, in, n);
      double[] out = new double[n];
      for (int i = 0; i < n; i++) {
        out[i] = f[i];
      }
      return out;
    }
    double[] out = new double[n];
    in.asDoubleBuffer().get(out);
    in.position(in.position() + n * 8);
    return out;
  }

  /**
   * Appends {@code values} to {@code out} as {@code dtype}, rounding to nearest even. F16 and BF16 go
   * through float, so a double lying within 2^-29 relative of a half-way point may round the other way.
   */
  static void encode(SafetensorsDType dtype, double[] values, ByteBuffer out) {
    switch (dtype) {
      case F64 -> out.asDoubleBuffer().put(values);
      case F32 -> {
        for (double v : values) {
          out.putFloat((float) v);
        }
        return;
      }
      default -> {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
          f[i] = (float) values[i];
        }
        encode(dtype, f, out);
        return;
      }
    }
    out.position(out.position() + values.length * 8);
  }

  static void encode(SafetensorsDType dtype, float[] values, ByteBuffer out) {
    switch (dtype) {
      case F32 -> {
        out.asFloatBuffer().put(values);
        out.position(out.position() + values.length * 4);
      }
      case F64 -> {
        for (float v : values) {
          out.putDouble(v);
        }
      }
      case F16 -> {
        for (float v : values) {
          out.putShort(HalfFloats.floatToF16(v));
        }
      }
      case BF16 -> {
        for (float v : values) {
          out.putShort(HalfFloats.floatToBf16(v));
        }
      }
      default -> throw new UnsupportedOperationException(dtype + " is not a floating type");
    }
  }
}
