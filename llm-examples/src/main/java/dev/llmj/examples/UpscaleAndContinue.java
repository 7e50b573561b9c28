package dev.llmj.examples;

import dev.llmj.core.model.LanguageModel;
import dev.llmj.core.train.Evaluation;
import dev.llmj.core.train.TrainConfig;
import dev.llmj.core.train.TrainResult;
import dev.llmj.core.train.Trainer;
import dev.llmj.data.shard.PackingConfig;
import dev.llmj.data.shard.PackingIterator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Depth up-scaling (SOLAR): a trained model of n layers becomes one of 2(n - drop) layers, the first
 * n - drop layers of one copy followed by the last n - drop of another, and training continues on the same
 * data so the seam between the copies heals.
 *
 * <pre>
 * java -cp llm.jar dev.llmj.examples.PretrainFromScratch runs/from-scratch
 * java -cp llm.jar dev.llmj.examples.UpscaleAndContinue runs/from-scratch [OUT_DIR] [DROP] [STEPS]
 * </pre>
 *
 * The run folder is one {@link PretrainFromScratch} made: its newest checkpoint and its {@code shards/}.
 * Defaults: runs/upscaled, drop 1, 200 steps.
 */
public final class UpscaleAndContinue {

  public static void main(String[] args) throws Exception {
    Path run = Path.of(args.length > 0 ? args[0] : "runs/from-scratch");
    Path out = Path.of(args.length > 1 ? args[1] : "runs/upscaled");
    int drop = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    int steps = args.length > 3 ? Integer.parseInt(args[3]) : 200;
    if (Files.exists(out)) {
      throw new IllegalArgumentException(out + " already exists; give a new output folder");
    }
    LanguageModel base = LanguageModel.load(run);
    LanguageModel up = base.upscale(drop);
    System.out.printf("layers %d -> %d, parameters %,d -> %,d%n", base.config().nLayers(), up.config().nLayers(),
        base.graph().numParams(), up.graph().numParams());

    int seqLen = Math.min(256, up.config().contextLength());
    int batch = 8;
    PackingIterator data = PackingIterator.open(run.resolve("shards"),
        PackingConfig.of(seqLen, batch).withEpochs(1000).withShuffle(2).withValidationFraction(0.05));
    // Half the from-scratch rate: both halves already work, only the seam is new.
    TrainConfig cfg = TrainConfig.defaults().withOverrides(List.of("lr=1.5e-3", "min_lr=1.5e-4",
        "warmup_steps=" + Math.max(1, steps / 10), "max_steps=" + steps, "micro_batch=" + batch,
        "seq_len=" + seqLen, "eval_every=0", "eval_batches=10", "checkpoint_every=0", "keep_last=1"));
    Evaluation baseLoss = base.trainer(cfg).train(data)
        .validation(data.validation(), Double.NaN).build().evaluate();
    Trainer trainer = up.trainer(cfg)
        .train(data)
        .validation(data.validation(), Double.NaN)
        .checkpoints(out.resolve("checkpoints"))
        .metrics(out.resolve("metrics.jsonl"))
        .build();
    Evaluation before = trainer.evaluate();
    TrainResult result = trainer.run();
    System.out.printf("held-out loss: base %.4f, upscaled %.4f before and %.4f after %d steps%n",
        baseLoss.loss(), before.loss(), result.lastEvaluation().loss(), result.steps());
    up.save(out.resolve("model"));
  }
}
