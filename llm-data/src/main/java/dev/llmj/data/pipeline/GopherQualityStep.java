package dev.llmj.data.pipeline;

import dev.llmj.data.Document;
import java.util.HashSet;
import java.util.Set;

/** The Gopher quality rules; see {@link GopherQualityConfig} for each rule and its reason. */
final class GopherQualityStep implements Filter {
  private final GopherQualityConfig c;
  private final Set<String> stopWords;
  /** {@link #asciiKey} of every stop word that has one, sorted: the test for ASCII words allocates nothing. */
  private final long[] stopKeys;

  GopherQualityStep(GopherQualityConfig config) {
    this.c = config;
    this.stopWords = new HashSet<>(config.stopWords());
    this.stopKeys = stopWords.stream().filter(w -> w.equals(w.toLowerCase(java.util.Locale.ROOT))) // others never match
        .mapToLong(w -> asciiKey(w.toCharArray(), 0, w.length())).filter(k -> k >= 0).sorted().toArray();
  }

  /**
   * The ASCII word {@code c[s, e)} lower-cased, packed exactly into a long (7 bits a char, at most 8
   * chars, then the length), or -1 when it is longer or holds a non-ASCII char.
   */
  private static long asciiKey(char[] c, int s, int e) {
    if (e - s > 8) return -1;
    long k = 0;
    for (int i = s; i < e; i++) {
      char ch = c[i];
      if (ch >= 0x80) return -1;
      k = k << 7 | (ch >= 'A' && ch <= 'Z' ? ch | 0x20 : ch);
    }
    return k << 4 | (e - s);
  }

  /**
   * Whether token {@code i}, lower-cased with surrounding punctuation trimmed, is a stop word: by its
   * {@link #asciiKey} when it has one (String.toLowerCase of ASCII is the ASCII rule), else as a string.
   */
  boolean isStopWord(Words w, int i) {
    int s = w.bareStart(i);
    long key = asciiKey(w.chars(), s, w.bareEnd(i, s));
    return key >= 0 ? java.util.Arrays.binarySearch(stopKeys, key) >= 0 : stopWords.contains(w.bareLower(i));
  }

  @Override
  public String name() {
    return "gopher_quality";
  }

  @Override
  public String dropReason(Document doc) {
    String text = doc.text();
    Words w = Words.of(text);
    char[] chars = w.chars();
    int tokens = w.count();
    int words = 0;
    long wordChars = 0;
    int alpha = 0;
    int stops = 0;
    for (int i = 0; i < tokens; i++) {
      boolean letter = false;
      boolean letterOrDigit = false;
      for (int k = w.start(i); k < w.end(i); k++) {
        char ch = chars[k];
        if (Words.isLetter(ch)) {
          letter = true;
          letterOrDigit = true;
          break;
        }
        if (Words.isLetterOrDigit(ch)) letterOrDigit = true; // a digit: Character.isLetterOrDigit is isLetter || isDigit
      }
      if (letter) alpha++;
      if (letterOrDigit) {
        words++;
        wordChars += w.length(i);
        if (stops < c.minStopWords() && w.length(i) <= 6 && isStopWord(w, i)) stops++;
      }
    }
    if (words < c.minWords()) return "too_few_words";
    if (words > c.maxWords()) return "too_many_words";
    double mean = (double) wordChars / words;
    if (mean < c.minMeanWordLength()) return "short_mean_word_length";
    if (mean > c.maxMeanWordLength()) return "long_mean_word_length";
    if (count(text, "#") > c.maxSymbolWordRatio() * words) return "hash_ratio";
    if (count(text, "...") + count(text, "\u2026") > c.maxSymbolWordRatio() * words) return "ellipsis_ratio";
    String reason = lineRules(chars, text.length());
    if (reason != null) return reason;
    if (tokens > 0 && alpha < c.minAlphaWords() * tokens) return "alpha_words";
    if (stops < c.minStopWords()) return "too_few_stop_words";
    return null;
  }

  /** The line rules over the text's chars {@code t[0, n)}. */
  private String lineRules(char[] t, int n) {
    int lines = 0;
    int bullets = 0;
    int ellipsis = 0;
    int start = 0;
    while (start <= n) {
      int end = Words.indexOf(t, n, '\n', start);
      if (end < 0) end = n;
      int s = start;
      int e = end;
      while (s < e && Words.isSpace(t[s])) s++;
      while (e > s && Words.isSpace(t[e - 1])) e--;
      if (e > s) {
        lines++;
        char first = t[s];
        if (first == '\u2022' || first == '-' || first == '*' || first == '\u2023' || first == '\u25E6'
            || first == '\u2043' || first == '\u2013' || first == '\u2014' || first == '\u00B7') bullets++;
        boolean dots = e - s >= 3 && t[e - 3] == '.' && t[e - 2] == '.' && t[e - 1] == '.';
        if (dots || t[e - 1] == '\u2026') ellipsis++;
      }
      start = end + 1;
    }
    if (lines == 0) return null;
    if (bullets > c.maxBulletLines() * lines) return "bullet_lines";
    if (ellipsis > c.maxEllipsisLines() * lines) return "ellipsis_lines";
    return null;
  }

  static int count(String text, String what) {
    int n = 0;
    for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + what.length())) n++;
    return n;
  }
}
