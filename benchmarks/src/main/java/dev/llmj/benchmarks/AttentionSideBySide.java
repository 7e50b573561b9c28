package dev.llmj.benchmarks;

import dev.llmj.core.spi.AttentionKernel;
import dev.llmj.kernels.CpuKernelProvider;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Plain ND4J attention and the CPU kernel, forward + backward, timed in alternation on the same
 * inputs (B=8, H=4, D=64, causal) so that load from other processes hits both alike, each call
 * after an idle pause ({@link #settle}) and in a workspace ({@link BenchWorkspace}); prints
 * median milliseconds, GFLOP/s (7 B H T^2 D per call: the seven T x T x D products of forward and
 * backward, backward's recomputed scores included, over the half of the score matrix that causal
 * attention needs), the speed-up, and the kernel's GFLOP/s as a share of a 2048^3 float GEMM
 * measured in the same process (best of five, before and after the attention runs).
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar
 * dev.llmj.benchmarks.AttentionSideBySide [rounds] [T...]}; add {@code -Dllmj.kernels.cpu.isa=java}
 * (or {@code avx2}) to time the kernel's other paths.
 */
public final class AttentionSideBySide {

  private AttentionSideBySide() {}

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int[] lengths = args.length > 1
        ? Arrays.stream(args, 1, args.length).mapToInt(Integer::parseInt).toArray() : new int[] {256, 1024, 2048};
    AttentionKernel kernel = new CpuKernelProvider().attention().orElseThrow();
    double scale = 1 / Math.sqrt(64);
    double gemm = CpuKernelProvider.measureGemmGflops();
    System.out.printf("kernel path: %s, %d threads; GEMM 2048^3: %.1f GFLOP/s%n", CpuKernelProvider.attentionPath(64),
        CpuKernelProvider.threads(), gemm);
    System.out.printf("%6s %12s %12s %10s %10s %8s %12s%n", "T", "plain ms", "kernel ms", "plain GF/s", "kernel GF/s",
        "speed-up", "kernel/GEMM");
    for (int t : lengths) {
      INDArray q = Nd4j.randn(DataType.FLOAT, 8, t, 4, 64), k = Nd4j.randn(DataType.FLOAT, 8, t, 4, 64);
      INDArray v = Nd4j.randn(DataType.FLOAT, 8, t, 4, 64), dOut = Nd4j.randn(DataType.FLOAT, 8, t, 4, 64);
      double[] plain = new double[rounds], fast = new double[rounds];
      for (int r = -1; r < rounds; r++) { // one round of warm-up
        settle();
        long t0 = System.nanoTime();
        BenchWorkspace.run("plain", () -> PlainAttention.forwardBackward(q, k, v, dOut, scale));
        long t1 = System.nanoTime();
        settle();
        long t2 = System.nanoTime();
        BenchWorkspace.run("kernel", () -> {
          AttentionKernel.Forward f = kernel.forward(q, k, v, true, scale);
          return kernel.backward(q, k, v, f.out(), f.lse(), dOut, true, scale);
        });
        long t3 = System.nanoTime();
        if (r >= 0) {
          plain[r] = (t1 - t0) / 1e6;
          fast[r] = (t3 - t2) / 1e6;
        }
      }
      double p = median(plain), f = median(fast), gflop = 7.0 * 8 * 4 * t * (double) t * 64 / 1e9;
      System.out.printf("%6d %12.0f %12.0f %10.1f %10.1f %8.2f %11.0f%%%n", t, p, f, gflop / p * 1e3, gflop / f * 1e3,
          p / f, 100 * gflop / f * 1e3 / gemm);
    }
    System.out.printf("GEMM 2048^3 after: %.1f GFLOP/s%n", CpuKernelProvider.measureGemmGflops());
  }

  /**
   * Idles 300 ms before a timed call. After a GEMM, OpenBLAS's worker threads spin for up to 2^28
   * cycles (about 0.1 s) before they sleep, and ND4J's OpenMP threads spin too; on a small machine a
   * call that starts right after the other path's GEMMs shares its cores with them.
   */
  static void settle() {
    try {
      Thread.sleep(300);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static double median(double[] x) {
    double[] y = x.clone();
    Arrays.sort(y);
    return y[y.length / 2];
  }
}
