package dev.llmj.data.tokenizer;

import java.util.Random;

/** Seeded random strings aimed at the edges of split patterns. */
final class SplitFuzz {
  /**
   * Characters each pattern distinguishes: whitespace of every kind (CR, LF, Unicode spaces),
   * apostrophes before contraction letters in both cases and long s (U+017F), letters of each
   * case class (Lu, Ll, Lt, Lm, Lo), combining marks, digits of several scripts and planes,
   * ASCII and Unicode punctuation and symbols, slash, CJK and kana, unassigned and control
   * characters, emoji with joiners and modifiers, surrogate pairs and unpaired halves.
   */
  private static final String[] ALPHABET = {" ", " ", "  ", "\t", "\n", "\r", "\r\n", "\u000b", "\f",
      "\u0085", "\u00a0", "\u1680", "\u2000", "\u2028", "\u2029", "\u202f", "\u3000", "'", "'", "'s",
      "'S", "'t", "'T", "'re", "'RE", "'rE", "'ve", "'Ve", "'m", "'M", "'ll", "'lL", "'d", "'D", "'\u017f",
      "s", "t", "re", "ll", "a", "b", "Z", "Q", "\u01c5", "\u02b0", "\u05d0", "\u00e9", "\u00c9", "\u0301",
      "\u0903", "\u20dd", "\u3005", "0", "7", "\u0661", "\u0967", "\u00bd", "\u2167", "\u2460",
      "\ud835\udfce", "\ud800\udd07", ".", ",", "!", "?", "-", "_", "/", "//", "\\", "$", "+", "<", "@",
      "[", "`", "{", "~", "\u00a7", "\u2014", "\u201c", "\u3002", "\u20ac", "\u00a9", "\u4e00", "\u9fa5",
      "\u9fa6", "\u3041", "\u30a2", "\u30fc", "\u3040", "\uac00", "\u0000", "\u0007", "\u200b", "\u200d",
      "\ufeff", "\ue000", "\ud83d\ude00", "\ud83d\udc4d\ud83c\udffd", "\ud83d\udc68\u200d\ud83d\udc69",
      "\ud83c\uddfa\ud83c\uddf8", "\ud800", "\udc00", "\udbff\udfff", "\ud83d"};

  private SplitFuzz() {}

  /** A string of {@code n} pieces from {@link #ALPHABET}, with a random code point now and then. */
  static String tricky(Random rnd, int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      if (rnd.nextInt(12) == 0) {
        sb.appendCodePoint(TestCorpora.randomCodePoint(rnd));
      } else {
        sb.append(ALPHABET[rnd.nextInt(ALPHABET.length)]);
      }
    }
    return sb.toString();
  }

  /** Code points drawn uniformly from all planes, assigned or not, surrogates included. */
  static String anyCodePoints(Random rnd, int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      int plane = rnd.nextInt(4);
      int cp = plane == 0 ? rnd.nextInt(0x10000) : plane == 1 ? 0x10000 + rnd.nextInt(0x20000) : rnd.nextInt(0x110000);
      sb.appendCodePoint(cp);
    }
    return sb.toString();
  }

  /** A very long word, mostly one class, with rare breaks. */
  static String longWord(Random rnd, int n) {
    String[] parts = {"a", "B", "\u00e9", "\u0301", "7", "\u4e00", "\u05d0", " ", "'s", "\n", "!"};
    int main = rnd.nextInt(parts.length);
    StringBuilder sb = new StringBuilder();
    while (sb.length() < n) {
      sb.append(rnd.nextInt(50) == 0 ? parts[rnd.nextInt(parts.length)] : parts[main]);
    }
    return sb.toString();
  }

  /**
   * Unpaired surrogates replaced by U+FFFD, for references that take only well-formed text (they
   * have no UTF-8 form: JTokkit writes them as {@code ?}, Rust strings cannot hold them).
   */
  static String wellFormed(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      sb.appendCodePoint(Character.isSurrogate((char) cp) && cp < 0x10000 ? 0xFFFD : cp);
      i += Character.charCount(cp);
    }
    return sb.toString();
  }
}
