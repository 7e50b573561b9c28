package dev.llmj.data.tokenizer;

import dev.llmj.data.internal.LongIntMap;

/**
 * Ranked BPE merges over token ids, and the merge loop both BPE models share: start from the
 * initial symbols of a piece and repeatedly apply the lowest-ranked merge present, leftmost first,
 * which is what GPT-2's {@code bpe()}, tiktoken and Hugging Face's BPE compute.
 *
 * <p>A merge's priority is its rank unless given: tiktoken's rank files rank the merged token,
 * not the pair, so every pair that spells one token shares that token's priority (and the leftmost
 * of equal priorities merges first, as tiktoken does).
 *
 * <p>Pieces up to {@value #SHORT} symbols use an array scan (fewest memory touches for typical
 * words); longer ones a heap over a linked list, so a 100k-character word stays O(n log n).
 */
final class MergeTable {
  static final int SHORT = 64;
  private static final int NONE = Integer.MAX_VALUE;

  private final int[] mergeLeft;
  private final int[] mergeRight;
  private final int[] mergeResult;
  /** The merged token by priority, the value {@link #rankOfPair} gives. */
  private final int[] resultOfPriority;
  private final LongIntMap rankOfPair;

  /**
   * @param mergeLeft left id of each merge, in rank order; {@code mergeRight}, {@code mergeResult} likewise.
   *     A pair listed twice takes its last rank, as both GPT-2's {@code bpe()} (a Python dict) and
   *     Hugging Face's loader (a hash map filled in order) do.
   */
  MergeTable(int[] mergeLeft, int[] mergeRight, int[] mergeResult) {
    this(mergeLeft, mergeRight, mergeResult, null);
  }

  /**
   * @param priority of each merge (lower merges first), in non-decreasing order; merges of equal
   *     priority must produce the same token; {@code null} for the rank itself
   */
  MergeTable(int[] mergeLeft, int[] mergeRight, int[] mergeResult, int[] priority) {
    this.mergeLeft = mergeLeft;
    this.mergeRight = mergeRight;
    this.mergeResult = mergeResult;
    rankOfPair = new LongIntMap(mergeLeft.length);
    if (priority == null) {
      resultOfPriority = mergeResult;
      for (int r = mergeLeft.length - 1; r >= 0; r--) {
        rankOfPair.putIfAbsent(TokenPair.pair(mergeLeft[r], mergeRight[r]), r);
      }
      return;
    }
    int max = priority.length == 0 ? -1 : priority[priority.length - 1];
    resultOfPriority = new int[max + 1];
    java.util.Arrays.fill(resultOfPriority, -1);
    for (int r = 0; r < mergeLeft.length; r++) {
      int p = priority[r];
      if (p < 0 || (r > 0 && p < priority[r - 1])) {
        throw new IllegalArgumentException("merge priorities must be non-negative and sorted; merge " + r
            + " has priority " + p + (r > 0 ? " after " + priority[r - 1] : ""));
      }
      if (resultOfPriority[p] >= 0 && resultOfPriority[p] != mergeResult[r]) {
        throw new IllegalArgumentException("merges of priority " + p + " produce both token "
            + resultOfPriority[p] + " and token " + mergeResult[r] + "; one priority, one token");
      }
      resultOfPriority[p] = mergeResult[r];
      rankOfPair.putIfAbsent(TokenPair.pair(mergeLeft[r], mergeRight[r]), p);
    }
  }

  int size() {
    return mergeLeft.length;
  }

  int left(int rank) {
    return mergeLeft[rank];
  }

  int right(int rank) {
    return mergeRight[rank];
  }

  private int rank(int left, int right) {
    return rankOfPair.getOrDefault(TokenPair.pair(left, right), NONE);
  }

  /** Per-thread buffers, reused across pieces to keep the encode loop allocation-free. */
  static final class Scratch {
    byte[] bytes = new byte[256];
    int[] ids = new int[256];
    int[] ranks = new int[256];
    int[] next = new int[0];
    int[] prev = new int[0];
    final LongHeap heap = new LongHeap();

    byte[] bytes(int n) {
      if (bytes.length < n) {
        bytes = new byte[Math.max(n, bytes.length * 2)];
      }
      return bytes;
    }

    /** The symbol buffer, grown (contents kept) to hold {@code n} ids. */
    int[] ids(int n) {
      if (ids.length < n) {
        ids = java.util.Arrays.copyOf(ids, Math.max(n, ids.length * 2));
        ranks = new int[ids.length];
      }
      return ids;
    }
  }

  /** Merges the symbols {@code s.ids[0, n)} and appends the resulting ids to {@code out}. */
  void merge(int n, IntList out, Scratch s) {
    if (n <= SHORT) {
      mergeShort(n, out, s);
    } else {
      mergeLong(n, out, s);
    }
  }

  void mergeShort(int n, IntList out, Scratch s) {
    int[] ids = s.ids;
    int[] ranks = s.ranks;
    for (int i = 0; i < n - 1; i++) {
      ranks[i] = rank(ids[i], ids[i + 1]);
    }
    while (n > 1) {
      int best = NONE;
      int at = -1;
      for (int i = 0; i < n - 1; i++) {
        if (ranks[i] < best) {
          best = ranks[i];
          at = i;
        }
      }
      if (at < 0) {
        break;
      }
      ids[at] = resultOfPriority[best];
      System.arraycopy(ids, at + 2, ids, at + 1, n - at - 2);
      System.arraycopy(ranks, at + 2, ranks, at + 1, Math.max(0, n - at - 3));
      n--;
      if (at > 0) {
        ranks[at - 1] = rank(ids[at - 1], ids[at]);
      }
      if (at < n - 1) {
        ranks[at] = rank(ids[at], ids[at + 1]);
      }
    }
    out.ensure(out.size() + n);
    for (int i = 0; i < n; i++) {
      out.add(ids[i]);
    }
  }

  void mergeLong(int n, IntList out, Scratch s) {
    if (n == 0) {
      return;
    }
    if (s.next.length < n) {
      s.next = new int[s.ids.length];
      s.prev = new int[s.ids.length];
    }
    int[] ids = s.ids;
    int[] ranks = s.ranks;
    int[] next = s.next;
    int[] prev = s.prev;
    LongHeap heap = s.heap;
    heap.clear();
    for (int i = 0; i < n; i++) {
      next[i] = i + 1;
      prev[i] = i - 1;
    }
    for (int i = 0; i < n - 1; i++) {
      ranks[i] = rank(ids[i], ids[i + 1]);
      if (ranks[i] != NONE) {
        heap.push(((long) ranks[i] << 32) | i);
      }
    }
    ranks[n - 1] = NONE;
    while (!heap.isEmpty()) {
      long e = heap.pop();
      int r = (int) (e >>> 32);
      int p = (int) e;
      if (ranks[p] != r) {
        continue; // stale: the pair at p changed after this entry was pushed
      }
      int q = next[p];
      ids[p] = resultOfPriority[r];
      ranks[q] = NONE;
      ids[q] = -1;
      int after = next[q];
      next[p] = after;
      if (after < n) {
        prev[after] = p;
        ranks[p] = rank(ids[p], ids[after]);
        if (ranks[p] != NONE) {
          heap.push(((long) ranks[p] << 32) | p);
        }
      } else {
        ranks[p] = NONE;
      }
      int before = prev[p];
      if (before >= 0) {
        ranks[before] = rank(ids[before], ids[p]);
        if (ranks[before] != NONE) {
          heap.push(((long) ranks[before] << 32) | before);
        }
      }
    }
    for (int i = 0; i < n; i = next[i]) {
      out.add(ids[i]);
    }
  }
}
