package dev.llmj.data.tokenizer;

import dev.llmj.data.internal.LongIntMap;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The merge loop of BPE training, incremental as in Hugging Face's trainer: each pair keeps its
 * count and the words it occurs in, so a merge touches only those words, and a priority queue with
 * lazy deletion finds the best pair (a popped entry whose count is out of date is pushed back with
 * the current count).
 *
 * <p>The best pair is the most frequent; ties go to the pair whose left token's bytes are
 * lexicographically smallest (unsigned), then the right token's. Counts are sums, so the merges
 * do not depend on the order words were counted in, nor on the thread count.
 */
final class PairMerger {
  private final int[][] words;
  private final int[] lengths;
  private final long[] wordCounts;

  private final List<byte[]> tokens = new ArrayList<>();
  private final Map<String, Integer> idOfBytes = new HashMap<>();
  private final IntList mergeLeft = new IntList(1024);
  private final IntList mergeRight = new IntList(1024);
  private final IntList mergeResult = new IntList(1024);

  private final LongIntMap slotOfPair = new LongIntMap(1 << 16);
  private long[] pairs = new long[1 << 16];
  private long[] pairCounts = new long[1 << 16];
  private int[][] pairWords = new int[1 << 16][];
  private int[] pairWordCount = new int[1 << 16];
  private int slots;

  private record Entry(long count, int slot) {}

  private final PriorityQueue<Entry> queue = new PriorityQueue<>(this::compare);

  /** The 256 single bytes, the alphabet of byte-level BPE. */
  static List<byte[]> bytes() {
    List<byte[]> out = new ArrayList<>(256);
    for (int b = 0; b < 256; b++) {
      out.add(new byte[] {(byte) b});
    }
    return out;
  }

  /**
   * @param alphabet the initial tokens (ids in this order), distinct byte strings
   * @param words each word as alphabet ids; @param counts occurrences of each word
   */
  PairMerger(List<byte[]> alphabet, int[][] words, long[] counts) {
    this.words = words;
    this.wordCounts = counts;
    this.lengths = new int[words.length];
    for (byte[] token : alphabet) {
      addToken(token);
    }
    for (int w = 0; w < words.length; w++) {
      lengths[w] = words[w].length;
      for (int i = 0; i + 1 < lengths[w]; i++) {
        int s = slot(words[w][i], words[w][i + 1]);
        pairCounts[s] += counts[w];
        addWord(s, w);
      }
    }
    List<Entry> initial = new ArrayList<>(slots);
    for (int s = 0; s < slots; s++) {
      initial.add(new Entry(pairCounts[s], s));
    }
    queue.addAll(initial);
  }

  private int compare(Entry x, Entry y) {
    if (x.count != y.count) {
      return Long.compare(y.count, x.count);
    }
    long px = pairs[x.slot];
    long py = pairs[y.slot];
    int c = Arrays.compareUnsigned(tokens.get(TokenPair.left(px)), tokens.get(TokenPair.left(py)));
    return c != 0 ? c
        : Arrays.compareUnsigned(tokens.get(TokenPair.right(px)), tokens.get(TokenPair.right(py)));
  }

  private int addToken(byte[] bytes) {
    // ISO-8859-1 maps bytes to chars one to one: a cheap hashable key for byte strings.
    return idOfBytes.computeIfAbsent(new String(bytes, StandardCharsets.ISO_8859_1), k -> {
      tokens.add(bytes);
      return tokens.size() - 1;
    });
  }

  private int slot(int left, int right) {
    long key = TokenPair.pair(left, right);
    int s = slotOfPair.putIfAbsent(key, slots);
    if (s == LongIntMap.MISSING) {
      s = slots;
      if (slots == pairs.length) {
        int n = slots * 2;
        pairs = Arrays.copyOf(pairs, n);
        pairCounts = Arrays.copyOf(pairCounts, n);
        pairWords = Arrays.copyOf(pairWords, n);
        pairWordCount = Arrays.copyOf(pairWordCount, n);
      }
      pairs[s] = key;
      slots++;
    }
    return s;
  }

  private void addWord(int s, int w) {
    int n = pairWordCount[s];
    int[] list = pairWords[s];
    if (n > 0 && list[n - 1] == w) {
      return; // words are added in increasing order within a pass, so this catches repeats
    }
    if (list == null) {
      list = pairWords[s] = new int[4];
    } else if (n == list.length) {
      list = pairWords[s] = Arrays.copyOf(list, n * 2);
    }
    list[n] = w;
    pairWordCount[s] = n + 1;
  }

  /**
   * Merges until there are {@code maxTokens} distinct tokens, no pair is left, or the best pair
   * occurs fewer than {@code minFrequency} times.
   */
  void run(int maxTokens, long minFrequency) {
    IntList touched = new IntList(256);
    boolean[] isTouched = new boolean[0];
    while (tokens.size() < maxTokens && !queue.isEmpty()) {
      Entry top = queue.poll();
      long current = pairCounts[top.slot];
      if (top.count != current) {
        if (current > 0) {
          queue.add(new Entry(current, top.slot));
        }
        continue;
      }
      if (current < minFrequency) {
        break;
      }
      int s = top.slot;
      int a = TokenPair.left(pairs[s]);
      int b = TokenPair.right(pairs[s]);
      byte[] ab = Arrays.copyOf(tokens.get(a), tokens.get(a).length + tokens.get(b).length);
      System.arraycopy(tokens.get(b), 0, ab, tokens.get(a).length, tokens.get(b).length);
      int c = addToken(ab);
      mergeLeft.add(a);
      mergeRight.add(b);
      mergeResult.add(c);

      int[] affected = pairWords[s];
      int affectedCount = pairWordCount[s];
      pairWords[s] = null;
      pairWordCount[s] = 0;
      touched.clear();
      for (int k = 0; k < affectedCount; k++) {
        int w = affected[k];
        if (!mergeWord(w, a, b, c)) {
          continue; // the pair left this word through an earlier merge
        }
        int[] sym = words[w];
        for (int i = 0; i + 1 < lengths[w]; i++) {
          if (sym[i] == c || sym[i + 1] == c) {
            int p = slot(sym[i], sym[i + 1]);
            addWord(p, w);
            if (p >= isTouched.length) {
              isTouched = Arrays.copyOf(isTouched, Math.max(p + 1, isTouched.length * 2));
            }
            if (!isTouched[p]) {
              isTouched[p] = true;
              touched.add(p);
            }
          }
        }
      }
      for (int i = 0; i < touched.size(); i++) {
        int p = touched.get(i);
        isTouched[p] = false;
        if (pairCounts[p] > 0) {
          queue.add(new Entry(pairCounts[p], p));
        }
      }
    }
  }

  /**
   * Replaces each {@code (a, b)} in word {@code w} by {@code c}, left to right, and moves the
   * word's pair counts from the old spelling to the new one.
   */
  private boolean mergeWord(int w, int a, int b, int c) {
    int[] sym = words[w];
    int n = lengths[w];
    int first = -1;
    for (int i = 0; i + 1 < n; i++) {
      if (sym[i] == a && sym[i + 1] == b) {
        first = i;
        break;
      }
    }
    if (first < 0) {
      return false;
    }
    long count = wordCounts[w];
    for (int i = 0; i + 1 < n; i++) {
      pairCounts[slot(sym[i], sym[i + 1])] -= count;
    }
    int out = first;
    for (int i = first; i < n; i++) {
      if (i + 1 < n && sym[i] == a && sym[i + 1] == b) {
        sym[out++] = c;
        i++;
      } else {
        sym[out++] = sym[i];
      }
    }
    lengths[w] = out;
    for (int i = 0; i + 1 < out; i++) {
      pairCounts[slot(sym[i], sym[i + 1])] += count;
    }
    return true;
  }

  List<byte[]> tokens() {
    return tokens;
  }

  int[] mergeLeft() {
    return mergeLeft.toArray();
  }

  int[] mergeRight() {
    return mergeRight.toArray();
  }

  int[] mergeResult() {
    return mergeResult.toArray();
  }
}
