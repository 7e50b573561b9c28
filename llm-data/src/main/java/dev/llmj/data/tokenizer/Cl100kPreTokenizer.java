package dev.llmj.data.tokenizer;

import static dev.llmj.data.tokenizer.UnicodeClass.LETTER;
import static dev.llmj.data.tokenizer.UnicodeClass.NUMBER;
import static dev.llmj.data.tokenizer.UnicodeClass.SPACE;
import static dev.llmj.data.tokenizer.UnicodeClass.codePointAt;

/**
 * The split pattern of GPT-4's cl100k_base and Llama 3 ({@link #LLAMA3}), and Qwen2/Qwen3's
 * ({@link #QWEN2}, which takes one digit at a time instead of up to three), as a scanner. The
 * alternatives, first match wins:
 *
 * <pre>
 * (?i:'s|'t|'re|'ve|'m|'ll|'d)       contractions, any case
 * [^\r\n\p{L}\p{N}]?\p{L}+            a word, with at most one leading non-letter (often a space)
 * \p{N}{1,3}   (Qwen: \p{N})          digits
 *  ?[^\s\p{L}\p{N}]+[\r\n]*           punctuation and symbols, with the line breaks after them
 * \s*[\r\n]+ | \s+(?!\S) | \s+        whitespace: up to the last line break, else as GPT-2
 * </pre>
 */
final class Cl100kPreTokenizer extends ScannedPreTokenizer {
  static final String LLAMA3 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
      + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
  static final String QWEN2 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
      + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

  static final Cl100kPreTokenizer LLAMA3_INSTANCE = new Cl100kPreTokenizer(LLAMA3, 3);
  static final Cl100kPreTokenizer QWEN2_INSTANCE = new Cl100kPreTokenizer(QWEN2, 1);

  private final int maxDigits;

  private Cl100kPreTokenizer(String pattern, int maxDigits) {
    super(pattern);
    this.maxDigits = maxDigits;
  }

  @Override
  int match(String s, int i, int end) {
    int m = UnicodeClass.contraction(s, i, end);
    if (m >= 0) {
      return m;
    }
    int c0 = codePointAt(s, i, end);
    int k0 = UnicodeClass.of(c0);
    int n0 = i + Character.charCount(c0);
    if ((k0 & LETTER) != 0) {
      return UnicodeClass.run(s, n0, end, LETTER);
    }
    if ((k0 & NUMBER) != 0) {
      return UnicodeClass.numbers(s, i, end, maxDigits);
    }
    int k1 = 0;
    int c1 = 0;
    if (n0 < end) {
      c1 = codePointAt(s, n0, end);
      k1 = UnicodeClass.of(c1);
    }
    if (c0 != '\r' && c0 != '\n' && (k1 & LETTER) != 0) {
      return UnicodeClass.run(s, n0 + Character.charCount(c1), end, LETTER);
    }
    int p = -1;
    if ((k0 & SPACE) == 0) {
      p = n0;
    } else if (c0 == ' ' && n0 < end && (k1 & (SPACE | LETTER | NUMBER)) == 0) {
      p = n0 + Character.charCount(c1);
    }
    if (p >= 0) {
      int j = otherRun(s, p, end);
      while (j < end && (s.charAt(j) == '\r' || s.charAt(j) == '\n')) {
        j++;
      }
      return j;
    }
    return UnicodeClass.spaces(s, i, end);
  }

  /** End of a run of {@code [^\s\p{L}\p{N}]} starting at {@code i}. */
  static int otherRun(String s, int i, int end) {
    while (i < end) {
      int cp = codePointAt(s, i, end);
      if ((UnicodeClass.of(cp) & (SPACE | LETTER | NUMBER)) != 0) {
        return i;
      }
      i += Character.charCount(cp);
    }
    return i;
  }
}
