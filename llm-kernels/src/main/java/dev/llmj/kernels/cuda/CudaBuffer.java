package dev.llmj.kernels.cuda;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.ShortPointer;

/**
 * A block of device memory owned by Java, for running the kernels without an ND4J CUDA backend
 * (nd4j-cuda 1.0.0-M2.1 has no machine code for Hopper, these kernels do). Copies are synchronous
 * and start at the buffer's first byte; {@code short[]} carries BF16 or F16 bit patterns.
 *
 * <pre>{@code
 * try (CudaBuffer x = CudaBuffer.allocate(n * 4L)) {
 *   x.copyFrom(values);            // float[n]
 *   ...                            // a kernel call, e.g. CudaAttention.forward(CudaType.F32, ...)
 *   x.copyTo(values);
 * }
 * }</pre>
 *
 * Not thread-safe; {@link #close()} frees the memory and is idempotent.
 */
public final class CudaBuffer implements AutoCloseable {

  private Pointer device; // null once closed, or for an empty buffer
  private final long bytes;
  private boolean closed;

  CudaBuffer(Pointer device, long bytes) {
    this.device = device;
    this.bytes = bytes;
  }

  /** Allocates {@code bytes} of uninitialised device memory (0 allowed: no memory, no native call). */
  public static CudaBuffer allocate(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("cannot allocate " + bytes + " bytes; the size must be >= 0");
    }
    if (bytes == 0) {
      return new CudaBuffer(null, 0);
    }
    CudaRuntime.require();
    try (PointerPointer<Pointer> out = new PointerPointer<>(1)) {
      CudaRuntime.check(LlmjCuda.llmj_malloc(out, bytes), "llmj_malloc(" + bytes + " bytes)");
      return new CudaBuffer(out.get(0), bytes);
    }
  }

  /** A new buffer holding a copy of {@code values}. */
  public static CudaBuffer of(float[] values) {
    CudaBuffer b = allocate(4L * values.length);
    b.copyFrom(values);
    return b;
  }

  /** A new buffer holding a copy of {@code bits} (BF16 or F16 patterns). */
  public static CudaBuffer of(short[] bits) {
    CudaBuffer b = allocate(2L * bits.length);
    b.copyFrom(bits);
    return b;
  }

  /** Size in bytes. */
  public long bytes() {
    return bytes;
  }

  public void copyFrom(float[] src) {
    checkCopy(src.length, 4);
    if (src.length > 0) {
      try (FloatPointer host = new FloatPointer(src)) {
        CudaRuntime.check(LlmjCuda.llmj_copy_to_device(device, host, 4L * src.length), "llmj_copy_to_device");
      }
    }
  }

  public void copyFrom(short[] src) {
    checkCopy(src.length, 2);
    if (src.length > 0) {
      try (ShortPointer host = new ShortPointer(src)) {
        CudaRuntime.check(LlmjCuda.llmj_copy_to_device(device, host, 2L * src.length), "llmj_copy_to_device");
      }
    }
  }

  /** Fills {@code dst} from the start of the buffer, after all work queued on the device has finished. */
  public void copyTo(float[] dst) {
    checkCopy(dst.length, 4);
    if (dst.length > 0) {
      synchronize();
      try (FloatPointer host = new FloatPointer(dst.length)) {
        CudaRuntime.check(LlmjCuda.llmj_copy_to_host(host, device, 4L * dst.length), "llmj_copy_to_host");
        host.get(dst);
      }
    }
  }

  public void copyTo(short[] dst) {
    checkCopy(dst.length, 2);
    if (dst.length > 0) {
      synchronize();
      try (ShortPointer host = new ShortPointer(dst.length)) {
        CudaRuntime.check(LlmjCuda.llmj_copy_to_host(host, device, 2L * dst.length), "llmj_copy_to_host");
        host.get(dst);
      }
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    Pointer p = device;
    device = null;
    if (p != null && !p.isNull()) {
      CudaRuntime.check(LlmjCuda.llmj_free(p), "llmj_free");
    }
  }

  /** The device address for a kernel call; the buffer must hold at least {@code needed} bytes. */
  Pointer pointer(String role, long needed) {
    requireOpen();
    if (needed > bytes) {
      throw new IllegalArgumentException(role + " needs " + needed + " bytes but its buffer holds " + bytes
          + "; allocate at least " + needed);
    }
    return device;
  }

  private static void synchronize() {
    CudaRuntime.check(LlmjCuda.llmj_synchronize(), "llmj_synchronize");
  }

  private void checkCopy(int elements, int elementBytes) {
    requireOpen();
    long need = (long) elements * elementBytes;
    if (need > bytes) {
      throw new IllegalArgumentException(elements + " elements of " + elementBytes + " bytes (" + need
          + " bytes) do not fit in a buffer of " + bytes + " bytes");
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("this CudaBuffer of " + bytes + " bytes is closed");
    }
  }
}
