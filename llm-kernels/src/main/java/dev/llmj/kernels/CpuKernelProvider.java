package dev.llmj.kernels;

import dev.llmj.core.spi.AttentionKernel;
import dev.llmj.core.spi.KernelProvider;
import dev.llmj.core.spi.MatmulKernel;
import java.util.Optional;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The CPU kernels, registered for {@link java.util.ServiceLoader}: a GEMM that calls nd4j-native's
 * OpenBLAS on the arrays' memory without copies ({@code "openblas"}), and a tiled causal attention
 * with online softmax whose memory grows with T, not T x T ({@code "cpu-flash"}): native AVX-512 or
 * AVX2 code where the CPU has it ({@link #attentionPath}), Java otherwise.
 *
 * <pre>{@code
 * MatmulKernel mm = new CpuKernelProvider().matmul().orElseGet(ReferenceMatmul::new);
 * INDArray y = mm.mmul(x, false, w, true);            // (B*T, C) x (C', C)^T
 * AttentionKernel att = new CpuKernelProvider().attention().orElseThrow();
 * AttentionKernel.Forward f = att.forward(q, k, v, true, 1 / Math.sqrt(64)); // q (B, T, H, D)
 * }</pre>
 *
 * <p>Both answer empty unless ND4J runs on its CPU backend. The attention kernel runs on
 * {@link #threads()} threads (system property {@value #THREADS_PROPERTY}, default: available
 * processors); its results do not depend on the thread count or scheduling.
 */
public final class CpuKernelProvider implements KernelProvider {

  /**
   * System property choosing the attention kernel's code: {@code auto} (default: the native kernel
   * with the widest vectors this CPU has), {@code avx512}, {@code avx2}, or {@code java}.
   */
  public static final String ISA_PROPERTY = "llmj.kernels.cpu.isa";

  /** System property with the attention kernel's thread count. */
  public static final String THREADS_PROPERTY = "llmj.kernels.threads";

  @Override
  public int priority() {
    return 10;
  }

  @Override
  public Optional<AttentionKernel> attention() {
    return onCpuBackend() ? Optional.of(new FlashAttention(threads())) : Optional.empty();
  }

  @Override
  public Optional<MatmulKernel> matmul() {
    if (!onCpuBackend() || openBlasCore().equals("unavailable")) {
      return Optional.empty();
    }
    OpenBlasCore.check();
    return Optional.of(new BlasMatmul());
  }

  /**
   * The kernel family nd4j-native's OpenBLAS chose for this CPU, e.g. {@code "SKYLAKEX"};
   * {@code "PRESCOTT"} on a modern CPU means GEMM runs far below its speed. The library sets
   * {@code OPENBLAS_CORETYPE} itself before ND4J loads OpenBLAS, and {@link #matmul()} fails with the
   * fix where that came too late.
   */
  public static String openBlasCore() {
    return OpenBlasCore.name();
  }

  /**
   * Where OpenBLAS's core type came from, e.g. {@code "OPENBLAS_CORETYPE=SkylakeX set by llm-kernels"},
   * {@code "OPENBLAS_CORETYPE=Haswell from the environment"}, or {@code "OPENBLAS_CORETYPE not set: ..."}
   * with the reason.
   */
  public static String openBlasSetup() {
    return OpenBlasCore.setup();
  }

  /**
   * The {@code OPENBLAS_CORETYPE} this CPU should run with ({@code SkylakeX} with AVX-512, {@code Haswell}
   * with AVX2 and FMA), read from {@code /proc/cpuinfo} without loading OpenBLAS; empty when unknown.
   * nd4j-native's OpenBLAS 0.3.19 does not recognise recent CPUs and otherwise falls back to SSE3 kernels;
   * it reads the variable once, when it loads, so llm-kernels sets it natively while ND4J looks for its
   * backend (system property {@code llmj.openblas.coretype}: another value, or {@code none}).
   */
  public static Optional<String> recommendedCoreType() {
    String t = OpenBlasCore.forThisCpu();
    return t.isEmpty() ? Optional.empty() : Optional.of(t);
  }

  /**
   * The code the attention kernel runs for head size {@code headSize}: {@code "avx512"} or
   * {@code "avx2"} (the native kernel), or {@code "java (reason)"} where the native one cannot run.
   */
  public static String attentionPath(int headSize) {
    return NativeCpu.describe(headSize);
  }

  /**
   * The float GEMM rate ND4J's backend attains here on its current threads, in GFLOP/s: the best of
   * five 2048^3 products after one untimed (about a second). The denominator of MFU and of the
   * attention kernel's share of the matmul's speed.
   */
  public static double measureGemmGflops() {
    int n = 2048;
    INDArray a = Nd4j.rand(DataType.FLOAT, n, n), b = Nd4j.rand(DataType.FLOAT, n, n);
    INDArray c = Nd4j.create(DataType.FLOAT, n, n);
    Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
    double best = Double.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      long t0 = System.nanoTime();
      Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
      best = Math.min(best, (System.nanoTime() - t0) / 1e9);
    }
    return 2.0 * n * n * n / best / 1e9;
  }

  /** The attention kernel's thread count. */
  public static int threads() {
    String value = System.getProperty(THREADS_PROPERTY);
    if (value == null) {
      return Runtime.getRuntime().availableProcessors();
    }
    try {
      int n = Integer.parseInt(value.trim());
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("-D" + THREADS_PROPERTY + "=" + value + " is not a thread count >= 1");
  }

  private static boolean onCpuBackend() {
    return Nd4j.getBackend().getClass().getName().contains(".cpu.");
  }
}
