package dev.llmj.data.pipeline;

import dev.llmj.data.Document;
import dev.llmj.data.internal.LongIntMap;

/**
 * The Gopher repetition rules: repeated lines and paragraphs (by count and by characters), the
 * most frequent 2/3/4-gram, and characters covered by repeated 5..10-grams.
 */
final class GopherRepetitionStep implements Filter {
  private static final ThreadLocal<LongIntMap> MAP = ThreadLocal.withInitial(() -> new LongIntMap(1 << 12));

  private final GopherRepetitionConfig c;

  GopherRepetitionStep(GopherRepetitionConfig config) {
    this.c = config;
  }

  @Override
  public String name() {
    return "gopher_repetition";
  }

  @Override
  public String dropReason(Document doc) {
    String text = doc.text();
    LongIntMap seen = MAP.get();
    Words w = Words.of(text);
    String r = duplicates(w.chars(), text.length(), false, seen, c.maxDupParagraphs(), c.maxDupParagraphChars(), "dup_paragraph");
    if (r != null) return r;
    r = duplicates(w.chars(), text.length(), true, seen, c.maxDupLines(), c.maxDupLineChars(), "dup_line");
    if (r != null) return r;
    int n = w.count();
    if (n == 0) return null;
    long[] hashes = new long[n];
    long totalChars = 0;
    for (int i = 0; i < n; i++) {
      hashes[i] = w.hash(i, 17);
      totalChars += w.length(i);
    }
    for (int g = 2; g <= 4; g++) {
      if (topNgramChars(w, hashes, g, seen) > c.maxTopNgramChars().get(g - 2) * totalChars) return "top_" + g + "gram";
    }
    boolean[] covered = new boolean[n];
    // Words covered by repeated (g+1)-grams are covered by repeated g-grams too, so coverage only
    // shrinks with g: once it is under every remaining limit, no larger g can fail.
    for (int g = 5; g <= 10; g++) {
      long chars = dupNgramChars(w, hashes, g, seen, covered);
      if (chars > c.maxDupNgramChars().get(g - 5) * totalChars) return "dup_" + g + "gram";
      double rest = 1;
      for (int k = g + 1; k <= 10; k++) rest = Math.min(rest, c.maxDupNgramChars().get(k - 5));
      if (chars <= rest * totalChars) return null;
    }
    return null;
  }

  /** Splits {@code text[0, n)} into lines (or blank-line-separated paragraphs) and tests the repeated fraction. */
  private static String duplicates(char[] text, int n, boolean lines, LongIntMap seen, double maxCount, double maxChars,
      String name) {
    seen.clear();
    int elements = 0;
    int dups = 0;
    long dupChars = 0;
    int start = 0;
    while (start < n) {
      int end = lines ? Words.indexOf(text, n, '\n', start) : blankLine(text, n, start);
      if (end < 0) end = n;
      int s = start;
      int e = end;
      while (s < e && Words.isSpace(text[s])) s++;
      while (e > s && Words.isSpace(text[e - 1])) e--;
      if (e > s) {
        elements++;
        if (seen.putIfAbsent(Hashing.hash64(text, s, e, 3), 1) != LongIntMap.MISSING) {
          dups++;
          dupChars += e - s;
        }
      }
      start = end + (lines ? 1 : 2);
    }
    if (elements == 0) return null;
    if (dups > maxCount * elements) return name + "_fraction";
    if (dupChars > maxChars * n) return name + "_char_fraction";
    return null;
  }

  /** The first "\n\n" starting in {@code c[from, n)}, or -1. */
  private static int blankLine(char[] c, int n, int from) {
    for (int i = from; i + 1 < n; i++) if (c[i] == '\n' && c[i + 1] == '\n') return i;
    return -1;
  }

  /** Characters in all occurrences of the most frequent g-gram (0 when nothing repeats). */
  private static long topNgramChars(Words w, long[] h, int g, LongIntMap counts) {
    counts.clear();
    long[] grams = ngramHashes(h, g, new long[h.length]);
    int best = 1;
    int bestAt = -1;
    for (int i = 0; i + g <= h.length; i++) {
      int cnt = counts.add(grams[i], 1);
      if (cnt > best) {
        best = cnt;
        bestAt = i;
      }
    }
    if (bestAt < 0) return 0;
    long len = 0;
    for (int j = 0; j < g; j++) len += w.length(bestAt + j);
    return best * len;
  }

  /** Characters of words inside any repeat of an earlier g-gram; marks them in {@code covered}. */
  private static long dupNgramChars(Words w, long[] h, int g, LongIntMap seen, boolean[] covered) {
    seen.clear();
    java.util.Arrays.fill(covered, false);
    long[] grams = ngramHashes(h, g, new long[h.length]);
    long chars = 0;
    for (int i = 0; i + g <= h.length; i++) {
      if (seen.putIfAbsent(grams[i], i) != LongIntMap.MISSING) {
        for (int j = i; j < i + g; j++) {
          if (!covered[j]) {
            covered[j] = true;
            chars += w.length(j);
          }
        }
      }
    }
    return chars;
  }

  private static final long P = 0x100000001B3L;

  /**
   * Polynomial hashes of every g-gram, rolled in O(1) a position: {@code out[i] = sum_j h[i+j] P^(g-1-j)},
   * then mixed so that the map sees well-spread keys.
   */
  private static long[] ngramHashes(long[] h, int g, long[] out) {
    long pow = 1;
    for (int j = 1; j < g; j++) pow *= P;
    long x = 0;
    for (int i = 0; i < h.length; i++) {
      if (i >= g) x -= h[i - g] * pow;
      x = x * P + h[i];
      if (i >= g - 1) out[i - g + 1] = Hashing.mix64(x + g);
    }
    return out;
  }
}
