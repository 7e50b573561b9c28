package dev.llmj.examples.cli;

import dev.llmj.core.run.StepClock;
import dev.llmj.core.model.Architecture;
import dev.llmj.core.model.LanguageModel;
import dev.llmj.core.model.ModelConfig;
import dev.llmj.core.simd.FloatMath;
import dev.llmj.core.train.TrainConfig;
import dev.llmj.core.train.Trainer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.deeplearning4j.datasets.iterator.ExistingDataSetIterator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code llm bench ...}: throughput measurements comparable with other frameworks. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Measure throughput.",
    subcommands = {BenchCommand.Train.class})
final class BenchCommand {

  /**
   * {@code llm bench train}: GPT-2 training steps on random tokens through the real {@link Trainer}
   * (AdamW, clip 1.0), printing {@code tokens/s=<N> ms/step=<M> mfu=<F>} as the last line of stdout.
   * Step times are the median over the steps after the warm-up ones; the PyTorch script
   * {@code benchmarks/pytorch/train_gpt.py} prints the same line for the same model.
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
      if (steps <= warmup || warmup < 0) {
        throw new IllegalArgumentException("--steps " + steps + " must exceed --warmup " + warmup
            + "; the median is taken over the steps after the warm-up");
      }
      ModelConfig config = ModelConfig.of(Architecture.GPT2, vocab, seqLen, layers, heads, dModel);
      Nd4j.getEnvironment().setMaxMasterThreads(threads);
      Nd4j.getEnvironment().setMaxThreads(threads);
      LanguageModel lm = LanguageModel.create(config, seed);
      ComputationGraph graph = lm.graph();
      StepClock clock = new StepClock();
      graph.setListeners(clock);
      TrainConfig cfg = TrainConfig.defaults().withOverrides(List.of(
          "lr=3e-4", "min_lr=3e-5", "warmup_steps=0", "max_steps=" + steps, "micro_batch=" + batch,
          "seq_len=" + seqLen, "grad_accum=1", "weight_decay=0.1", "clip=1.0", "eval_every=0",
          "checkpoint_every=0", "threads=" + threads, "progress=never", "log_every=" + steps,
          "seed=" + seed));
      long tokensPerStep = (long) batch * seqLen;
      Trainer trainer = Trainer.builder(lm, cfg)
          .train(new ExistingDataSetIterator(randomBatches(4)))
          .tokenCounter(ds -> tokensPerStep)
          .build();
      try {
        trainer.run();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      double[] ms = clock.stepMillis(warmup);
      String peakSource = "--peak-gflops";
      if (peakGflops <= 0) {
        // after training, so that JIT compilation and first-touch page faults do not lower the peak
        peakGflops = dev.llmj.kernels.CpuKernelProvider.measureGemmGflops();
        peakSource = "measured: best of 5 sgemm 2048^3 on " + threads + " threads";
      }
      double median = StepClock.median(ms);
      // Training FLOPs per token: 6 per parameter (forward + backward) plus attention scores and
      // values, 12 * layers * T * C (the PaLM / nanoGPT estimate, full causal matrix counted).
      double flopsPerToken = 6.0 * config.parameterCount() + 12.0 * layers * seqLen * dModel;
      double tokensPerSecond = tokensPerStep / (median / 1e3);
      double mfu = tokensPerSecond * flopsPerToken / (peakGflops * 1e9);
      System.err.printf(Locale.ROOT, "model: GPT-2 %d layers, %d heads, d_model %d, seq %d, batch %d, vocab %d, %,d"
          + " parameters; %d threads%n", layers, heads, dModel, seqLen, batch, vocab, config.parameterCount(), threads);
      String attention = dev.llmj.core.spi.KernelRegistry.attention().name();
      if (attention.equals("cpu-flash")) { // which code it runs: native AVX-512 or AVX2, or Java
        attention += " " + dev.llmj.kernels.CpuKernelProvider.attentionPath(dModel / heads);
      }
      System.err.printf(Locale.ROOT, "kernels: attention=%s matmul=%s (OpenBLAS %s, %s) loops=%s%n",
          attention, dev.llmj.core.spi.KernelRegistry.matmul().name(), dev.llmj.kernels.CpuKernelProvider.openBlasCore(),
          dev.llmj.kernels.CpuKernelProvider.openBlasSetup(),
          FloatMath.path() + (FloatMath.simd() ? "" : " (" + FloatMath.whyNotSimd() + ")"));
      System.err.printf(Locale.ROOT, "step ms after %d warm-up steps: %s%n", warmup, Arrays.toString(
          Arrays.stream(ms).mapToLong(Math::round).toArray()));
      System.err.printf(Locale.ROOT, "peak %.1f GFLOP/s (%s); %.3g FLOPs/token%n", peakGflops, peakSource,
          flopsPerToken);
      System.out.printf(Locale.ROOT, "tokens/s=%.0f ms/step=%.1f mfu=%.4f%n", tokensPerSecond, median, mfu);
      return 0;
    }

    private List<DataSet> randomBatches(int count) {
      SplittableRandom rnd = new SplittableRandom(seed);
      List<DataSet> out = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        float[] ids = new float[batch * (seqLen + 1)];
        for (int j = 0; j < ids.length; j++) {
          ids[j] = rnd.nextInt(vocab);
        }
        INDArray all = Nd4j.create(ids, new long[] {batch, seqLen + 1}, 'c');
        INDArray f = all.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
            org.nd4j.linalg.indexing.NDArrayIndex.interval(0, seqLen)).dup('c');
        INDArray l = all.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
            org.nd4j.linalg.indexing.NDArrayIndex.interval(1, seqLen + 1)).dup('c');
        out.add(new DataSet(f, l));
      }
      return out;
    }
  }
}
