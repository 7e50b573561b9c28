package dev.llmj.data.pipeline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What became of each input document during an indexing pass: which step dropped it and why, or
 * that it reached the indexed step. The final pass reads the input again in the same order, so it
 * can replay these verdicts instead of recomputing them. 4 bytes a document.
 */
final class Fates {
  /** Steps beyond this index are not recorded; a pipeline this long is not worth replaying. */
  static final int MAX_STEPS = 255;

  private int[] fate = new int[1 << 12]; // 0: reached the indexed step; else (step + 1) | reason << 8
  private int size;
  private final List<String> reasons = new ArrayList<>();
  private final Map<String, Integer> reasonIds = new HashMap<>();

  /** Records that document {@code ordinal} (0-based, in input order) got through. */
  void reached(long ordinal) {
    set(ordinal, 0);
  }

  void dropped(long ordinal, int step, String reason) {
    Integer id = reasonIds.get(reason);
    if (id == null) {
      id = reasons.size();
      if (id >= 1 << 23) throw new IllegalStateException("more than 2^23 distinct drop reasons; reasons must be short labels");
      reasons.add(reason);
      reasonIds.put(reason, id);
    }
    set(ordinal, (step + 1) | id << 8);
  }

  private void set(long ordinal, int value) {
    if (ordinal != size) throw new IllegalStateException("fate of document " + ordinal + " recorded out of order (expected " + size + ")");
    if (size == Integer.MAX_VALUE - 8) throw new IllegalStateException("more than 2^31 documents in one pipeline run");
    if (size == fate.length) fate = Arrays.copyOf(fate, (int) Math.min(Integer.MAX_VALUE - 8L, size * 2L));
    fate[size++] = value;
  }

  int size() {
    return size;
  }

  /** The step that dropped document {@code ordinal}, or -1 when it reached the indexed step. */
  int dropStep(long ordinal) {
    return (fate[check(ordinal)] & 0xff) - 1;
  }

  /** Why document {@code ordinal} was dropped; only when {@link #dropStep} is not -1. */
  String reason(long ordinal) {
    return reasons.get(fate[check(ordinal)] >>> 8);
  }

  private int check(long ordinal) {
    if (ordinal >= size) {
      throw new IllegalStateException("document " + ordinal + " was not seen by the indexing pass (" + size
          + " documents); the input changed between passes");
    }
    return (int) ordinal;
  }
}
