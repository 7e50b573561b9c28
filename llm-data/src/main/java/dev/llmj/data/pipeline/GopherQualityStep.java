package dev.llmj.data.pipeline;

import dev.llmj.data.Document;
import java.util.HashSet;
import java.util.Set;

/** The Gopher quality rules; see {@link GopherQualityConfig} for each rule and its reason. */
final class GopherQualityStep implements Filter {
  private final GopherQualityConfig c;
  private final Set<String> stopWords;

  GopherQualityStep(GopherQualityConfig config) {
    this.c = config;
    this.stopWords = new HashSet<>(config.stopWords());
  }

  @Override
  public String name() {
    return "gopher_quality";
  }

  @Override
  public String dropReason(Document doc) {
    String text = doc.text();
    Words w = Words.of(text);
    int tokens = w.count();
    int words = 0;
    long wordChars = 0;
    int alpha = 0;
    int stops = 0;
    for (int i = 0; i < tokens; i++) {
      boolean letter = false;
      boolean letterOrDigit = false;
      for (int k = w.start(i); k < w.end(i); k++) {
        char ch = text.charAt(k);
        if (Character.isLetter(ch)) {
          letter = true;
          letterOrDigit = true;
          break;
        }
        if (Character.isDigit(ch)) letterOrDigit = true;
      }
      if (letter) alpha++;
      if (letterOrDigit) {
        words++;
        wordChars += w.length(i);
        if (stops < c.minStopWords() && w.length(i) <= 6 && stopWords.contains(w.bareLower(i))) stops++;
      }
    }
    if (words < c.minWords()) return "too_few_words";
    if (words > c.maxWords()) return "too_many_words";
    double mean = (double) wordChars / words;
    if (mean < c.minMeanWordLength()) return "short_mean_word_length";
    if (mean > c.maxMeanWordLength()) return "long_mean_word_length";
    if (count(text, "#") > c.maxSymbolWordRatio() * words) return "hash_ratio";
    if (count(text, "...") + count(text, "\u2026") > c.maxSymbolWordRatio() * words) return "ellipsis_ratio";
    String reason = lineRules(text);
    if (reason != null) return reason;
    if (tokens > 0 && alpha < c.minAlphaWords() * tokens) return "alpha_words";
    if (stops < c.minStopWords()) return "too_few_stop_words";
    return null;
  }

  private String lineRules(String text) {
    int lines = 0;
    int bullets = 0;
    int ellipsis = 0;
    int start = 0;
    int n = text.length();
    while (start <= n) {
      int end = text.indexOf('\n', start);
      if (end < 0) end = n;
      int s = start;
      int e = end;
      while (s < e && Words.isSpace(text.charAt(s))) s++;
      while (e > s && Words.isSpace(text.charAt(e - 1))) e--;
      if (e > s) {
        lines++;
        char first = text.charAt(s);
        if (first == '\u2022' || first == '-' || first == '*' || first == '\u2023' || first == '\u25E6'
            || first == '\u2043' || first == '\u2013' || first == '\u2014' || first == '\u00B7') bullets++;
        if (text.startsWith("...", e - 3 >= s ? e - 3 : s) || text.charAt(e - 1) == '\u2026') ellipsis++;
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
