package dev.llmj.examples.cli;

import dev.llmj.core.dist.Collectives;
import dev.llmj.core.model.ModelConfig;
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
   * {@code llm bench train}: {@link TrainBenchmark}, training steps on random tokens through the real trainer,
   * of a GPT-2 shaped by the options or of a {@code --preset}, printing {@code tokens/s=<N> ms/step=<M>
   * mfu=<F> peak_rss_gb=<G>} as the last line of stdout. Step times are the median over the steps after the
   * warm-up ones; the PyTorch scripts {@code benchmarks/pytorch/train_gpt.py} and {@code train_qwen.py} print
   * the same line for the same models. Under {@code mpirun -np W} the same global {@code --batch} is split over
   * the ranks (each runs {@code --threads}), and the line adds {@code ranks=W allreduce_ms=<A>
   * allreduce_share=<A/M>}, the all-reduce of the whole gradient timed on its own after training; the peak
   * memory is rank 0's.
   */
  @Command(name = "train", mixinStandardHelpOptions = true,
      description = "Training throughput and peak memory of a model on random tokens.")
  static final class Train implements Callable<Integer> {

    @Option(names = "--preset", paramLabel = "NAME",
        description = "A model preset (e.g. gpt2, qwen2.5-0.5b) instead of the GPT-2 shape options.")
    String preset;
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
    @Option(names = "--recompute", description = "Recompute each block's activations in backward (less memory).")
    boolean recompute;
    @Option(names = "--peak-gflops", defaultValue = "0", paramLabel = "G",
        description = "Peak GFLOP/s for MFU; 0 measures a large float gemm on --threads threads (default).")
    double peakGflops;
    @Option(names = "--seed", defaultValue = "1337") long seed;

    @Override
    public Integer call() {
      ModelConfig model = preset != null ? ModelConfig.preset(preset)
          : TrainBenchmark.Config.gpt2(layers, heads, dModel, vocab, seqLen);
      TrainBenchmark.Result r = TrainBenchmark.run(new TrainBenchmark.Config(model, seqLen, batch, steps, warmup,
          threads, seed, recompute));
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
      System.err.printf(Locale.ROOT, "model: %s %d layers, %d heads (%d key/value), d_model %d, head size %d, vocab %d,"
          + " %,d parameters; seq %d, batch %d, %d threads%s%s%n", preset != null ? preset : "GPT-2", model.nLayers(),
          model.nHeads(), model.nKvHeads(), model.dModel(), model.headSize(), model.vocabSize(), model.parameterCount(),
          seqLen, batch, threads, r.ranks() > 1 ? " on each of " + r.ranks() + " ranks" : "",
          recompute ? ", recompute" : "");
      String attention = KernelRegistry.attention().name();
      if (attention.equals("cpu-flash")) { // which code it runs: native AVX-512 or AVX2, or Java
        attention += " " + CpuKernelProvider.attentionPath(model.headSize());
      }
      System.err.printf(Locale.ROOT, "kernels: attention=%s matmul=%s (OpenBLAS %s, %s) loops=%s%n",
          attention, KernelRegistry.matmul().name(), CpuKernelProvider.openBlasCore(), CpuKernelProvider.openBlasSetup(),
          FloatMath.path() + (FloatMath.simd() ? "" : " (" + FloatMath.whyNotSimd() + ")"));
      System.err.printf(Locale.ROOT, "step ms after %d warm-up steps: %s%n", warmup, Arrays.toString(
          Arrays.stream(r.stepMillis()).mapToLong(Math::round).toArray()));
      System.err.printf(Locale.ROOT, "peak %.1f GFLOP/s (%s); %.3g FLOPs/token%n", peakGflops, peakSource,
          r.config().flopsPerToken());
      System.out.printf(Locale.ROOT, "tokens/s=%.0f ms/step=%.1f mfu=%.4f peak_rss_gb=%.2f%s%n", r.tokensPerSecond(),
          r.msPerStep(), r.mfu(peakGflops), r.peakRssBytes() / 1e9, r.ranks() == 1 ? "" : String.format(Locale.ROOT,
              " ranks=%d allreduce_ms=%.1f allreduce_share=%.3f", r.ranks(), r.allReduceMillis(),
              r.allReduceMillis() / r.msPerStep()));
      return 0;
    }
  }
}
