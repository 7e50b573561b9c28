package dev.llmj.core.run;

import dev.llmj.core.dist.Collective;
import dev.llmj.core.dist.Collectives;
import dev.llmj.core.model.Architecture;
import dev.llmj.core.model.LanguageModel;
import dev.llmj.core.model.ModelConfig;
import dev.llmj.core.train.TrainConfig;
import dev.llmj.core.train.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.deeplearning4j.datasets.iterator.ExistingDataSetIterator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Training throughput of a language model on random tokens through the real {@link Trainer} (AdamW, clip 1.0):
 * the median step time after the warm-up steps, tokens per second, the model FLOP utilization against
 * a given peak, and the process's peak resident memory. {@code llm bench train} is this class; the PyTorch
 * scripts {@code benchmarks/pytorch/train_gpt.py} (GPT-2 shapes) and {@code train_qwen.py} (the
 * {@code qwen2.5-0.5b} preset) measure the same models the same way.
 *
 * <p>Started as W ranks ({@code mpirun -np W}), it trains data-parallel with the same global batch, each
 * rank taking {@code batch / W} sequences, and also times the all-reduce of the gradient alone.
 *
 * <pre>{@code
 * TrainBenchmark.Result r = TrainBenchmark.run(TrainBenchmark.Config.defaults().withThreads(4));
 * System.out.printf("%.0f tokens/s, MFU %.3f%n", r.tokensPerSecond(), r.mfu(CpuKernelProvider.measureGemmGflops()));
 * TrainBenchmark.run(TrainBenchmark.Config.defaults().withBatch(256, 1).withModel(ModelConfig.preset("qwen2.5-0.5b")));
 * }</pre>
 */
public final class TrainBenchmark {

  private TrainBenchmark() {}

  /**
   * The model, the step's shape and the timing; validated on construction.
   *
   * @param model the model trained (its initialisation seeded by {@code seed})
   * @param seqLen context length T of each sequence; at most the model's context length
   * @param batch sequences per step B
   * @param steps steps trained, warm-up included
   * @param warmup first steps left out of the median (JIT compilation, first-touch page faults)
   * @param threads ND4J/OpenMP threads
   * @param seed seeds the model and the random tokens
   * @param recompute activation recomputation ({@link TrainConfig#recompute()})
   */
  public record Config(ModelConfig model, int seqLen, int batch, int steps, int warmup, int threads, long seed,
      boolean recompute) {

    public Config {
      if (model == null) {
        throw new IllegalArgumentException("model is required; e.g. ModelConfig.preset(\"gpt2\")");
      }
      if (steps <= warmup || warmup < 0) {
        throw new IllegalArgumentException("steps " + steps + " must exceed warmup " + warmup
            + ", and warmup must be >= 0; the median is taken over the steps after the warm-up");
      }
      if (batch < 1 || threads < 1 || seqLen < 1) {
        throw new IllegalArgumentException("batch=" + batch + " threads=" + threads + " seqLen=" + seqLen
            + ": all must be >= 1");
      }
      if (seqLen > model.contextLength()) {
        throw new IllegalArgumentException("seqLen " + seqLen + " exceeds the model's context length "
            + model.contextLength() + "; use a shorter sequence or a model with a longer context");
      }
    }

    /**
     * {@code llm bench train}'s defaults: GPT-2 with 4 layers, 4 heads, d_model 256 and 4096 ids, 16 x 256
     * tokens, 12 steps, 2 warm-up, 2 threads.
     */
    public static Config defaults() {
      return new Config(gpt2(4, 4, 256, 4096, 256), 256, 16, 12, 2, 2, 1337, false);
    }

    /** A GPT-2 of {@code l} blocks, {@code h} heads, width {@code d}, {@code v} ids and context {@code t}. */
    public static ModelConfig gpt2(int l, int h, int d, int v, int t) {
      return ModelConfig.of(Architecture.GPT2, v, t, l, h, d);
    }

    /** A GPT-2 of this shape (blocks, heads, width, vocabulary) whose context is this config's sequence length. */
    public Config withModel(int l, int h, int d, int v) {
      return withModel(gpt2(l, h, d, v, seqLen));
    }

    /** Another model, e.g. {@code ModelConfig.preset("qwen2.5-0.5b")}. */
    public Config withModel(ModelConfig m) {
      return new Config(m, seqLen, batch, steps, warmup, threads, seed, recompute);
    }

    /** A step's shape: context length and sequences. */
    public Config withBatch(int t, int b) {
      return new Config(model, t, b, steps, warmup, threads, seed, recompute);
    }

    /** Steps trained, and how many of them are left out of the median. */
    public Config withSteps(int total, int warm) {
      return new Config(model, seqLen, batch, total, warm, threads, seed, recompute);
    }

    public Config withThreads(int n) {
      return new Config(model, seqLen, batch, steps, warmup, n, seed, recompute);
    }

    public Config withSeed(long s) {
      return new Config(model, seqLen, batch, steps, warmup, threads, s, recompute);
    }

    public Config withRecompute(boolean on) {
      return new Config(model, seqLen, batch, steps, warmup, threads, seed, on);
    }

    /** Training FLOPs per token at this sequence length: {@code 6N + 12 L T C} ({@link TrainingCost}). */
    public double flopsPerToken() {
      TrainingCost full = TrainingCost.of(model, 1); // at the model's whole context
      return full.withShape(full.layers(), seqLen, full.dModel()).totalFlops();
    }

    /** Tokens in one step, {@code B * T}. */
    public long tokensPerStep() {
      return (long) batch * seqLen;
    }
  }

  /**
   * What was measured.
   *
   * @param config what ran
   * @param stepMillis each step's milliseconds after the warm-up ones
   * @param ranks processes that trained together (1: one process)
   * @param allReduceMillis median time of one all-reduce of the whole gradient, after training (0 for one rank)
   * @param peakRssBytes this process's peak resident memory after training (Linux {@code VmHWM}), -1 where the
   *     system does not report it
   */
  public record Result(Config config, double[] stepMillis, int ranks, double allReduceMillis, long peakRssBytes) {

    public Result {
      if (stepMillis.length == 0) {
        throw new IllegalArgumentException("no timed steps; time more steps than the warm-up ones");
      }
      stepMillis = stepMillis.clone();
    }

    @Override
    public double[] stepMillis() {
      return stepMillis.clone();
    }

    /** The median step time, milliseconds. */
    public double msPerStep() {
      return StepClock.median(stepMillis);
    }

    /** Training tokens per second at the median step time. */
    public double tokensPerSecond() {
      return config.tokensPerStep() / (msPerStep() / 1e3);
    }

    /** Model FLOP utilization: tokens/s times {@link Config#flopsPerToken()} over {@code peakGflops}. */
    public double mfu(double peakGflops) {
      if (!(peakGflops > 0) || Double.isInfinite(peakGflops)) {
        throw new IllegalArgumentException("peakGflops=" + peakGflops + " must be finite and > 0");
      }
      return tokensPerSecond() * config.flopsPerToken() / (peakGflops * 1e9);
    }
  }

  /**
   * Sets ND4J's threads to {@code config.threads()}, trains {@code config.steps()} steps and times them; as one
   * of W ranks, on {@code batch / W} sequences per rank.
   *
   * @throws IllegalArgumentException when the batch does not split evenly over the ranks
   */
  public static Result run(Config config) {
    Collective world = Collectives.world();
    if (config.batch() % world.size() != 0) {
      throw new IllegalArgumentException("batch " + config.batch() + " does not split over " + world.size()
          + " ranks; use a multiple of " + world.size());
    }
    int localBatch = config.batch() / world.size();
    Nd4j.getEnvironment().setMaxMasterThreads(config.threads());
    Nd4j.getEnvironment().setMaxThreads(config.threads());
    LanguageModel lm = LanguageModel.create(config.model(), config.seed());
    StepClock clock = new StepClock();
    lm.graph().setListeners(clock);
    TrainConfig cfg = TrainConfig.defaults().withOverrides(List.of(
        "lr=3e-4", "min_lr=3e-5", "warmup_steps=0", "max_steps=" + config.steps(), "micro_batch=" + localBatch,
        "seq_len=" + config.seqLen(), "grad_accum=1", "weight_decay=0.1", "clip=1.0", "eval_every=0",
        "checkpoint_every=0", "threads=" + config.threads(), "progress=never", "log_every=" + config.steps(),
        "seed=" + config.seed(), "recompute=" + config.recompute()));
    long tokensPerRank = (long) localBatch * config.seqLen();
    Trainer trainer = Trainer.builder(lm, cfg)
        .train(new ExistingDataSetIterator(randomBatches(config, localBatch, 4 * world.size())))
        .tokenCounter(ds -> tokensPerRank)
        .collective(world)
        .build();
    try {
      trainer.run();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    double allReduceMillis = 0;
    if (world.size() > 1) {
      INDArray grad = lm.graph().getFlattenedGradients();
      double[] ms = new double[5];
      for (int i = 0; i < ms.length; i++) {
        world.barrier(); // each rank enters together, so the time is the reduction's, not a wait for the slowest
        long t0 = System.nanoTime();
        world.allReduceSum(grad);
        ms[i] = (System.nanoTime() - t0) / 1e6;
      }
      allReduceMillis = StepClock.median(ms);
    }
    return new Result(config, clock.stepMillis(config.warmup()), world.size(), allReduceMillis, peakRss());
  }

  /** The peak resident set size of this process in bytes ({@code VmHWM} of /proc/self/status), or -1. */
  public static long peakRss() {
    try {
      for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) { // "VmHWM:    123456 kB"
          return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1; // not Linux, or a format this does not know: the figure is left out
    }
    return -1;
  }

  /** {@code count} batches of {@code batch} sequences of uniform random tokens, labels the features shifted by one. */
  private static List<DataSet> randomBatches(Config c, int batch, int count) {
    SplittableRandom rnd = new SplittableRandom(c.seed());
    List<DataSet> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      float[] ids = new float[batch * (c.seqLen() + 1)];
      for (int j = 0; j < ids.length; j++) {
        ids[j] = rnd.nextInt(c.model().vocabSize());
      }
      INDArray all = Nd4j.create(ids, new long[] {batch, c.seqLen() + 1}, 'c'); // (B, T+1)
      INDArray f = all.get(NDArrayIndex.all(), NDArrayIndex.interval(0, c.seqLen())).dup('c');
      INDArray l = all.get(NDArrayIndex.all(), NDArrayIndex.interval(1, c.seqLen() + 1)).dup('c');
      out.add(new DataSet(f, l));
    }
    return out;
  }
}
