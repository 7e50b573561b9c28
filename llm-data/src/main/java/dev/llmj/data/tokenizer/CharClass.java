package dev.llmj.data.tokenizer;

/**
 * The character classes Hugging Face's tokenizers test with Rust's {@code char} methods, spelled
 * from the Unicode properties (Java's {@link Character#isWhitespace} and friends differ: it omits
 * no-break spaces and counts U+001C..U+001F).
 */
final class CharClass {
  private CharClass() {}

  /** Unicode White_Space, Rust's {@code char::is_whitespace} and regex {@code \s}. */
  static boolean isWhiteSpace(int c) {
    return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680
        || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F
        || c == 0x3000;
  }

  /** Rust's {@code char::is_numeric}: general categories Nd, Nl, No. */
  static boolean isNumeric(int c) {
    return (UnicodeClass.of(c) & UnicodeClass.NUMBER) != 0;
  }

  /** Hugging Face's punctuation test: ASCII punctuation or a P* general category. */
  static boolean isPunctuation(int c) {
    if (c < 0x80) {
      return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60)
          || (c >= 0x7B && c <= 0x7E);
    }
    return (UnicodeClass.of(c) & UnicodeClass.PUNCT) != 0;
  }

  /** A combining mark (general categories Mn, Mc, Me), what StripAccents removes. */
  static boolean isMark(int c) {
    return (UnicodeClass.of(c) & UnicodeClass.MARK) != 0;
  }

  /** Regex {@code \w} in Unicode mode: alphabetic, marks, decimal digits, connector punctuation, joiners. */
  static boolean isWordChar(int c) {
    return Character.isAlphabetic(c) || isMark(c) || Character.getType(c) == Character.DECIMAL_DIGIT_NUMBER
        || Character.getType(c) == Character.CONNECTOR_PUNCTUATION || c == 0x200C || c == 0x200D;
  }
}
