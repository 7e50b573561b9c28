package dev.llmj.data.tokenizer;

import java.util.Arrays;

/** A growable {@code int[]}; avoids boxing on the encode and train hot paths. */
final class IntList {
  private int[] a;
  private int size;

  IntList(int capacity) {
    a = new int[Math.max(4, capacity)];
  }

  void add(int v) {
    if (size == a.length) {
      a = Arrays.copyOf(a, a.length * 2);
    }
    a[size++] = v;
  }

  void addAll(int[] v) {
    ensure(size + v.length);
    System.arraycopy(v, 0, a, size, v.length);
    size += v.length;
  }

  void ensure(int capacity) {
    if (capacity > a.length) {
      a = Arrays.copyOf(a, Math.max(capacity, a.length * 2));
    }
  }

  int get(int i) {
    return a[i];
  }

  void set(int i, int v) {
    a[i] = v;
  }

  int size() {
    return size;
  }

  void clear() {
    size = 0;
  }

  /** A copy of the elements from index {@code from} on. */
  int[] copyFrom(int from) {
    return Arrays.copyOfRange(a, from, size);
  }

  int[] toArray() {
    return Arrays.copyOf(a, size);
  }
}
