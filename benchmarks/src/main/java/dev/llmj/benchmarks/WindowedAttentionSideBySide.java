package dev.llmj.benchmarks;

import dev.llmj.core.spi.AttentionKernel;
import dev.llmj.kernels.CpuKernelProvider;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The CPU attention kernel's forward + backward with a sliding window against the same call with a
 * plain causal mask, timed in alternation on the same inputs (B=1, H=8, Hkv=2, D=64, Mistral's
 * grouping) so that load from other processes hits both alike. A window of W keys skips the key
 * blocks outside it, so the work falls from about T^2 / 2 to about T * W score entries per head; the
 * table prints both medians, the speed-up, and that ratio of score entries for comparison.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar
 * dev.llmj.benchmarks.WindowedAttentionSideBySide [rounds] [T] [W...]} (defaults: 5 rounds, T = 4096,
 * W = 256, 1024).
 */
public final class WindowedAttentionSideBySide {

  private WindowedAttentionSideBySide() {}

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int t = args.length > 1 ? Integer.parseInt(args[1]) : 4096;
    int[] windows = args.length > 2
        ? Arrays.stream(args, 2, args.length).mapToInt(Integer::parseInt).toArray() : new int[] {256, 1024};
    AttentionKernel kernel = new CpuKernelProvider().attention().orElseThrow();
    double scale = 1 / Math.sqrt(64);
    System.out.printf("kernel path: %s, %d threads; B=1 T=%d H=8 Hkv=2 D=64%n", CpuKernelProvider.attentionPath(64),
        CpuKernelProvider.threads(), t);
    System.out.printf("%6s %12s %12s %9s %14s%n", "W", "causal ms", "window ms", "speed-up", "entries ratio");
    INDArray q = Nd4j.randn(DataType.FLOAT, 1, t, 8, 64), k = Nd4j.randn(DataType.FLOAT, 1, t, 2, 64);
    INDArray v = Nd4j.randn(DataType.FLOAT, 1, t, 2, 64), dOut = Nd4j.randn(DataType.FLOAT, 1, t, 8, 64);
    for (int w : windows) {
      double[] full = new double[rounds], windowed = new double[rounds];
      for (int r = -1; r < rounds; r++) { // one round of warm-up
        double a = time(kernel, q, k, v, dOut, 0, scale);
        double b = time(kernel, q, k, v, dOut, w, scale);
        if (r >= 0) {
          full[r] = a;
          windowed[r] = b;
        }
      }
      // score entries a query row computes: i + 1 causal, min(i + 1, W) windowed
      double causalEntries = t * (t + 1.0) / 2, windowEntries = 0;
      for (int i = 0; i < t; i++) {
        windowEntries += Math.min(i + 1, w);
      }
      double f = median(full), g = median(windowed);
      System.out.printf("%6d %12.0f %12.0f %9.2f %14.2f%n", w, f, g, f / g, causalEntries / windowEntries);
    }
  }

  private static double time(AttentionKernel kernel, INDArray q, INDArray k, INDArray v, INDArray dOut, int window,
      double scale) {
    AttentionSideBySide.settle();
    long t0 = System.nanoTime();
    BenchWorkspace.run("attention", () -> {
      AttentionKernel.Forward f = kernel.forward(q, k, v, true, window, scale);
      return kernel.backward(q, k, v, f.out(), f.lse(), dOut, true, window, scale);
    });
    return (System.nanoTime() - t0) / 1e6;
  }

  private static double median(double[] x) {
    double[] y = x.clone();
    Arrays.sort(y);
    return y[y.length / 2];
  }
}
