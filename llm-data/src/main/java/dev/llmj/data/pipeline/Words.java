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
  /** The text's chars: scanning an array skips the per-char checks of String.charAt. */
  private char[] chars = new char[1024];

  private static final ThreadLocal<Words> LOCAL = ThreadLocal.withInitial(Words::new);

  /**
   * A per-thread instance holding the tokens of {@code s}. Several steps look at the words of the
   * same document one after the other on one thread, so the split is kept while the text is the
   * same instance.
   */
  static Words of(String s) {
    Words w = LOCAL.get();
    if (w.text != s) w.split(s);
    return w;
  }

  /** {@link Character#isWhitespace(char)} with the ASCII answer computed inline. */
  static boolean isSpace(char c) {
    if (c < 0x40) return (ASCII_SPACE >>> c & 1) != 0;
    return c >= 0x80 && Character.isWhitespace(c);
  }

  /** Bit c set for the ASCII whitespace chars below 0x40: tab to carriage return, 0x1c to space. */
  private static final long ASCII_SPACE = 0x3e00L | 0xf0000000L | 1L << ' ';

  /** {@link Character#isLetterOrDigit(char)} with the ASCII answer computed inline. */
  static boolean isLetterOrDigit(char c) {
    if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    return Character.isLetterOrDigit(c);
  }

  /** {@link Character#toLowerCase(char)} with the ASCII answer computed inline. */
  static char lower(char c) {
    if (c < 0x80) return c >= 'A' && c <= 'Z' ? (char) (c | 0x20) : c;
    return Character.toLowerCase(c);
  }

  void split(String s) {
    text = s;
    count = 0;
    int n = s.length();
    if (chars.length < n) chars = new char[Math.max(n, chars.length * 2)];
    else if (chars.length > 1 << 22 && n < chars.length / 8) chars = new char[Math.max(n, 1024)]; // after a huge document
    char[] c = chars;
    s.getChars(0, n, c, 0);
    int i = 0;
    while (i < n) {
      while (i < n && isSpace(c[i])) i++;
      if (i >= n) break;
      int st = i;
      while (i < n && !isSpace(c[i])) i++;
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

  /** {@link Hashing#hash64} of token {@code i} as it stands. */
  long hash(int i, long seed) {
    Hashing.Hasher h = new Hashing.Hasher(seed);
    char[] c = chars;
    for (int k = starts[i]; k < ends[i]; k++) h.add(c[k]);
    return h.finish64();
  }

  /**
   * Lower-cased 64-bit hash of token {@code i} with surrounding punctuation trimmed; {@code h} is
   * reset and reused so the hot loop allocates nothing.
   *
   * @return false (and no hash) when the token holds no letter or digit
   */
  boolean wordHash(int i, Hashing.Hasher h) {
    int s = starts[i];
    int e = ends[i];
    char[] c = chars;
    while (s < e && !isLetterOrDigit(c[s])) s++;
    while (e > s && !isLetterOrDigit(c[e - 1])) e--;
    if (s == e) return false;
    for (int k = s; k < e; k++) h.add(lower(c[k]));
    h.finish();
    return true;
  }

  /** Token {@code i} lower-cased with surrounding punctuation trimmed. */
  String bareLower(int i) {
    int s = starts[i];
    int e = ends[i];
    while (s < e && !isLetterOrDigit(text.charAt(s))) s++;
    while (e > s && !isLetterOrDigit(text.charAt(e - 1))) e--;
    return text.substring(s, e).toLowerCase(java.util.Locale.ROOT);
  }
}
