package dev.llmj.core.simd;

/**
 * Native code for the {@link FloatMath} loops that the JIT does not vectorise, for a JVM started without
 * the Vector API; found with {@link java.util.ServiceLoader} (llm-kernels registers its AVX-512 and AVX2
 * code in {@code META-INF/services/dev.llmj.core.simd.NativeLoops}). {@link FloatMath} takes the first
 * usable one only where its Vector API path does not run.
 */
public interface NativeLoops {

  /** True when this code can run here (library loaded, CPU supported). */
  boolean usable();

  /** The code that runs, e.g. {@code "avx512"}. */
  String name();

  /** As {@link FloatMath#expShiftSum}: {@code a[i] = exp(a[i] - shift)} over {@code [from, to)}, returns the sum. */
  float expShiftSum(float[] a, int from, int to, float shift);
}
