package dev.llmj.kernels;

import dev.llmj.core.model.Architecture;
import dev.llmj.core.model.LanguageModel;
import dev.llmj.core.model.ModelConfig;
import dev.llmj.core.train.PositionedIterator;
import dev.llmj.core.train.TrainConfig;
import dev.llmj.core.train.TrainResult;
import dev.llmj.data.shard.PackingConfig;
import dev.llmj.data.shard.PackingIterator;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Child JVM of {@link PretrainResumeAfterKillTest}: trains a tiny GPT-2 (with dropout, so the RNG state
 * matters) on {@link TinyCorpus}'s shards the way {@code llm pretrain} does ({@code LanguageModel.create},
 * a shuffled {@link PackingIterator} with a validation split, {@code lm.trainer(cfg)}), continuing from
 * the run folder's newest checkpoint, and kills itself with SIGKILL where {@code args[2]} says.
 *
 * <p>args: shard folder, run folder, kill point: {@code none}, or {@code PHASE:STEP} for the 0-based step
 * STEP with PHASE {@code start} (its first forward pass: after step STEP-1, its evaluation and its
 * checkpoint), {@code backward} (after the second micro-batch's backward pass, gradients half summed),
 * {@code update} (gradients summed and clipped, Adam not yet run) or {@code applied} (parameters updated,
 * the step not yet counted, logged or checkpointed). {@code checkpoint:STEP:FILE} is passed on as
 * {@code -Dllmj.test.haltInCheckpoint}, which the checkpoint writer reads.
 */
public final class PretrainChild {

  static final int STEPS = 12;
  static final int CHECKPOINT_EVERY = 4;
  /** The status of a JVM killed by SIGKILL, as {@link Process#exitValue} reports it (and as the halt uses). */
  static final int KILLED = 137;

  private PretrainChild() {}

  static TrainConfig config() {
    return TrainConfig.defaults().withOverrides(List.of("max_steps=" + STEPS, "lr=3e-3", "min_lr=3e-4",
        "warmup_steps=3", "micro_batch=4", "grad_accum=2", "seq_len=32", "checkpoint_every=" + CHECKPOINT_EVERY,
        "eval_every=6", "eval_batches=2", "keep_last=2", "progress=never", "clip=1.0", "seed=7"));
  }

  public static void main(String[] args) throws Exception {
    Path shards = Path.of(args[0]);
    Path run = Path.of(args[1]);
    String point = args[2];
    Architecture arch = Architecture.fromId(args[3]);
    TrainConfig cfg = config();
    PackingIterator data = PackingIterator.open(shards, PackingConfig.of(cfg.seqLen(), cfg.microBatch())
        .withEpochs(100).withShuffle(cfg.seed()).withValidationFraction(0.1));
    ModelConfig model = arch == Architecture.GPT2
        ? ModelConfig.of(arch, data.vocabSize(), 32, 2, 2, 32).withDropout(0.1)
        // rotary, SwiGLU, RMSNorm and grouped-query attention with one key/value head for four query heads
        : ModelConfig.of(arch, data.vocabSize(), 32, 2, 4, 32).withKvHeads(1).withDropout(0.1);
    LanguageModel lm = LanguageModel.create(model, 1);
    if (!point.equals("none") && !point.startsWith("checkpoint:")) {
      String[] p = point.split(":");
      lm.graph().setListeners(new Killer(p[0], Integer.parseInt(p[1]), point));
    }
    TrainResult r = lm.trainer(cfg)
        .train(PositionedIterator.packing(data))
        .validation(data.validation(), 4.0)
        .checkpoints(run.resolve("checkpoints"))
        .metrics(run.resolve("metrics.jsonl"))
        .build()
        .run();
    System.out.println("done steps=" + r.steps() + " resumed_from=" + r.resumedFromStep());
  }

  /** Kills this JVM at one phase of one step. */
  private static final class Killer extends BaseTrainingListener {
    private final String phase;
    private final int step;
    private final String point;
    private int backwards;

    Killer(String phase, int step, String point) {
      if (!List.of("start", "backward", "update", "applied").contains(phase)) {
        throw new IllegalArgumentException("unknown kill phase '" + phase + "' in " + point);
      }
      this.phase = phase;
      this.step = step;
      this.point = point;
    }

    private void at(String now, Model model) {
      if (now.equals(phase) && ((ComputationGraph) model).getIterationCount() == step) {
        killSelf(point);
      }
    }

    @Override
    public void onForwardPass(Model model, Map<String, INDArray> activations) {
      if (backwards == 0) {
        at("start", model);
      }
    }

    @Override
    public void onBackwardPass(Model model) {
      if (++backwards == 2) {
        at("backward", model);
      }
    }

    @Override
    public void onGradientCalculation(Model model) {
      at("update", model);
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
      at("applied", model);
      backwards = 0;
    }
  }

  /** SIGKILL to this process (where a {@code kill} command exists), else an immediate halt. */
  private static void killSelf(String point) {
    System.out.println("killing at " + point);
    System.out.flush();
    try {
      new ProcessBuilder("kill", "-9", Long.toString(ProcessHandle.current().pid())).start().waitFor();
      Thread.sleep(10_000); // the signal is on its way
    } catch (Exception e) {
      // no kill command: halt below
    }
    Runtime.getRuntime().halt(KILLED);
  }
}
