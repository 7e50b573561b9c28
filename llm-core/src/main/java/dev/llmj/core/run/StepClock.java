package dev.llmj.core.run;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;

/**
 * Wall-clock time of each training step, for throughput figures and time budgets: a DL4J listener set on
 * the model's graph before training.
 *
 * <pre>{@code
 * StepClock clock = new StepClock();
 * lm.graph().setListeners(clock);
 * Trainer.builder(lm, cfg).train(data).build().run();
 * double ms = StepClock.median(clock.stepMillis(2));  // steps after two warm-up steps
 * }</pre>
 */
public final class StepClock extends BaseTrainingListener {
  private final List<Long> ends = new ArrayList<>();
  private long start;

  @Override
  public void onEpochStart(Model model) {
    if (ends.isEmpty()) {
      start = System.nanoTime();
    }
  }

  @Override
  public void iterationDone(Model model, int iteration, int epoch) {
    ends.add(System.nanoTime());
  }

  /** Milliseconds of each step after the first {@code skip}; the first step counts from the epoch's start. */
  public double[] stepMillis(int skip) {
    if (skip < 0 || skip > ends.size()) {
      throw new IllegalArgumentException("skip=" + skip + " must be in [0, " + ends.size() + "], the steps timed");
    }
    double[] out = new double[ends.size() - skip];
    long previous = skip == 0 ? start : ends.get(skip - 1);
    for (int i = skip; i < ends.size(); i++) {
      out[i - skip] = (ends.get(i) - previous) / 1e6;
      previous = ends.get(i);
    }
    return out;
  }

  /** The median of {@code v}, which must not be empty. */
  public static double median(double[] v) {
    if (v.length == 0) {
      throw new IllegalArgumentException("median of no values; time more steps than are skipped");
    }
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
