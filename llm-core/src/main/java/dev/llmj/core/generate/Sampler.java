package dev.llmj.core.generate;

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
    int keep = config.topK() > 0 ? Math.min(config.topK(), z.length) : z.length;
    int[] order = ranked(z, keep);
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

  /**
   * The ids of the {@code keep} largest values of {@code z}, largest first, ties to the lower id: a
   * bounded heap over primitive ids, O(V log keep) with no boxing (a sort of boxed ids over GPT-2's
   * 50,257 entries cost more than a forward pass of a small model, for every token).
   */
  static int[] ranked(double[] z, int keep) {
    int[] heap = new int[keep]; // the worst kept id at the root
    int size = 0;
    for (int id = 0; id < z.length; id++) {
      if (size < keep) {
        heap[size] = id;
        siftUp(heap, size++, z);
      } else if (before(id, heap[0], z)) {
        heap[0] = id;
        siftDown(heap, size, z);
      }
    }
    int[] out = new int[size];
    for (int i = size - 1; i >= 0; i--) { // popping the worst first fills the result from the back
      out[i] = heap[0];
      heap[0] = heap[--size];
      siftDown(heap, size, z);
    }
    return out;
  }

  /** True when id {@code a} ranks before id {@code b}: larger value, or the same value and a lower id. */
  private static boolean before(int a, int b, double[] z) {
    return z[a] != z[b] ? z[a] > z[b] : a < b;
  }

  private static void siftUp(int[] heap, int i, double[] z) {
    int id = heap[i];
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (!before(heap[parent], id, z)) {
        break;
      }
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = id;
  }

  private static void siftDown(int[] heap, int size, double[] z) {
    if (size == 0) {
      return;
    }
    int id = heap[0];
    int i = 0;
    while (true) {
      int child = 2 * i + 1;
      if (child >= size) {
        break;
      }
      if (child + 1 < size && before(heap[child], heap[child + 1], z)) {
        child++; // the worse of the two children
      }
      if (!before(id, heap[child], z)) {
        break;
      }
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = id;
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
