package dev.llmj.data.pipeline;

import java.util.Arrays;

/**
 * Disjoint sets over the ordinals 0, 1, 2, ... whose representative is always the smallest member:
 * the document that comes first in input order survives its cluster.
 */
final class UnionFind {
  private int[] parent = new int[1 << 12];
  private int size;

  /** Adds the next ordinal as a set of its own and returns it. */
  int add() {
    if (size == parent.length) parent = Arrays.copyOf(parent, size * 2);
    parent[size] = size;
    return size++;
  }

  int size() {
    return size;
  }

  /** The smallest member of the set of {@code i}. */
  int find(int i) {
    while (parent[i] != i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  }

  void union(int a, int b) {
    int ra = find(a);
    int rb = find(b);
    if (ra == rb) return;
    if (ra < rb) parent[rb] = ra;
    else parent[ra] = rb;
  }
}
