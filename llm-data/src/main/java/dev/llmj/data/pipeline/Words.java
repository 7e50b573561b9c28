package dev.llmj.data.pipeline;

/**
 * Splits text into whitespace-separated tokens without allocating substrings: token {@code i}
 * spans {@code [start(i), end(i))}. Reused per thread.
 */
final class Words {
  private int[] starts = new int[256];
  private int[] ends = new int[256];
  private int count;
  private String text;

  private static final ThreadLocal<Words> LOCAL = ThreadLocal.withInitial(Words::new);

  /** A per-thread instance holding the tokens of {@code s}. */
  static Words of(String s) {
    Words w = LOCAL.get();
    w.split(s);
    return w;
  }

  void split(String s) {
    text = s;
    count = 0;
    int n = s.length();
    int i = 0;
    while (i < n) {
      while (i < n && Character.isWhitespace(s.charAt(i))) i++;
      if (i >= n) break;
      int st = i;
      while (i < n && !Character.isWhitespace(s.charAt(i))) i++;
      if (count == starts.length) {
        starts = java.util.Arrays.copyOf(starts, count * 2);
        ends = java.util.Arrays.copyOf(ends, count * 2);
      }
      starts[count] = st;
      ends[count++] = i;
    }
  }

  int count() {
    return count;
  }

  int start(int i) {
    return starts[i];
  }

  int end(int i) {
    return ends[i];
  }

  int length(int i) {
    return ends[i] - starts[i];
  }

  String text() {
    return text;
  }

  /** Lower-cased 64-bit hash of token {@code i} with surrounding punctuation trimmed. */
  long wordHash(int i, long seed) {
    int s = starts[i];
    int e = ends[i];
    while (s < e && !Character.isLetterOrDigit(text.charAt(s))) s++;
    while (e > s && !Character.isLetterOrDigit(text.charAt(e - 1))) e--;
    Hashing.Hasher h = new Hashing.Hasher(seed);
    for (int k = s; k < e; k++) h.add(Character.toLowerCase(text.charAt(k)));
    return h.finish64();
  }

  /** Token {@code i} lower-cased with surrounding punctuation trimmed. */
  String bareLower(int i) {
    int s = starts[i];
    int e = ends[i];
    while (s < e && !Character.isLetterOrDigit(text.charAt(s))) s++;
    while (e > s && !Character.isLetterOrDigit(text.charAt(e - 1))) e--;
    return text.substring(s, e).toLowerCase(java.util.Locale.ROOT);
  }
}
