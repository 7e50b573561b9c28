package dev.llmj.data.pipeline;

import dev.llmj.data.Document;

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
    String r = duplicates(text, false, seen, c.maxDupParagraphs(), c.maxDupParagraphChars(), "dup_paragraph");
    if (r != null) return r;
    r = duplicates(text, true, seen, c.maxDupLines(), c.maxDupLineChars(), "dup_line");
    if (r != null) return r;
    Words w = Words.of(text);
    int n = w.count();
    if (n == 0) return null;
    long[] hashes = new long[n];
    long totalChars = 0;
    for (int i = 0; i < n; i++) {
      hashes[i] = Hashing.hash64(text, w.start(i), w.end(i), 17);
      totalChars += w.length(i);
    }
    for (int g = 2; g <= 4; g++) {
      if (topNgramChars(w, hashes, g, seen) > c.maxTopNgramChars().get(g - 2) * totalChars) return "top_" + g + "gram";
    }
    boolean[] covered = new boolean[n];
    for (int g = 5; g <= 10; g++) {
      if (dupNgramChars(w, hashes, g, seen, covered) > c.maxDupNgramChars().get(g - 5) * totalChars) return "dup_" + g + "gram";
    }
    return null;
  }

  /** Splits into lines (or blank-line-separated paragraphs) and tests the repeated fraction. */
  private static String duplicates(String text, boolean lines, LongIntMap seen, double maxCount, double maxChars, String name) {
    seen.clear();
    int elements = 0;
    int dups = 0;
    long dupChars = 0;
    int n = text.length();
    int start = 0;
    while (start < n) {
      int end = lines ? text.indexOf('\n', start) : text.indexOf("\n\n", start);
      if (end < 0) end = n;
      int s = start;
      int e = end;
      while (s < e && Character.isWhitespace(text.charAt(s))) s++;
      while (e > s && Character.isWhitespace(text.charAt(e - 1))) e--;
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

  /** Characters in all occurrences of the most frequent g-gram (0 when nothing repeats). */
  private static long topNgramChars(Words w, long[] h, int g, LongIntMap counts) {
    counts.clear();
    int best = 1;
    int bestAt = -1;
    for (int i = 0; i + g <= h.length; i++) {
      int cnt = counts.add(ngramHash(h, i, g), 1);
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
    long chars = 0;
    for (int i = 0; i + g <= h.length; i++) {
      if (seen.putIfAbsent(ngramHash(h, i, g), i) != LongIntMap.MISSING) {
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

  private static long ngramHash(long[] h, int i, int g) {
    long x = g;
    for (int j = 0; j < g; j++) x = Hashing.mix64(x ^ h[i + j]);
    return x;
  }
}
