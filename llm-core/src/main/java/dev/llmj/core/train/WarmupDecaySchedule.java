package dev.llmj.core.train;

import java.util.Locale;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Learning rate by optimizer step: linear warm-up to {@code maxLr}, then cosine or linear decay to
 * {@code minLr} at {@code decaySteps}, then constant {@code minLr}. Iteration {@code i} (0-based, DL4J's
 * update count) gets {@code maxLr * (i + 1) / warmupSteps} during warm-up, so the first update is not
 * taken at learning rate zero. Serialises to and from DL4J configuration JSON (its fields are its
 * {@code @JsonProperty} constructor arguments), which ND4J's {@code RampSchedule} cannot.
 *
 * <pre>{@code
 * ISchedule lr = new WarmupDecaySchedule(6e-4, 6e-5, 100, 5000, "cosine");
 * lr.valueAt(99, 0);   // 6e-4, end of warm-up
 * lr.valueAt(5000, 0); // 6e-5
 * }</pre>
 */
public final class WarmupDecaySchedule implements ISchedule {

  private final double maxLr;
  private final double minLr;
  private final int warmupSteps;
  private final long decaySteps;
  private final String decay;

  public WarmupDecaySchedule(
      @JsonProperty("maxLr") double maxLr,
      @JsonProperty("minLr") double minLr,
      @JsonProperty("warmupSteps") int warmupSteps,
      @JsonProperty("decaySteps") long decaySteps,
      @JsonProperty("decay") String decay) {
    if (!(maxLr > 0) || !(minLr >= 0) || minLr > maxLr) {
      throw new IllegalArgumentException(
          "need 0 <= minLr <= maxLr and maxLr > 0, got minLr=" + minLr + " maxLr=" + maxLr);
    }
    if (warmupSteps < 0 || decaySteps < warmupSteps) {
      throw new IllegalArgumentException("need 0 <= warmupSteps <= decaySteps, got warmupSteps=" + warmupSteps
          + " decaySteps=" + decaySteps + "; shorten the warm-up or raise the step budget");
    }
    this.decay = TrainConfig.Decay.valueOf(decay.toUpperCase(Locale.ROOT)).name().toLowerCase(Locale.ROOT);
    this.maxLr = maxLr;
    this.minLr = minLr;
    this.warmupSteps = warmupSteps;
    this.decaySteps = decaySteps;
  }

  /** The schedule a configuration describes, decaying over its whole budget. */
  public static WarmupDecaySchedule of(TrainConfig cfg) {
    long total = cfg.totalSteps();
    if (cfg.warmupSteps() > total) {
      throw new IllegalArgumentException("warmup_steps=" + cfg.warmupSteps() + " exceeds the budget of " + total
          + " steps; lower warmup_steps or raise max_steps/max_tokens");
    }
    return new WarmupDecaySchedule(cfg.lr(), cfg.minLr(), cfg.warmupSteps(), total,
        cfg.decay().name().toLowerCase(Locale.ROOT));
  }

  @Override
  public double valueAt(int iteration, int epoch) {
    if (iteration < warmupSteps) {
      return maxLr * (iteration + 1) / warmupSteps;
    }
    if (decay.equals("constant")) {
      return maxLr;
    }
    if (iteration >= decaySteps) {
      return minLr;
    }
    double progress = (iteration - warmupSteps) / (double) (decaySteps - warmupSteps); // in [0, 1)
    double shape = decay.equals("cosine") ? 0.5 * (1 + Math.cos(Math.PI * progress)) : 1 - progress;
    return minLr + shape * (maxLr - minLr);
  }

  @Override
  public ISchedule clone() {
    return new WarmupDecaySchedule(maxLr, minLr, warmupSteps, decaySteps, decay);
  }

  @JsonProperty("maxLr")
  public double maxLr() {
    return maxLr;
  }

  @JsonProperty("minLr")
  public double minLr() {
    return minLr;
  }

  @JsonProperty("warmupSteps")
  public int warmupSteps() {
    return warmupSteps;
  }

  @JsonProperty("decaySteps")
  public long decaySteps() {
    return decaySteps;
  }

  @JsonProperty("decay")
  public String decay() {
    return decay;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WarmupDecaySchedule s && s.maxLr == maxLr && s.minLr == minLr
        && s.warmupSteps == warmupSteps && s.decaySteps == decaySteps && s.decay.equals(decay);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(maxLr, minLr, warmupSteps, decaySteps, decay);
  }

  @Override
  public String toString() {
    return "WarmupDecaySchedule(" + maxLr + " -> " + minLr + ", warmup " + warmupSteps + ", " + decay
        + " to step " + decaySteps + ")";
  }
}
