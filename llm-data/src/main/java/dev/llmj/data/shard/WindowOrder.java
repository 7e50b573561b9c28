package dev.llmj.data.shard;

import java.util.SplittableRandom;

/** The order in which one epoch visits its windows: identity, or a seeded permutation. */
final class WindowOrder {
  private WindowOrder() {}

  /**
   * A Fisher-Yates permutation of {@code 0..n-1} that depends only on (seed, epoch). The epoch is
   * spread by the golden-ratio increment before mixing so that (seed, epoch) pairs such as (1, 0)
   * and (0, 1) do not share an order, as a plain {@code seed ^ epoch} would.
   */
  static int[] shuffled(int n, long seed, int epoch) {
    SplittableRandom rnd = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (epoch + 1L)));
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }
}
