package dev.llmj.core.run;

import dev.llmj.core.model.LanguageModel;
import dev.llmj.core.model.ModelConfig;
import dev.llmj.core.train.TrainConfig;
import dev.llmj.core.train.Trainer;
import dev.llmj.data.shard.PackingIterator;
import java.io.IOException;
import java.time.Duration;

/**
 * A step budget sized from a time budget: the seconds one training step takes on this machine, measured
 * on a throwaway model, and the number of steps that fit in a given time. {@code llm quickstart} sizes
 * its run with it.
 *
 * <pre>{@code
 * StepBudget clock = StepBudget.measure(modelConfig, cfg, PackingIterator.open(shards, packing));
 * TrainConfig timed = cfg.withMaxSteps(clock.steps(Duration.ofMinutes(10), 10));
 * }</pre>
 *
 * @param stepSeconds wall time of one optimizer step, seconds
 */
public record StepBudget(double stepSeconds) {

  /** Steps trained by {@link #measure}; the median is taken over the last {@value #TIMED_STEPS} of them. */
  public static final int MEASURED_STEPS = 8;

  /** Steps the median is taken over. */
  public static final int TIMED_STEPS = 4;

  public StepBudget {
    if (!(stepSeconds > 0) || Double.isInfinite(stepSeconds)) {
      throw new IllegalArgumentException("stepSeconds=" + stepSeconds + " must be finite and > 0");
    }
  }

  /**
   * Trains a fresh model of {@code model} (seeded with {@code cfg.seed()}) for {@value #MEASURED_STEPS} steps
   * of {@code cfg}'s batch shape on {@code data}, without checkpoints or validation, and returns the
   * median step time of the last {@value #TIMED_STEPS}: until the JIT has compiled the SIMD loops a step
   * takes about twice as long, which would halve the budget's steps. {@code data} is consumed.
   */
  public static StepBudget measure(ModelConfig model, TrainConfig cfg, PackingIterator data) throws IOException {
    LanguageModel probe = LanguageModel.create(model, cfg.seed());
    StepClock clock = new StepClock();
    probe.graph().setListeners(clock);
    // a short warm-up, as the budget is only a few steps; the learning rate does not change a step's time
    TrainConfig probeCfg = cfg.withWarmupSteps(Math.min(cfg.warmupSteps(), 1)).withMaxSteps(MEASURED_STEPS)
        .withProgress(TrainConfig.Progress.NEVER);
    Trainer.builder(probe, probeCfg).train(data).build().run();
    return new StepBudget(StepClock.median(clock.stepMillis(MEASURED_STEPS - TIMED_STEPS)) / 1e3);
  }

  /** The whole steps that fit in {@code time}, at least {@code atLeast}. */
  public long steps(Duration time, long atLeast) {
    if (time.isNegative() || time.isZero()) {
      throw new IllegalArgumentException("time budget " + time + " must be positive");
    }
    return Math.max(atLeast, (long) (time.toNanos() / 1e9 / stepSeconds));
  }
}
