package dev.llmj.benchmarks;

import dev.llmj.core.spi.AttentionKernel;
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
 * Causal attention forward + backward, FLOAT, B=8, H=4, D=64, each call in a workspace
 * ({@link BenchWorkspace}). The useful work is 7 B H T^2 D floating-point operations (two T x T x D
 * products forward, five backward, half of each masked).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar Attention -f 1 -wi 2 -i 5}; T=4096
 * (flash only, the plain path needs several GB for its score matrices):
 * {@code ... Attention -p t=4096 -p impl=cpu-flash -wi 1 -i 2}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx8g", "-Dorg.bytedeco.javacpp.maxbytes=12G",
    "-Dorg.bytedeco.javacpp.maxphysicalbytes=16G"})
public class AttentionBenchmark {

  @Param({"256", "1024", "2048"})
  public int t;

  /** The plain ND4J path; the kernel as it runs here (native where it can); the kernel's Java path. */
  @Param({"plain-nd4j", "cpu-flash", "cpu-flash-java"})
  public String impl;

  private INDArray q, k, v, dOut;
  private AttentionKernel kernel;
  private final double scale = 1 / Math.sqrt(64);

  @Setup(Level.Trial)
  public void setUp() {
    Nd4j.getRandom().setSeed(7);
    q = Nd4j.randn(DataType.FLOAT, 8, t, 4, 64);
    k = Nd4j.randn(DataType.FLOAT, 8, t, 4, 64);
    v = Nd4j.randn(DataType.FLOAT, 8, t, 4, 64);
    dOut = Nd4j.randn(DataType.FLOAT, 8, t, 4, 64);
    if (impl.equals("cpu-flash-java")) { // each trial forks its own JVM, where the choice is made once
      System.setProperty(CpuKernelProvider.ISA_PROPERTY, "java");
    }
    kernel = new CpuKernelProvider().attention().orElseThrow();
    System.out.println("attention path: " + CpuKernelProvider.attentionPath(64));
  }

  @Benchmark
  public Object forwardBackward() {
    return BenchWorkspace.run("attention-" + impl, () -> {
      if (impl.equals("plain-nd4j")) {
        return PlainAttention.forwardBackward(q, k, v, dOut, scale);
      }
      AttentionKernel.Forward f = kernel.forward(q, k, v, true, scale);
      return kernel.backward(q, k, v, f.out(), f.lse(), dOut, true, scale);
    });
  }
}
