package dev.llmj.kernels;

import dev.llmj.core.dist.Collective;
import dev.llmj.core.dist.Collectives;
import dev.llmj.core.model.Architecture;
import dev.llmj.core.model.LanguageModel;
import dev.llmj.core.model.ModelConfig;
import dev.llmj.core.train.PositionedIterator;
import dev.llmj.core.train.TrainConfig;
import dev.llmj.core.train.TrainResult;
import dev.llmj.data.shard.PackingConfig;
import dev.llmj.data.shard.PackingIterator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;

/**
 * One rank (or the one process) of {@link DataParallelTrainingTest}: trains a tiny GPT-2 without dropout on
 * {@link TinyCorpus}'s shards as {@code llm pretrain} does, as one rank of the job it was launched in
 * ({@link Collectives#world()}), continuing from the run folder's newest checkpoint.
 *
 * <p>args: shard folder, run folder, grad_accum, then options: {@code kill=RANK:STEP} SIGKILLs rank RANK
 * after the backward pass of the 0-based step STEP (writing the time to {@code RUN/killed-at}), and
 * {@code shards=RANK:DIR} gives rank RANK another shard folder.
 */
public final class DataParallelChild {

  static final int STEPS = 8;
  static final int CHECKPOINT_EVERY = 4;

  private DataParallelChild() {}

  static TrainConfig config(int gradAccum) {
    return TrainConfig.defaults().withOverrides(List.of("max_steps=" + STEPS, "lr=3e-3", "min_lr=3e-4",
        "warmup_steps=2", "micro_batch=4", "grad_accum=" + gradAccum, "seq_len=32",
        "checkpoint_every=" + CHECKPOINT_EVERY, "eval_every=4", "eval_batches=3", "keep_last=3", "progress=never",
        "clip=1.0", "seed=7", "threads=1"));
  }

  public static void main(String[] args) {
    int status = 1;
    try {
      run(args);
      status = 0;
    } catch (Exception | Error e) {
      System.err.println(Collectives.rankLabel() + e);
      e.printStackTrace();
    }
    Collectives.exit(status);
  }

  private static void run(String[] args) throws Exception {
    Collective world = Collectives.world();
    Path shards = Path.of(args[0]);
    Path run = Path.of(args[1]);
    TrainConfig cfg = config(Integer.parseInt(args[2]));
    int killStep = -1;
    for (int i = 3; i < args.length; i++) {
      String[] kv = args[i].split("=", 2);
      String[] rankValue = kv[1].split(":", 2);
      if (Integer.parseInt(rankValue[0]) != world.rank()) {
        continue;
      }
      switch (kv[0]) {
        case "kill" -> killStep = Integer.parseInt(rankValue[1]);
        case "shards" -> shards = Path.of(rankValue[1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    PackingIterator data = PackingIterator.open(shards, PackingConfig.of(cfg.seqLen(), cfg.microBatch())
        .withEpochs(100).withShuffle(cfg.seed()).withValidationFraction(0.1));
    LanguageModel lm = LanguageModel.create(ModelConfig.of(Architecture.GPT2, data.vocabSize(), 32, 2, 2, 32), 1);
    if (killStep >= 0) {
      lm.graph().setListeners(new KillAfterBackward(killStep, run));
    }
    TrainResult r = lm.trainer(cfg)
        .train(PositionedIterator.packing(data))
        .validation(data.validation(), 4.0)
        .checkpoints(run.resolve("checkpoints"))
        .metrics(run.resolve("metrics.jsonl"))
        .collective(world)
        .build()
        .run();
    System.out.println(Collectives.rankLabel() + "done steps=" + r.steps() + " resumed_from=" + r.resumedFromStep());
  }

  /** SIGKILLs this process after the backward pass of one step, mid-step for the other ranks. */
  private static final class KillAfterBackward extends BaseTrainingListener {
    private final int step;
    private final Path run;

    KillAfterBackward(int step, Path run) {
      this.step = step;
      this.run = run;
    }

    @Override
    public void onBackwardPass(Model model) {
      if (((ComputationGraph) model).getIterationCount() != step) {
        return;
      }
      try {
        Files.writeString(run.resolve("killed-at"), Long.toString(System.currentTimeMillis()));
        System.out.println("killing at step " + step);
        System.out.flush();
        new ProcessBuilder("kill", "-9", Long.toString(ProcessHandle.current().pid())).start().waitFor();
        Thread.sleep(10_000); // the signal is on its way
      } catch (Exception e) {
        // no kill command: halt below
      }
      Runtime.getRuntime().halt(137);
    }
  }
}
