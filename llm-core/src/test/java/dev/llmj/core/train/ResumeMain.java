package dev.llmj.core.train;

import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Child process of {@link ResumeAfterKillTest}: trains the toy model (with dropout, so the RNG state
 * matters) into {@code args[0]}, resuming from its checkpoints if any. {@code args[1]} ms of sleep per
 * step stretch the run so that the parent can kill it mid-way; {@code args[2]} is the thread count (1).
 */
public final class ResumeMain {

  static final int STEPS = 60;

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    long sleepMs = Long.parseLong(args[1]);
    ComputationGraph graph = ToyModels.nextToken(99, DataType.FLOAT, 0.1);
    graph.setListeners(new BaseTrainingListener() {
      @Override
      public void iterationDone(Model model, int iteration, int epoch) {
        try {
          Thread.sleep(sleepMs);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    TrainConfig cfg = TrainConfig.defaults().withOverrides(List.of("max_steps=" + STEPS, "lr=0.02",
        "min_lr=0.002", "warmup_steps=10", "micro_batch=8", "grad_accum=2", "seq_len=1", "checkpoint_every=5",
        "eval_every=10", "eval_batches=2", "keep_last=2", "progress=never", "clip=0.5",
        "threads=" + (args.length > 2 ? args[2] : "1")));
    TrainResult r = Trainer.builder(graph, cfg)
        .train(new ToyData(5, 8, 13, DataType.FLOAT))
        .validation(new ToyData(6, 16, 2, DataType.FLOAT), 4.0)
        .checkpoints(dir.resolve("checkpoints"))
        .metrics(dir.resolve("metrics.jsonl"))
        .build()
        .run();
    System.out.println("done steps=" + r.steps() + " resumed_from=" + r.resumedFromStep());
  }
}
