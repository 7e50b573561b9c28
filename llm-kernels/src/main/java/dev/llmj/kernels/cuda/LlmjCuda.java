package dev.llmj.kernels.cuda;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Const;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * The JNI binding of {@code src/main/cuda/llmj_cuda.h}, one native method per C function with the
 * same name and argument order; the header documents shapes and semantics. Every function but
 * {@link #llmj_last_error} and {@link #llmj_attention_backward_workspace} returns an
 * {@code llmj_status} ({@link CudaRuntime#check} turns it into an exception).
 *
 * <p>Pointers are JavaCPP {@link Pointer}s at position 0 holding device addresses, except the host
 * sides of the copies. Enums travel as {@code int} and are cast back in the generated glue.
 *
 * <p>Nothing here loads the library: {@link CudaRuntime} does, once, and reports why it could not,
 * so a JVM without the library or without a GPU never sees an {@link UnsatisfiedLinkError}.
 */
@Platform(include = "llmj_cuda.h", link = "llmj_cuda")
final class LlmjCuda {

  static final int OK = 0;

  private LlmjCuda() {}

  static native @Cast("const char*") BytePointer llmj_last_error();

  // ---- device buffers ----
  static native int llmj_malloc(@Cast("void**") PointerPointer<?> ptr, @Cast("size_t") long bytes);

  static native int llmj_free(Pointer ptr);

  static native int llmj_copy_to_device(Pointer dst, @Const Pointer hostSrc, @Cast("size_t") long bytes);

  static native int llmj_copy_to_host(Pointer hostDst, @Const Pointer src, @Cast("size_t") long bytes);

  static native int llmj_synchronize();

  static native int llmj_device_info(
      @Cast("char*") BytePointer name, @Cast("size_t") long nameCapacity, IntPointer computeCapability);

  // ---- attention ----
  static native int llmj_attention_forward(@Cast("llmj_dtype") int dtype, @Const Pointer q, @Const Pointer k,
      @Const Pointer v, Pointer out, @Cast("float*") Pointer lse, int B, int T, int H, int Hkv, int D, int causal,
      float scale, Pointer stream);

  static native @Cast("size_t") long llmj_attention_backward_workspace(
      @Cast("llmj_dtype") int dtype, int B, int T, int H, int Hkv, int D);

  static native int llmj_attention_backward(@Cast("llmj_dtype") int dtype, @Const Pointer q, @Const Pointer k,
      @Const Pointer v, @Const Pointer out, @Cast("const float*") Pointer lse, @Const Pointer dout, Pointer dq,
      Pointer dk, Pointer dv, Pointer workspace, @Cast("size_t") long workspaceBytes, int B, int T, int H, int Hkv,
      int D, int causal, float scale, Pointer stream);

  // ---- fused softmax cross-entropy ----
  static native int llmj_softmax_xent(@Cast("llmj_dtype") int dtype, @Const Pointer logits,
      @Cast("const int32_t*") Pointer targets, @Cast("float*") Pointer losses, Pointer dlogits, float dloss,
      int ignoreIndex, int N, int V, Pointer stream);

  // ---- normalisation ----
  static native int llmj_layernorm_forward(@Cast("llmj_dtype") int dtype, Pointer out, @Cast("float*") Pointer mean,
      @Cast("float*") Pointer rstd, @Const Pointer inp, @Const Pointer weight, @Const Pointer bias, int N, int C,
      float eps, Pointer stream);

  static native int llmj_layernorm_backward(@Cast("llmj_dtype") int dtype, Pointer dinp,
      @Cast("float*") Pointer dweight, @Cast("float*") Pointer dbias, @Const Pointer dout, @Const Pointer inp,
      @Const Pointer weight, @Cast("const float*") Pointer mean, @Cast("const float*") Pointer rstd, int N, int C,
      Pointer stream);

  static native int llmj_rmsnorm_forward(@Cast("llmj_dtype") int dtype, Pointer out, @Cast("float*") Pointer rstd,
      @Const Pointer inp, @Const Pointer weight, int N, int C, float eps, Pointer stream);

  static native int llmj_rmsnorm_backward(@Cast("llmj_dtype") int dtype, Pointer dinp,
      @Cast("float*") Pointer dweight, @Const Pointer dout, @Const Pointer inp, @Const Pointer weight,
      @Cast("const float*") Pointer rstd, int N, int C, Pointer stream);

  // ---- activations ----
  static native int llmj_bias_gelu_forward(@Cast("llmj_dtype") int dtype, Pointer out, @Const Pointer inp,
      @Const Pointer bias, int N, int C, Pointer stream);

  static native int llmj_bias_gelu_backward(@Cast("llmj_dtype") int dtype, Pointer dinp,
      @Cast("float*") Pointer dbias, @Const Pointer dout, @Const Pointer inp, @Const Pointer bias, int N, int C,
      Pointer stream);

  static native int llmj_swiglu_forward(@Cast("llmj_dtype") int dtype, Pointer out, @Const Pointer gate,
      @Const Pointer up, int N, int C, Pointer stream);

  static native int llmj_swiglu_backward(@Cast("llmj_dtype") int dtype, Pointer dgate, Pointer dup,
      @Const Pointer dout, @Const Pointer gate, @Const Pointer up, int N, int C, Pointer stream);

  // ---- optimiser ----
  static native int llmj_adamw(@Cast("float*") Pointer params, @Cast("const float*") Pointer grads,
      @Cast("float*") Pointer m, @Cast("float*") Pointer v, @Cast("const uint8_t*") Pointer decayMask,
      @Cast("size_t") long n, float lr, float beta1, float beta2, float eps, float weightDecay, float gradScale,
      int step, Pointer stream);

  // ---- GEMM with epilogue ----
  static native int llmj_gemm(@Cast("llmj_dtype") int dtype, int transA, int transB, int M, int N, int K,
      float alpha, @Const Pointer A, int lda, @Const Pointer B, int ldb, float beta, Pointer C, int ldc,
      @Const Pointer bias, @Cast("llmj_epilogue") int epilogue, Pointer stream);
}
