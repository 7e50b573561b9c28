package dev.llmj.data.tokenizer;

/**
 * The Unicode classes that split patterns test, as bit sets per code point, with the same tables
 * {@link java.util.regex} uses ({@link Character#getType}), so a scanner built on them agrees
 * with the regular expression it replaces. {@link #SPACE} is {@code \s} under
 * {@code UNICODE_CHARACTER_CLASS} (White_Space). An unpaired surrogate has no class bits.
 */
final class UnicodeClass {
  /** {@code \p{L}}. */
  static final int LETTER = 1;
  /** {@code \p{N}}. */
  static final int NUMBER = 2;
  /** {@code \s}: White_Space. */
  static final int SPACE = 4;
  /** {@code \p{M}}. */
  static final int MARK = 8;
  /** {@code \p{P}}. */
  static final int PUNCT = 16;
  /** {@code \p{S}}. */
  static final int SYMBOL = 32;
  /** {@code \p{Lu}} or {@code \p{Lt}}. */
  static final int UPPER = 64;
  /** {@code \p{Ll}}. */
  static final int LOWER = 128;

  private static final byte[] BMP = new byte[1 << 16];

  static {
    for (int c = 0; c < BMP.length; c++) {
      BMP[c] = (byte) compute(c);
    }
  }

  private UnicodeClass() {}

  /** The class bits of a code point. */
  static int of(int cp) {
    return cp < BMP.length ? BMP[cp] & 0xFF : compute(cp);
  }

  private static int compute(int cp) {
    switch (Character.getType(cp)) {
      case Character.UPPERCASE_LETTER:
      case Character.TITLECASE_LETTER:
        return LETTER | UPPER;
      case Character.LOWERCASE_LETTER:
        return LETTER | LOWER;
      case Character.MODIFIER_LETTER:
      case Character.OTHER_LETTER:
        return LETTER;
      case Character.DECIMAL_DIGIT_NUMBER:
      case Character.LETTER_NUMBER:
      case Character.OTHER_NUMBER:
        return NUMBER;
      case Character.NON_SPACING_MARK:
      case Character.ENCLOSING_MARK:
      case Character.COMBINING_SPACING_MARK:
        return MARK;
      case Character.CONNECTOR_PUNCTUATION:
      case Character.DASH_PUNCTUATION:
      case Character.START_PUNCTUATION:
      case Character.END_PUNCTUATION:
      case Character.INITIAL_QUOTE_PUNCTUATION:
      case Character.FINAL_QUOTE_PUNCTUATION:
      case Character.OTHER_PUNCTUATION:
        return PUNCT;
      case Character.MATH_SYMBOL:
      case Character.CURRENCY_SYMBOL:
      case Character.MODIFIER_SYMBOL:
      case Character.OTHER_SYMBOL:
        return SYMBOL;
      case Character.SPACE_SEPARATOR:
      case Character.LINE_SEPARATOR:
      case Character.PARAGRAPH_SEPARATOR:
        return SPACE;
      default:
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x85 ? SPACE : 0;
    }
  }

  /** The code point at {@code i}, not reading past {@code end}; an unpaired surrogate stands alone. */
  static int codePointAt(String s, int i, int end) {
    char c = s.charAt(i);
    if (Character.isHighSurrogate(c) && i + 1 < end) {
      char d = s.charAt(i + 1);
      if (Character.isLowSurrogate(d)) {
        return Character.toCodePoint(c, d);
      }
    }
    return c;
  }

  /** End of the run of code points starting at {@code i} whose classes intersect {@code mask}. */
  static int run(String s, int i, int end, int mask) {
    while (i < end) {
      char ch = s.charAt(i);
      if (!Character.isSurrogate(ch)) {
        if ((BMP[ch] & mask) == 0) {
          return i;
        }
        i++;
      } else {
        int cp = codePointAt(s, i, end);
        if ((of(cp) & mask) == 0) {
          return i;
        }
        i += Character.charCount(cp);
      }
    }
    return i;
  }

  /** End of a White_Space run starting at {@code i} (every White_Space character is one UTF-16 unit). */
  static int spaceRun(String s, int i, int end) {
    while (i < end && (BMP[s.charAt(i)] & SPACE) != 0) {
      i++;
    }
    return i;
  }

  /**
   * {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)} at {@code i}: the end of the contraction, or -1. Matched
   * case-insensitively as Unicode simple case folding does, so U+017F (long s) counts as s.
   */
  static int contraction(String s, int i, int end) {
    if (i + 1 >= end || s.charAt(i) != '\'') {
      return -1;
    }
    char a = fold(s.charAt(i + 1));
    if (a == 's' || a == 't' || a == 'm' || a == 'd') {
      return i + 2;
    }
    if (i + 2 < end) {
      char b = fold(s.charAt(i + 2));
      if (((a == 'r' || a == 'v') && b == 'e') || (a == 'l' && b == 'l')) {
        return i + 3;
      }
    }
    return -1;
  }

  private static char fold(char c) {
    if (c >= 'A' && c <= 'Z') {
      return (char) (c + ('a' - 'A'));
    }
    return c == '\u017F' ? 's' : c;
  }

  /**
   * The whitespace alternatives that close the cl100k family of patterns, at a White_Space
   * character {@code i}: {@code \s*[\r\n]+|\s+(?!\S)|\s+}. A run holding a line break ends after
   * its last break; otherwise a run followed by a non-space leaves its last character to the next
   * piece.
   */
  static int spaces(String s, int i, int end) {
    int e = spaceRun(s, i, end);
    for (int k = e - 1; k >= i; k--) {
      char c = s.charAt(k);
      if (c == '\n' || c == '\r') {
        return k + 1;
      }
    }
    return e == end || e - i == 1 ? e : e - 1;
  }

  /** {@code \p{N}{1,max}} at {@code i}: the end of up to {@code max} numbers, or {@code i} if none. */
  static int numbers(String s, int i, int end, int max) {
    int j = i;
    for (int k = 0; k < max && j < end; k++) {
      int c = codePointAt(s, j, end);
      if ((of(c) & NUMBER) == 0) {
        break;
      }
      j += Character.charCount(c);
    }
    return j;
  }
}
