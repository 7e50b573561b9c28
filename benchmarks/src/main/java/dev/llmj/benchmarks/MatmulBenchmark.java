package dev.llmj.benchmarks;

import dev.llmj.core.spi.MatmulKernel;
import dev.llmj.core.spi.ReferenceMatmul;
import dev.llmj.kernels.CpuKernelProvider;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * FLOAT GEMM at the reference GPT-2 workload's shapes (B*T = 4096 rows, C = 256, 3C, 4C, V = 4096),
 * forward {@code x W} and the two backward products {@code dy W^T} (NT) and {@code x^T dy} (TN).
 * A shape is {@code MxKxN:ops}: op(a) is M x K, op(b) is K x N. GFLOP/s = 2 M N K / time.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar Matmul -f 1 -wi 3 -i 5}; start it with
 * {@code OPENBLAS_CORETYPE=SkylakeX} on CPUs that OpenBLAS 0.3.19 does not recognise (see the
 * warning {@link CpuKernelProvider} logs).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MatmulBenchmark {

  @Param({"4096x256x768:NN", "4096x256x1024:NN", "4096x1024x256:NN", "4096x256x4096:NN",
      "4096x768x256:NT", "256x4096x768:TN", "4096x4096x256:NT", "256x4096x4096:TN", "2048x2048x2048:NN"})
  public String shape;

  /** {@code nd4j}: Nd4j.gemm (the Mmul op); {@code nd4j-mmul}: INDArray.mmul; {@code openblas}: direct. */
  @Param({"nd4j", "nd4j-mmul", "openblas"})
  public String impl;

  private INDArray a, b, c;
  private boolean transA, transB;
  private MatmulKernel kernel;

  @Setup(Level.Trial)
  public void setUp() {
    String[] parts = shape.split(":");
    String[] mkn = parts[0].split("x");
    int m = Integer.parseInt(mkn[0]), k = Integer.parseInt(mkn[1]), n = Integer.parseInt(mkn[2]);
    transA = parts[1].charAt(0) == 'T';
    transB = parts[1].charAt(1) == 'T';
    Nd4j.getRandom().setSeed(42);
    a = transA ? Nd4j.rand(DataType.FLOAT, k, m) : Nd4j.rand(DataType.FLOAT, m, k);
    b = transB ? Nd4j.rand(DataType.FLOAT, n, k) : Nd4j.rand(DataType.FLOAT, k, n);
    c = Nd4j.create(DataType.FLOAT, new long[] {m, n}, 'c');
    kernel = impl.equals("openblas") ? new CpuKernelProvider().matmul().orElseThrow() : new ReferenceMatmul();
    System.out.println("\nOpenBLAS core: " + CpuKernelProvider.openBlasCore());
  }

  @Benchmark
  public INDArray gemm() {
    if (impl.equals("nd4j-mmul")) {
      return (transA ? a.transpose() : a).mmul(transB ? b.transpose() : b);
    }
    kernel.gemm(transA, transB, 1.0, a, b, 0.0, c);
    return c;
  }
}
