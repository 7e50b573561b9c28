package dev.llmj.examples.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;

/** Wall-clock time of each training step, for throughput figures and time budgets. */
final class StepClock extends BaseTrainingListener {
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

  /** Milliseconds of each step after the first {@code skip}. */
  double[] stepMillis(int skip) {
    double[] out = new double[ends.size() - skip];
    long previous = skip == 0 ? start : ends.get(skip - 1);
    for (int i = skip; i < ends.size(); i++) {
      out[i - skip] = (ends.get(i) - previous) / 1e6;
      previous = ends.get(i);
    }
    return out;
  }

  static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
