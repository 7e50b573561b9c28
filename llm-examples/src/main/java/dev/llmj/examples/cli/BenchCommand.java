package dev.llmj.examples.cli;

import dev.llmj.core.dist.Collectives;
import dev.llmj.core.run.TrainBenchmark;
import dev.llmj.core.simd.FloatMath;
import dev.llmj.core.spi.KernelRegistry;
import dev.llmj.kernels.CpuKernelProvider;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code llm bench ...}: throughput measurements comparable with other frameworks. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Measure throughput.",
    subcommands = {BenchCommand.Train.class})
final class BenchCommand {

  /**
   * {@code llm bench train}: {@link TrainBenchmark}, GPT-2 training steps on random tokens through the real
   * trainer, printing {@code tokens/s=<N> ms/step=<M> mfu=<F>} as the last line of stdout. Step times are the
   * median over the steps after the warm-up ones; the PyTorch script {@code benchmarks/pytorch/train_gpt.py}
   * prints the same line for the same model. Under {@code mpirun -np W} the same global {@code --batch} is
   * split over the ranks (each runs {@code --threads}), and the line adds {@code ranks=W allreduce_ms=<A>
   * allreduce_share=<A/M>}, the all-reduce of the whole gradient timed on its own after training.
   */
  @Command(name = "train", mixinStandardHelpOptions = true,
      description = "Training throughput of a GPT-2 model on random tokens.")
  static final class Train implements Callable<Integer> {

    @Option(names = "--layers", defaultValue = "4") int layers;
    @Option(names = "--heads", defaultValue = "4") int heads;
    @Option(names = "--d-model", defaultValue = "256") int dModel;
    @Option(names = "--seq-len", defaultValue = "256") int seqLen;
    @Option(names = "--batch", defaultValue = "16") int batch;
    @Option(names = "--vocab", defaultValue = "4096") int vocab;
    @Option(names = "--steps", defaultValue = "12", description = "Steps including warm-up (default: ${DEFAULT-VALUE}).")
    int steps;
    @Option(names = "--warmup", defaultValue = "2", description = "Steps left out of the median (default: ${DEFAULT-VALUE}).")
    int warmup;
    @Option(names = "--threads", defaultValue = "2", description = "ND4J/OpenMP threads (default: ${DEFAULT-VALUE}).")
    int threads;
    @Option(names = "--peak-gflops", defaultValue = "0", paramLabel = "G",
        description = "Peak GFLOP/s for MFU; 0 measures a large float gemm on --threads threads (default).")
    double peakGflops;
    @Option(names = "--seed", defaultValue = "1337") long seed;

    @Override
    public Integer call() {
      TrainBenchmark.Result r = TrainBenchmark.run(new TrainBenchmark.Config(layers, heads, dModel, seqLen, batch,
          vocab, steps, warmup, threads, seed));
      if (r.ranks() > 1 && Collectives.world().rank() != 0) {
        return 0; // rank 0 reports for the job
      }
      String peakSource = "--peak-gflops";
      if (peakGflops <= 0) {
        // after training, so that JIT compilation and first-touch page faults do not lower the peak
        peakGflops = CpuKernelProvider.measureGemmGflops() * r.ranks();
        peakSource = "measured: best of 5 sgemm 2048^3 on " + threads + " threads"
            + (r.ranks() > 1 ? ", times " + r.ranks() + " ranks" : "");
      }
      System.err.printf(Locale.ROOT, "model: GPT-2 %d layers, %d heads, d_model %d, seq %d, batch %d, vocab %d, %,d"
          + " parameters; %d threads%s%n", layers, heads, dModel, seqLen, batch, vocab,
          r.config().model().parameterCount(), threads, r.ranks() > 1 ? " on each of " + r.ranks() + " ranks" : "");
      String attention = KernelRegistry.attention().name();
      if (attention.equals("cpu-flash")) { // which code it runs: native AVX-512 or AVX2, or Java
        attention += " " + CpuKernelProvider.attentionPath(dModel / heads);
      }
      System.err.printf(Locale.ROOT, "kernels: attention=%s matmul=%s (OpenBLAS %s, %s) loops=%s%n",
          attention, KernelRegistry.matmul().name(), CpuKernelProvider.openBlasCore(), CpuKernelProvider.openBlasSetup(),
          FloatMath.path() + (FloatMath.simd() ? "" : " (" + FloatMath.whyNotSimd() + ")"));
      System.err.printf(Locale.ROOT, "step ms after %d warm-up steps: %s%n", warmup, Arrays.toString(
          Arrays.stream(r.stepMillis()).mapToLong(Math::round).toArray()));
      System.err.printf(Locale.ROOT, "peak %.1f GFLOP/s (%s); %.3g FLOPs/token%n", peakGflops, peakSource,
          r.config().flopsPerToken());
      System.out.printf(Locale.ROOT, "tokens/s=%.0f ms/step=%.1f mfu=%.4f%s%n", r.tokensPerSecond(), r.msPerStep(),
          r.mfu(peakGflops), r.ranks() == 1 ? "" : String.format(Locale.ROOT, " ranks=%d allreduce_ms=%.1f"
              + " allreduce_share=%.3f", r.ranks(), r.allReduceMillis(), r.allReduceMillis() / r.msPerStep()));
      return 0;
    }
  }
}
