package dev.llmj.core.eval;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Few-shot prefixes: the item's description, then {@code shots} solved examples joined by blank lines,
 * then a blank line before the item itself. Examples come from a pool (a train or dev file, or the whole
 * task file when only some items are evaluated) or, without one, from the evaluated items; an example equal
 * to the item is never drawn. Each item's draw is seeded by the
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
    List<TaskItem> from = pool.isEmpty() ? items : pool;
    Random random = new Random(seed * 1_000_003L + index);
    // Fisher-Yates over the indices, only as far as needed: the swaps live in a map, so a draw costs O(shots)
    // however large the pool. Examples equal to the item are skipped, so a pool may be the item's own file.
    Map<Integer, Integer> swapped = new HashMap<>();
    StringBuilder sb = new StringBuilder(item.description());
    int found = 0;
    for (int i = 0; found < shots && i < from.size(); i++) {
      int j = i + random.nextInt(from.size() - i);
      int pick = swapped.getOrDefault(j, j);
      swapped.put(j, swapped.getOrDefault(i, i));
      TaskItem example = from.get(pick);
      if (!example.equals(item)) {
        sb.append(example.asShot()).append(DELIMITER);
        found++;
      }
    }
    if (found < shots) {
      throw new IllegalArgumentException(shots + " shots need " + shots + " examples besides the item, but its pool"
          + " has only " + found + "; ask for fewer shots or give a larger few-shot file");
    }
    return sb.toString();
  }
}
