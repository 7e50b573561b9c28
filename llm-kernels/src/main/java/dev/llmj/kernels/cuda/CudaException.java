package dev.llmj.kernels.cuda;

/**
 * The CUDA runtime failed under a kernel call (status {@code LLMJ_CUDA_ERROR}, or a status this
 * binding does not know). The message names the C function and carries {@code llmj_last_error()}.
 * Bad arguments raise {@link IllegalArgumentException} and combinations the library was not built
 * for {@link UnsupportedOperationException} instead.
 */
public final class CudaException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;

  CudaException(int status, String message) {
    super(message);
    this.status = status;
  }

  /** The {@code llmj_status} the native call returned. */
  public int status() {
    return status;
  }
}
