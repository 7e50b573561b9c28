package dev.llmj.data.tokenizer;

import static dev.llmj.data.tokenizer.UnicodeClass.LETTER;
import static dev.llmj.data.tokenizer.UnicodeClass.MARK;
import static dev.llmj.data.tokenizer.UnicodeClass.PUNCT;
import static dev.llmj.data.tokenizer.UnicodeClass.SPACE;
import static dev.llmj.data.tokenizer.UnicodeClass.SYMBOL;
import static dev.llmj.data.tokenizer.UnicodeClass.codePointAt;

/**
 * The three split patterns DeepSeek V3 applies in sequence, each as a scanner: runs of up to
 * three digits ({@link #DIGITS}), runs of CJK ideographs and kana ({@link #CJK}), then words,
 * punctuation and whitespace ({@link #WORDS}):
 *
 * <pre>
 * [!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+     ASCII punctuation joined to an ASCII word
 * [^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+                a word, with at most one leading other
 *  ?[\p{P}\p{S}]+[\r\n]*                              punctuation and symbols
 * \s*[\r\n]+ | \s+(?!\S) | \s+                        whitespace
 * </pre>
 *
 * Text no alternative matches (digits between the first two, control characters) is a gap piece
 * of its own, as with any split pattern.
 */
final class DeepSeekPreTokenizer extends ScannedPreTokenizer {
  static final String DIGITS = "\\p{N}{1,3}";
  /** As written in DeepSeek's {@code tokenizer.json}: U+3040 is an unassigned code point, raw. */
  static final String CJK = "[一-龥\u3040-ゟ゠-ヿ]+";
  static final String CJK_ESCAPED = "[一-龥\\u3040-ゟ゠-ヿ]+";
  static final String WORDS = "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+"
      + "|[^\\r\\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\\r\\n]*|\\s*[\\r\\n]+"
      + "|\\s+(?!\\S)|\\s+";

  private enum Kind { DIGITS, CJK, WORDS }

  static final DeepSeekPreTokenizer DIGITS_INSTANCE = new DeepSeekPreTokenizer(DIGITS, Kind.DIGITS);
  static final DeepSeekPreTokenizer CJK_INSTANCE = new DeepSeekPreTokenizer(CJK, Kind.CJK);
  static final DeepSeekPreTokenizer WORDS_INSTANCE = new DeepSeekPreTokenizer(WORDS, Kind.WORDS);

  private final Kind kind;

  private DeepSeekPreTokenizer(String pattern, Kind kind) {
    super(pattern);
    this.kind = kind;
  }

  @Override
  int match(String s, int i, int end) {
    switch (kind) {
      case DIGITS:
        return digits(s, i, end);
      case CJK:
        int j = i;
        while (j < end && isCjk(s.charAt(j))) {
          j++;
        }
        return j > i ? j : -1;
      default:
        return words(s, i, end);
    }
  }

  private static boolean isCjk(char c) {
    return (c >= '\u4E00' && c <= '\u9FA5') || (c >= '\u3040' && c <= '\u30FF');
  }

  private static int digits(String s, int i, int end) {
    int j = UnicodeClass.numbers(s, i, end, 3);
    return j > i ? j : -1;
  }

  private static boolean isAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static boolean isAsciiPunct(char c) {
    return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') || (c >= '{' && c <= '~');
  }

  private static int words(String s, int i, int end) {
    char ch = s.charAt(i);
    if (isAsciiPunct(ch) && i + 1 < end && isAsciiLetter(s.charAt(i + 1))) {
      int j = i + 2;
      while (j < end && isAsciiLetter(s.charAt(j))) {
        j++;
      }
      return j;
    }
    int c0 = codePointAt(s, i, end);
    int k0 = UnicodeClass.of(c0);
    int n0 = i + Character.charCount(c0);
    if (c0 != '\r' && c0 != '\n' && (k0 & (LETTER | PUNCT | SYMBOL)) == 0 && n0 < end
        && (UnicodeClass.of(codePointAt(s, n0, end)) & (LETTER | MARK)) != 0) {
      return UnicodeClass.run(s, n0, end, LETTER | MARK);
    }
    if ((k0 & (LETTER | MARK)) != 0) {
      return UnicodeClass.run(s, n0, end, LETTER | MARK);
    }
    int p = -1;
    if ((k0 & (PUNCT | SYMBOL)) != 0) {
      p = n0;
    } else if (c0 == ' ' && n0 < end) {
      int c1 = codePointAt(s, n0, end);
      if ((UnicodeClass.of(c1) & (PUNCT | SYMBOL)) != 0) {
        p = n0 + Character.charCount(c1);
      }
    }
    if (p >= 0) {
      int j = UnicodeClass.run(s, p, end, PUNCT | SYMBOL);
      while (j < end && (s.charAt(j) == '\r' || s.charAt(j) == '\n')) {
        j++;
      }
      return j;
    }
    return (k0 & SPACE) != 0 ? UnicodeClass.spaces(s, i, end) : -1;
  }
}
