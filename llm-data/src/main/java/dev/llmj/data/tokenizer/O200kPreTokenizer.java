package dev.llmj.data.tokenizer;

import static dev.llmj.data.tokenizer.UnicodeClass.LETTER;
import static dev.llmj.data.tokenizer.UnicodeClass.LOWER;
import static dev.llmj.data.tokenizer.UnicodeClass.MARK;
import static dev.llmj.data.tokenizer.UnicodeClass.NUMBER;
import static dev.llmj.data.tokenizer.UnicodeClass.SPACE;
import static dev.llmj.data.tokenizer.UnicodeClass.UPPER;
import static dev.llmj.data.tokenizer.UnicodeClass.codePointAt;

/**
 * The split pattern of GPT-4o's o200k_base as a scanner. Words split at case changes: a word is
 * an optional leading non-letter, then "upper" characters (Lu Lt Lm Lo M), then "lower" ones
 * (Ll Lm Lo M), then an optional contraction in any case; the alternatives, first match wins:
 *
 * <pre>
 * [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|...|'d)?
 * [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|...|'d)?
 * \p{N}{1,3}
 *  ?[^\s\p{L}\p{N}]+[\r\n/]*
 * \s*[\r\n]+ | \s+(?!\S) | \s+
 * </pre>
 */
final class O200kPreTokenizer extends ScannedPreTokenizer {
  static final String PATTERN = "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*"
      + "[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
      + "|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*"
      + "(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+"
      + "|\\s+(?!\\S)|\\s+";
  static final O200kPreTokenizer INSTANCE = new O200kPreTokenizer();

  private O200kPreTokenizer() {
    super(PATTERN);
  }

  private static boolean isUpper(int k) {
    return (k & (LETTER | MARK)) != 0 && (k & LOWER) == 0;
  }

  private static boolean isLower(int k) {
    return (k & (LETTER | MARK)) != 0 && (k & UPPER) == 0;
  }

  @Override
  int match(String s, int i, int end) {
    int c0 = codePointAt(s, i, end);
    int k0 = UnicodeClass.of(c0);
    int n0 = i + Character.charCount(c0);
    boolean prefix = c0 != '\r' && c0 != '\n' && (k0 & (LETTER | NUMBER)) == 0 && n0 < end;
    int m;
    if ((prefix && (m = upperLower(s, n0, end)) >= 0) || (m = upperLower(s, i, end)) >= 0
        || (prefix && (m = upperThenLower(s, n0, end)) >= 0) || (m = upperThenLower(s, i, end)) >= 0) {
      return m;
    }
    if ((k0 & NUMBER) != 0) {
      return UnicodeClass.numbers(s, i, end, 3);
    }
    int p = -1;
    if ((k0 & SPACE) == 0) {
      p = n0;
    } else if (c0 == ' ' && n0 < end) {
      int c1 = codePointAt(s, n0, end);
      if ((UnicodeClass.of(c1) & (SPACE | LETTER | NUMBER)) == 0) {
        p = n0 + Character.charCount(c1);
      }
    }
    if (p >= 0) {
      int j = Cl100kPreTokenizer.otherRun(s, p, end);
      while (j < end && (s.charAt(j) == '\r' || s.charAt(j) == '\n' || s.charAt(j) == '/')) {
        j++;
      }
      return j;
    }
    return UnicodeClass.spaces(s, i, end);
  }

  /**
   * {@code U* L+ contraction?} at {@code i}, where U is "upper" and L "lower": the greedy upper
   * run gives back characters until a lower one can start, so the match ends after the last
   * lower-capable character of the upper run unless a true lowercase letter follows the run.
   */
  private static int upperLower(String s, int i, int end) {
    int j = i;
    int afterLastLower = -1;
    while (j < end) {
      int cp = codePointAt(s, j, end);
      int k = UnicodeClass.of(cp);
      if (!isUpper(k)) {
        break;
      }
      j += Character.charCount(cp);
      if (isLower(k)) {
        afterLastLower = j;
      }
    }
    int e;
    if (j < end && isLower(UnicodeClass.of(codePointAt(s, j, end)))) {
      e = lowerRun(s, j, end);
    } else if (afterLastLower >= 0) {
      e = afterLastLower;
    } else {
      return -1;
    }
    return withContraction(s, e, end);
  }

  /** {@code U+ L* contraction?} at {@code i}. */
  private static int upperThenLower(String s, int i, int end) {
    int j = i;
    while (j < end) {
      int cp = codePointAt(s, j, end);
      if (!isUpper(UnicodeClass.of(cp))) {
        break;
      }
      j += Character.charCount(cp);
    }
    if (j == i) {
      return -1;
    }
    return withContraction(s, lowerRun(s, j, end), end);
  }

  private static int lowerRun(String s, int j, int end) {
    while (j < end) {
      int cp = codePointAt(s, j, end);
      if (!isLower(UnicodeClass.of(cp))) {
        break;
      }
      j += Character.charCount(cp);
    }
    return j;
  }

  private static int withContraction(String s, int e, int end) {
    int c = UnicodeClass.contraction(s, e, end);
    return c >= 0 ? c : e;
  }
}
