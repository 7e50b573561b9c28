package dev.llmj.data.pipeline;

/**
 * Open-addressing map from long keys to int values, 12 bytes a slot, no boxing. Keys are expected
 * to be well-mixed hashes; the load factor stays at or below 1/2.
 */
final class LongIntMap {
  static final int MISSING = Integer.MIN_VALUE;

  private long[] keys;
  private int[] values;
  private boolean[] used;
  private int size;
  private int mask;
  /** Slots in use, so that clear() costs the size, not the capacity. */
  private int[] filled;

  LongIntMap(int expected) {
    int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
    keys = new long[cap];
    values = new int[cap];
    used = new boolean[cap];
    filled = new int[cap / 2 + 1];
    mask = cap - 1;
  }

  int size() {
    return size;
  }

  int get(long key) {
    for (int i = slot(key); used[i]; i = (i + 1) & mask) {
      if (keys[i] == key) return values[i];
    }
    return MISSING;
  }

  /** Puts the value if the key is absent; returns the old value or {@link #MISSING}. */
  int putIfAbsent(long key, int value) {
    int i = slot(key);
    for (; used[i]; i = (i + 1) & mask) {
      if (keys[i] == key) return values[i];
    }
    used[i] = true;
    keys[i] = key;
    values[i] = value;
    filled[size] = i;
    if (++size * 2 > keys.length) grow();
    return MISSING;
  }

  /** Adds {@code delta} to the value (absent counts as 0) and returns the new value. */
  int add(long key, int delta) {
    int i = slot(key);
    for (; used[i]; i = (i + 1) & mask) {
      if (keys[i] == key) return values[i] += delta;
    }
    used[i] = true;
    keys[i] = key;
    values[i] = delta;
    filled[size] = i;
    if (++size * 2 > keys.length) grow();
    return delta;
  }

  void clear() {
    for (int j = 0; j < size; j++) used[filled[j]] = false;
    size = 0;
  }

  private int slot(long key) {
    return (int) (key ^ (key >>> 32)) & mask;
  }

  private void grow() {
    long[] k = keys;
    int[] v = values;
    boolean[] u = used;
    keys = new long[k.length * 2];
    values = new int[k.length * 2];
    used = new boolean[k.length * 2];
    filled = new int[k.length + 1];
    mask = keys.length - 1;
    size = 0;
    for (int i = 0; i < k.length; i++) {
      if (u[i]) putIfAbsent(k[i], v[i]);
    }
  }
}
