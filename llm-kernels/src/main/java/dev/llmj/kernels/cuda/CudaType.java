package dev.llmj.kernels.cuda;

/**
 * Element types of the CUDA kernels' tensors, numbered as {@code llmj_dtype} in {@code llmj_cuda.h}.
 * BF16 and F16 travel between Java and the device as raw 16-bit patterns in {@code short[]}; every
 * kernel accumulates in fp32 whatever the storage type.
 */
public enum CudaType {
  F32(0, 4),
  BF16(1, 2),
  F16(2, 2);

  final int code;
  private final int bytes;

  CudaType(int code, int bytes) {
    this.code = code;
    this.bytes = bytes;
  }

  /** Bytes per element. */
  public int bytes() {
    return bytes;
  }
}
