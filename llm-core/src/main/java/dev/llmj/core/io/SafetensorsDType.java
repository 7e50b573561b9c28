package dev.llmj.core.io;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Element types of the safetensors format. Every type can be listed and validated; {@link #isFloat()}
 * types can also be loaded as float32 (or float64) arrays and written.
 */
public enum SafetensorsDType {
  F64(8, true),
  F32(4, true),
  F16(2, true),
  BF16(2, true),
  F8_E4M3(1, false),
  F8_E5M2(1, false),
  I64(8, false),
  I32(4, false),
  I16(2, false),
  I8(1, false),
  U64(8, false),
  U32(4, false),
  U16(2, false),
  U8(1, false),
  BOOL(1, false);

  private final int bytes;
  private final boolean isFloat;

  SafetensorsDType(int bytes, boolean isFloat) {
    this.bytes = bytes;
    this.isFloat = isFloat;
  }

  /** Bytes per element. */
  public int bytes() {
    return bytes;
  }

  /** Whether this library converts the type to and from float arrays. */
  public boolean isFloat() {
    return isFloat;
  }

  /** The type spelled {@code name} in a header, or {@code null} when the name is not a safetensors type. */
  static SafetensorsDType fromHeaderName(String name) {
    for (SafetensorsDType t : values()) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    return null;
  }

  static String validNames() {
    return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
  }
}
