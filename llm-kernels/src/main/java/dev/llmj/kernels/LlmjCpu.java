package dev.llmj.kernels;

import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.CriticalRegion;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * The JNI binding of {@code src/main/cpp/llmj_cpu_attention.h}, {@code llmj_cpu_loops.h} and {@code llmj_cpu_env.h}, one native method per C function with
 * the same name and argument order; the header documents layouts and results. Arrays travel as native
 * addresses ({@code long}), so a call allocates nothing on the Java side.
 *
 * <p>Nothing here loads the library: {@link NativeCpu} does, once, and reports why it could not.
 */
@Platform(include = {"llmj_cpu_attention.h", "llmj_cpu_loops.h", "llmj_cpu_env.h"}, compiler = {"cpp11", "default"})
final class LlmjCpu {

  static final int OK = 0, OUT_OF_MEMORY = 1, UNSUPPORTED = 2;

  private LlmjCpu() {}

  static native int llmj_cpu_attention_isa();

  static native int llmj_setenv_if_unset(String name, String value);

  /** The array is pinned, not copied, for the call (GetPrimitiveArrayCritical). */
  @CriticalRegion
  static native float llmj_cpu_exp_shift_sum(int isa, float[] a, int from, int to, float shift);

  static native int llmj_cpu_attention_forward(int isa, @Cast("const float*") long q, @Cast("const float*") long k,
      @Cast("const float*") long v, @Cast("float*") long out, @Cast("float*") long lse, int T, int Tk, int G, int D,
      long ldq, long ldk, int causal, int window, float scale);

  static native int llmj_cpu_attention_backward(int isa, @Cast("const float*") long q, @Cast("const float*") long k,
      @Cast("const float*") long v, @Cast("const float*") long out, @Cast("const float*") long lse,
      @Cast("const float*") long dout, @Cast("float*") long dq, @Cast("float*") long dk, @Cast("float*") long dv,
      int T, int Tk, int G, int D, long ldq, long ldk, int causal, int window, float scale);
}
