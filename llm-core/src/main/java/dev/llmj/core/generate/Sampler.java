package dev.llmj.core.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Turns one row of logits into a token: repetition penalty, temperature, top-k, top-p, then a draw
 * (or the argmax when the temperature is 0). Ties in the argmax go to the lowest id.
 */
public final class Sampler {

  private final GenerationConfig config;
  private final SplittableRandom random;

  public Sampler(GenerationConfig config) {
    this.config = config;
    this.random = new SplittableRandom(config.seed());
  }

  /** Picks the next token from {@code logits} (V), given the tokens of the sequence so far. */
  public int next(float[] logits, int[] history, int historyLength) {
    double[] z = new double[logits.length];
    for (int i = 0; i < z.length; i++) {
      z[i] = logits[i];
    }
    if (config.repetitionPenalty() != 1) {
      boolean[] seen = new boolean[z.length];
      for (int i = 0; i < historyLength; i++) {
        int t = history[i];
        if (t >= 0 && t < z.length && !seen[t]) {
          seen[t] = true;
          z[t] = z[t] > 0 ? z[t] / config.repetitionPenalty() : z[t] * config.repetitionPenalty();
        }
      }
    }
    if (config.temperature() == 0) {
      return argmax(z);
    }
    Integer[] order = new Integer[z.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> z[a] != z[b] ? Double.compare(z[b], z[a]) : Integer.compare(a, b));
    int keep = config.topK() > 0 ? Math.min(config.topK(), z.length) : z.length;
    double max = z[order[0]];
    double[] p = new double[keep];
    double sum = 0;
    for (int i = 0; i < keep; i++) {
      p[i] = Math.exp((z[order[i]] - max) / config.temperature());
      sum += p[i];
    }
    if (config.topP() < 1) {
      double cumulative = 0;
      int cut = keep;
      for (int i = 0; i < keep; i++) {
        cumulative += p[i] / sum;
        if (cumulative >= config.topP()) {
          cut = i + 1;
          break;
        }
      }
      keep = cut;
      sum = 0;
      for (int i = 0; i < keep; i++) {
        sum += p[i];
      }
    }
    double u = random.nextDouble() * sum;
    for (int i = 0; i < keep; i++) {
      u -= p[i];
      if (u < 0) {
        return order[i];
      }
    }
    return order[keep - 1];
  }

  static int argmax(double[] z) {
    int best = 0;
    for (int i = 1; i < z.length; i++) {
      if (z[i] > z[best]) {
        best = i;
      }
    }
    return best;
  }
}
