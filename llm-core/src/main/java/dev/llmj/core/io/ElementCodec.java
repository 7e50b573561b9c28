package dev.llmj.core.io;

import java.nio.ByteBuffer;

/** Little-endian element encoding and decoding for the floating safetensors types. */
final class ElementCodec {
  private ElementCodec() {}

  /** Decodes {@code n} elements starting at {@code in}'s position (which advances). */
  static float[] decodeFloats(SafetensorsDType dtype, ByteBuffer in, int n) {
    float[] out = new float[n];
    switch (dtype) {
      case F32 -> in.asFloatBuffer().get(out);
      case F64 -> {
        for (int i = 0; i < n; i++) {
          out[i] = (float) in.getDouble();
        }
        return out;
      }
      case F16 -> {
        for (int i = 0; i < n; i++) {
          out[i] = HalfFloats.f16ToFloat(in.getShort());
        }
        return out;
      }
      case BF16 -> {
        for (int i = 0; i < n; i++) {
          out[i] = HalfFloats.bf16ToFloat(in.getShort());
        }
        return out;
      }
      default -> throw new UnsupportedOperationException(dtype + " is not a floating type");
    }
    in.position(in.position() + n * 4);
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

  /** Appends {@code values} to {@code out} as {@code dtype}; F64 widens, the others round to nearest even. */
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
