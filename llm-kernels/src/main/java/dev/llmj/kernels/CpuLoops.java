package dev.llmj.kernels;

import dev.llmj.core.simd.NativeLoops;

/**
 * The softmax's exponential on the native AVX-512 or AVX2 code of {@link LlmjCpu}, registered for
 * {@link java.util.ServiceLoader} as {@link NativeLoops}: {@link dev.llmj.core.simd.FloatMath} runs it in a
 * JVM started without the Vector API, where the plain Java loop is about ten times slower. Usable where
 * the native attention is ({@link NativeCpu}: library built and loaded, CPU with AVX2 and FMA, not
 * {@code -Dllmj.kernels.cpu.isa=java}).
 */
public final class CpuLoops implements NativeLoops {

  /** Called by {@link java.util.ServiceLoader}. */
  public CpuLoops() {}

  @Override
  public boolean usable() {
    return NativeCpu.widest() > 0;
  }

  @Override
  public String name() {
    return NativeCpu.widest() == 512 ? "avx512" : "avx2";
  }

  @Override
  public float expShiftSum(float[] a, int from, int to, float shift) {
    if (from < 0 || to > a.length || from > to) {
      throw new IndexOutOfBoundsException("range [" + from + ", " + to + ") of an array of " + a.length);
    }
    return LlmjCpu.llmj_cpu_exp_shift_sum(NativeCpu.widest(), a, from, to, shift);
  }
}
