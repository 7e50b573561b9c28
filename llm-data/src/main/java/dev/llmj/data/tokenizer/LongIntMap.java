package dev.llmj.data.tokenizer;

import java.util.Arrays;

/**
 * Open-addressing hash map from non-negative {@code long} keys to {@code int} values. Token pairs
 * are packed as {@code left << 32 | right}, so merge lookups and pair counting never box.
 */
final class LongIntMap {
  private static final long EMPTY = -1L;

  private long[] keys;
  private int[] values;
  private int mask;
  private int size;

  LongIntMap(int expected) {
    int cap = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1;
    keys = new long[cap];
    Arrays.fill(keys, EMPTY);
    values = new int[cap];
    mask = cap - 1;
  }

  static long pair(int left, int right) {
    return ((long) left << 32) | (right & 0xFFFFFFFFL);
  }

  static int left(long pair) {
    return (int) (pair >>> 32);
  }

  static int right(long pair) {
    return (int) pair;
  }

  private static int slot(long key, int mask) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 29)) & mask;
  }

  /** The slot holding {@code key}, or the empty slot where it would go. */
  private int find(long key) {
    int i = slot(key, mask);
    while (keys[i] != key && keys[i] != EMPTY) {
      i = (i + 1) & mask;
    }
    return i;
  }

  /** The value for {@code key}, or {@code missing} when absent. */
  int get(long key, int missing) {
    int i = find(key);
    return keys[i] == key ? values[i] : missing;
  }

  /** Stores the value unless the key is present; returns the value now stored. */
  int putIfAbsent(long key, int value) {
    if (key < 0) {
      throw new IllegalArgumentException("negative key " + key);
    }
    int i = find(key);
    if (keys[i] == key) {
      return values[i];
    }
    keys[i] = key;
    values[i] = value;
    if (++size * 2 > keys.length) {
      grow();
    }
    return value;
  }

  int size() {
    return size;
  }

  private void grow() {
    long[] oldKeys = keys;
    int[] oldValues = values;
    keys = new long[oldKeys.length * 2];
    Arrays.fill(keys, EMPTY);
    values = new int[keys.length];
    mask = keys.length - 1;
    for (int j = 0; j < oldKeys.length; j++) {
      if (oldKeys[j] != EMPTY) {
        int i = slot(oldKeys[j], mask);
        while (keys[i] != EMPTY) {
          i = (i + 1) & mask;
        }
        keys[i] = oldKeys[j];
        values[i] = oldValues[j];
      }
    }
  }
}
