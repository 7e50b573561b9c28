package dev.llmj.benchmarks;

import dev.llmj.core.spi.MatmulKernel;
import dev.llmj.core.spi.ReferenceMatmul;
import dev.llmj.kernels.CpuKernelProvider;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J's gemm and the direct OpenBLAS call timed in alternation on the same arrays, so that load
 * from other processes hits both alike; prints the median GFLOP/s of each and their ratio. Shapes
 * as in {@link MatmulBenchmark}.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.llmj.benchmarks.MatmulSideBySide [rounds]}
 */
public final class MatmulSideBySide {

  private MatmulSideBySide() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 11;
    String[] shapes = MatmulBenchmark.class.getField("shape").getAnnotation(org.openjdk.jmh.annotations.Param.class)
        .value();
    MatmulKernel nd4j = new ReferenceMatmul();
    MatmulKernel direct = new CpuKernelProvider().matmul().orElseThrow();
    System.out.printf("OpenBLAS core %s%n%-20s %10s %10s %7s%n", CpuKernelProvider.openBlasCore(), "shape", "nd4j GF/s",
        "direct GF/s", "ratio");
    for (String shape : shapes) {
      String[] parts = shape.split(":");
      String[] mkn = parts[0].split("x");
      int m = Integer.parseInt(mkn[0]), k = Integer.parseInt(mkn[1]), n = Integer.parseInt(mkn[2]);
      boolean ta = parts[1].charAt(0) == 'T', tb = parts[1].charAt(1) == 'T';
      INDArray a = ta ? Nd4j.rand(DataType.FLOAT, k, m) : Nd4j.rand(DataType.FLOAT, m, k);
      INDArray b = tb ? Nd4j.rand(DataType.FLOAT, n, k) : Nd4j.rand(DataType.FLOAT, k, n);
      INDArray c = Nd4j.create(DataType.FLOAT, new long[] {m, n}, 'c');
      double[] slow = new double[rounds], fast = new double[rounds];
      double flops = 2.0 * m * n * k;
      for (int r = -2; r < rounds; r++) { // two rounds of warm-up
        long t0 = System.nanoTime();
        nd4j.gemm(ta, tb, 1, a, b, 0, c);
        long t1 = System.nanoTime();
        direct.gemm(ta, tb, 1, a, b, 0, c);
        long t2 = System.nanoTime();
        if (r >= 0) {
          slow[r] = flops / (t1 - t0);
          fast[r] = flops / (t2 - t1);
        }
      }
      double s = median(slow), f = median(fast);
      System.out.printf("%-20s %10.1f %10.1f %7.2f%n", shape, s, f, f / s);
    }
  }

  private static double median(double[] x) {
    double[] y = x.clone();
    Arrays.sort(y);
    return y[y.length / 2];
  }
}
