package dev.llmj.data.pipeline;

import dev.llmj.data.Document;
import java.util.Map;

/**
 * Drops a document whose normalised text (lower-cased, whitespace runs collapsed) hashes like an
 * earlier one. The first occurrence survives.
 */
final class ExactDedupStep implements KeyedStep {
  static final String REASON = "exact_duplicate";
  private final ExactDedupConfig config;
  private HashSet128 seen;
  private long unchecked;

  ExactDedupStep(ExactDedupConfig config) {
    this.config = config;
  }

  @Override
  public String name() {
    return "exact_dedup";
  }

  @Override
  public void startPass() {
    seen = new HashSet128(1 << 12);
    unchecked = 0;
  }

  /** The text's hash, {@code long[] {lo, hi}} ({@code hi} is 0 for 64-bit hashes). */
  @Override
  public long[] key(Document doc) {
    Hashing.Hasher h = hash(doc.text(), config.seed());
    return new long[] {h.lo, config.hashBits() == 128 ? h.hi : 0};
  }

  @Override
  public Verdict apply(Document doc, Object key) {
    if (seen == null) startPass();
    long[] h = (long[]) key;
    if (seen.contains(h[0], h[1])) return Verdict.drop(REASON);
    if (seen.size() >= config.maxDocuments()) {
      unchecked++;
    } else {
      seen.add(h[0], h[1]);
    }
    return Verdict.keep(doc);
  }

  /** Hash of the text with case and whitespace differences removed. */
  static Hashing.Hasher hash(String t, long seed) {
    char[] chars = Words.charsOf(t);
    int n = t.length();
    // Folded in place into a scratch array first (whitespace runs to one space, lower case), then
    // hashed block-wise: the same chars in the same order as adding them one by one.
    char[][] folded = FOLDED.get();
    char[] out = folded[0] = Words.fit(folded[0], n); // a text never folds longer
    int m = 0;
    boolean space = false;
    for (int i = 0; i < n; i++) {
      char c = chars[i];
      if (Words.isSpace(c)) {
        space = true;
        continue;
      }
      if (space && m > 0) out[m++] = ' ';
      space = false;
      out[m++] = Words.lower(c);
    }
    Hashing.Hasher h = new Hashing.Hasher(seed).addAll(out, 0, m);
    h.finish();
    return h;
  }

  private static final ThreadLocal<char[][]> FOLDED = ThreadLocal.withInitial(() -> new char[][] {new char[1024]});

  @Override
  public Map<String, Long> counters() {
    return counters(seen == null ? 0L : seen.size(), unchecked);
  }

  static Map<String, Long> counters(long distinct, long unchecked) {
    return Map.of("distinct", distinct, "unchecked_table_full", unchecked);
  }

  long maxDocuments() {
    return config.maxDocuments();
  }

  /** Open-addressing set of 128-bit values; 17 bytes a slot, load at most 1/2. */
  static final class HashSet128 {
    private long[] lo;
    private long[] hi;
    private boolean[] used;
    private int size;

    HashSet128(int capacity) {
      lo = new long[capacity];
      hi = new long[capacity];
      used = new boolean[capacity];
    }

    int size() {
      return size;
    }

    boolean contains(long a, long b) {
      int mask = lo.length - 1;
      for (int i = (int) a & mask; used[i]; i = (i + 1) & mask) {
        if (lo[i] == a && hi[i] == b) return true;
      }
      return false;
    }

    void add(long a, long b) {
      int mask = lo.length - 1;
      int i = (int) a & mask;
      while (used[i]) {
        if (lo[i] == a && hi[i] == b) return;
        i = (i + 1) & mask;
      }
      used[i] = true;
      lo[i] = a;
      hi[i] = b;
      if (++size * 2 > lo.length) grow();
    }

    private void grow() {
      long[] oldLo = lo;
      long[] oldHi = hi;
      boolean[] oldUsed = used;
      lo = new long[oldLo.length * 2];
      hi = new long[oldLo.length * 2];
      used = new boolean[oldLo.length * 2];
      size = 0;
      for (int i = 0; i < oldLo.length; i++) if (oldUsed[i]) add(oldLo[i], oldHi[i]);
    }
  }
}
