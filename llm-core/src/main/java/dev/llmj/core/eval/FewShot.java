package dev.llmj.core.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Few-shot prefixes: the item's description, then {@code shots} solved examples joined by blank lines,
 * then a blank line before the item itself. Examples come from a separate pool (a train or dev file) or,
 * without one, from the evaluated items themselves excluding the item. Each item's draw is seeded by the
 * seed and the item's index, so a run with {@code --limit} draws the same examples for the items it keeps.
 *
 * <pre>{@code
 * FewShot five = new FewShot(5, devItems, 1234);
 * String prefix = five.prefix(items, 7);     // description + 5 examples + "\n\n"
 * }</pre>
 *
 * @param shots examples per item, 0 for zero-shot
 * @param pool where examples come from; null or empty means the evaluated items
 * @param seed seed of the draws
 */
public record FewShot(int shots, List<TaskItem> pool, long seed) {

  /** Between examples and before the item, as the harness's {@code fewshot_delimiter}. */
  public static final String DELIMITER = "\n\n";

  public FewShot {
    if (shots < 0) {
      throw new IllegalArgumentException("shots must be 0 or more, got " + shots);
    }
    pool = pool == null ? List.of() : List.copyOf(pool);
  }

  public static FewShot zeroShot() {
    return new FewShot(0, List.of(), 0);
  }

  /**
   * The text placed before {@code items.get(index).context(choice)}.
   *
   * @throws IllegalArgumentException when the pool has fewer examples than shots
   */
  public String prefix(List<TaskItem> items, int index) {
    TaskItem item = items.get(index);
    if (shots == 0) {
      return item.description();
    }
    boolean own = pool.isEmpty();
    List<TaskItem> from = own ? items : pool;
    int available = from.size() - (own ? 1 : 0);
    if (available < shots) {
      throw new IllegalArgumentException(shots + " shots need " + shots + " examples besides the item, but the "
          + (own ? "task file" : "few-shot file") + " has " + available + "; lower --shots or give a larger file");
    }
    Random random = new Random(seed * 1_000_003L + index);
    List<Integer> picked = new ArrayList<>(shots);
    // Partial Fisher-Yates over indices, skipping the item itself.
    int[] idx = new int[from.size()];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = i;
    }
    for (int i = 0; picked.size() < shots; i++) {
      int j = i + random.nextInt(idx.length - i);
      int tmp = idx[i];
      idx[i] = idx[j];
      idx[j] = tmp;
      if (!(own && idx[i] == index)) {
        picked.add(idx[i]);
      }
    }
    StringBuilder sb = new StringBuilder(item.description());
    for (int p : picked) {
      sb.append(from.get(p).asShot()).append(DELIMITER);
    }
    return sb.toString();
  }
}
