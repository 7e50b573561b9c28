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

  /** Per-thread copies of texts that are not split, for {@link #charsOf}. */
  private static final ThreadLocal<char[][]> COPY = ThreadLocal.withInitial(() -> new char[][] {new char[1024]});

  /**
   * {@code s}'s chars in {@code [0, s.length())}, valid until the next call on this thread: the array
   * of this thread's split when it holds {@code s}, else a per-thread copy. Per-char loops read this
   * rather than {@link String#charAt} (see {@link #chars}).
   */
  static char[] charsOf(String s) {
    Words w = LOCAL.get();
    if (w.text == s) return w.chars;
    char[][] copy = COPY.get();
    int n = s.length();
    copy[0] = fit(copy[0], n);
    s.getChars(0, n, copy[0], 0);
    return copy[0];
  }

  /**
   * A scratch array of at least {@code n} chars: {@code a} itself when it is long enough and not
   * much larger (a huge document's array is let go once texts are small again), else a new one.
   */
  static char[] fit(char[] a, int n) {
    return a.length >= n && !(a.length > 1 << 22 && n < a.length / 8) ? a : new char[Math.max(n, 1024)];
  }

  /** The first index of {@code x} in {@code c[from, n)}, or -1. */
  static int indexOf(char[] c, int n, char x, int from) {
    for (int i = from; i < n; i++) if (c[i] == x) return i;
    return -1;
  }

  /**
   * {@link Character#isWhitespace(char)}, read from a table of one bit per char. The per-char loops
   * of every step call it: a lookup has no branch that the JIT could find untaken in the first
   * documents, and then have to deoptimise and recompile for the first rare char of a later one.
   */
  static boolean isSpace(char c) {
    return bit(SPACE, c);
  }

  /** {@link Character#isLetterOrDigit(char)}, read from a table of one bit per char (see {@link #isSpace}). */
  static boolean isLetterOrDigit(char c) {
    return bit(LETTER_OR_DIGIT, c);
  }

  /** {@link Character#isLetter(char)}, read from a table of one bit per char (see {@link #isSpace}). */
  static boolean isLetter(char c) {
    return bit(LETTER, c);
  }

  private static final long[] SPACE = charBits(Character::isWhitespace);
  private static final long[] LETTER = charBits(Character::isLetter);
  private static final long[] LETTER_OR_DIGIT = charBits(Character::isLetterOrDigit);

  /** One bit per char (8 KB): set where {@code test} holds. */
  static long[] charBits(java.util.function.IntPredicate test) {
    long[] bits = new long[(Character.MAX_VALUE + 1) / 64];
    for (int c = 0; c <= Character.MAX_VALUE; c++) if (test.test(c)) bits[c >>> 6] |= 1L << c;
    return bits;
  }

  /** Bit {@code c} of a {@link #charBits} table. */
  static boolean bit(long[] bits, char c) {
    return (bits[c >>> 6] >>> c & 1) != 0; // a long shift takes the low 6 bits of c
  }

  /** {@link Character#toLowerCase(char)}: the ASCII answer computed inline, the others read from a table. */
  static char lower(char c) {
    if (c < 0x80) return c >= 'A' && c <= 'Z' ? (char) (c | 0x20) : c;
    return LOWER[c];
  }

  /** {@link Character#toLowerCase(char)} of every char (128 KB): no call into the Unicode tables per char. */
  private static final char[] LOWER = new char[Character.MAX_VALUE + 1];

  static {
    for (int c = 0; c <= Character.MAX_VALUE; c++) LOWER[c] = Character.toLowerCase((char) c);
  }

  void split(String s) {
    text = s;
    count = 0;
    int n = s.length();
    chars = fit(chars, n);
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

  /**
   * The text's chars in {@code [0, text().length())}, valid until the next split on this thread.
   * Per-char loops read this rather than {@link String#charAt}, whose Latin-1 or UTF-16 branch the
   * JIT hoists out of a loop as a guess it must undo for the first document of the other kind.
   */
  char[] chars() {
    return chars;
  }

  /** {@link Hashing#hash64} of token {@code i} as it stands. */
  long hash(int i, long seed) {
    return Hashing.hash64(chars, starts[i], ends[i], seed);
  }

  /**
   * Lower-cased 64-bit hash of token {@code i} with surrounding punctuation trimmed; {@code h} is
   * reset and reused so the hot loop allocates nothing.
   *
   * @return false (and no hash) when the token holds no letter or digit
   */
  boolean wordHash(int i, Hashing.Hasher h) {
    int s = bareStart(i);
    int e = bareEnd(i, s);
    char[] c = chars;
    if (s == e) return false;
    for (int k = s; k < e; k++) h.add(lower(c[k]));
    h.finish();
    return true;
  }

  /** Token {@code i} lower-cased with surrounding punctuation trimmed. */
  String bareLower(int i) {
    int s = bareStart(i);
    return text.substring(s, bareEnd(i, s)).toLowerCase(java.util.Locale.ROOT);
  }

  /** Where token {@code i} starts with its leading punctuation (anything but letters and digits) trimmed. */
  int bareStart(int i) {
    int s = starts[i];
    int e = ends[i];
    while (s < e && !isLetterOrDigit(chars[s])) s++;
    return s;
  }

  /** Where token {@code i} ends with its trailing punctuation trimmed, given its {@link #bareStart}. */
  int bareEnd(int i, int bareStart) {
    int e = ends[i];
    while (e > bareStart && !isLetterOrDigit(chars[e - 1])) e--;
    return e;
  }
}
