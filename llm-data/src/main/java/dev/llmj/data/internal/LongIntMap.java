package dev.llmj.data.internal;

/**
 * Open-addressing hash map from {@code long} keys to {@code int} values, 12 bytes a slot, no boxing,
 * load factor at most 1/2. Any key is allowed: free slots hold key 0, and key 0 itself is kept
 * beside the table. {@link #clear()} costs the number of entries, not the capacity, so one map can be
 * reused for documents of very different sizes.
 *
 * <pre>{@code
 * LongIntMap counts = new LongIntMap(1 << 12);
 * counts.add(hash, 1);
 * if (seen.putIfAbsent(hash, i) != LongIntMap.MISSING) { ... a repeat ... }
 * }</pre>
 *
 * <p>Internal to llmj (the hot loops of the pipeline steps and of BPE); not a supported API.
 */
public final class LongIntMap {
  /** Returned by {@link #putIfAbsent} for an absent key; do not store it as a value. */
  public static final int MISSING = Integer.MIN_VALUE;

  /** Fibonacci hashing: the top bits of key * 2^64/phi spread keys that differ only in low or high bits. */
  private static final long PHI = 0x9E3779B97F4A7C15L;

  private long[] keys;
  private int[] values;
  /** Slots in use, so that clear() costs the size, not the capacity. */
  private int[] filled;
  private int used;
  private int mask;
  private int shift;
  private boolean hasZero;
  private int zeroValue;

  /** A map that holds {@code expected} entries before it grows. */
  public LongIntMap(int expected) {
    if (expected < 0 || expected > 1 << 29) {
      throw new IllegalArgumentException("expected size must be in [0, 2^29], got " + expected);
    }
    allocate(Integer.highestOneBit(Math.max(8, expected * 2 - 1)) << 1);
  }

  public int size() {
    return used + (hasZero ? 1 : 0);
  }

  /** The value for {@code key}, or {@code absent}. */
  public int getOrDefault(long key, int absent) {
    if (key == 0) {
      return hasZero ? zeroValue : absent;
    }
    for (int i = slot(key); ; i = (i + 1) & mask) {
      long k = keys[i];
      if (k == key) {
        return values[i];
      }
      if (k == 0) {
        return absent;
      }
    }
  }

  /** Puts the value if the key is absent; returns the value already there, or {@link #MISSING}. */
  public int putIfAbsent(long key, int value) {
    if (key == 0) {
      if (hasZero) {
        return zeroValue;
      }
      hasZero = true;
      zeroValue = value;
      return MISSING;
    }
    int i = slot(key);
    for (long k; (k = keys[i]) != 0; i = (i + 1) & mask) {
      if (k == key) {
        return values[i];
      }
    }
    insert(i, key, value);
    return MISSING;
  }

  /** Adds {@code delta} to the value (absent counts as 0) and returns the new value. */
  public int add(long key, int delta) {
    if (key == 0) {
      zeroValue = hasZero ? zeroValue + delta : delta;
      hasZero = true;
      return zeroValue;
    }
    int i = slot(key);
    for (long k; (k = keys[i]) != 0; i = (i + 1) & mask) {
      if (k == key) {
        return values[i] += delta;
      }
    }
    insert(i, key, delta);
    return delta;
  }

  public void clear() {
    for (int j = 0; j < used; j++) {
      keys[filled[j]] = 0;
    }
    used = 0;
    hasZero = false;
  }

  private int slot(long key) {
    return (int) ((key * PHI) >>> shift);
  }

  private void insert(int i, long key, int value) {
    keys[i] = key;
    values[i] = value;
    filled[used] = i;
    if (++used * 2 > keys.length) {
      grow();
    }
  }

  private void allocate(int capacity) {
    keys = new long[capacity];
    values = new int[capacity];
    filled = new int[capacity / 2 + 1];
    mask = capacity - 1;
    shift = 64 - Integer.numberOfTrailingZeros(capacity);
  }

  /** Walks the old table in slot order: sequential reads beat following the insertion list. */
  private void grow() {
    long[] oldKeys = keys;
    int[] oldValues = values;
    int n = 0;
    allocate(oldKeys.length * 2);
    for (int from = 0; from < oldKeys.length; from++) {
      long key = oldKeys[from];
      if (key != 0) {
        int i = slot(key);
        while (keys[i] != 0) {
          i = (i + 1) & mask;
        }
        keys[i] = key;
        values[i] = oldValues[from];
        filled[n++] = i;
      }
    }
  }
}
