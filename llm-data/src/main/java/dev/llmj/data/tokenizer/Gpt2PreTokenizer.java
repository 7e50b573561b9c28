package dev.llmj.data.tokenizer;

import static dev.llmj.data.tokenizer.UnicodeClass.codePointAt;

/**
 * GPT-2's split pattern as a scanner over code points, equal to {@link java.util.regex.Pattern}
 * compiled with {@code UNICODE_CHARACTER_CLASS} (so {@code \s} is Unicode White_Space, as in the
 * Python {@code regex} module GPT-2 used), without backtracking or allocation. The alternatives, in order:
 *
 * <pre>
 * 's|'t|'re|'ve|'m|'ll|'d          contractions (ASCII apostrophe, lower case only)
 *  ?\p{L}+ |  ?\p{N}+               letters or numbers, with at most one leading space
 *  ?[^\s\p{L}\p{N}]+                anything else, with at most one leading space
 * \s+(?!\S) | \s+                   whitespace; a run before a word leaves its last space to the word
 * </pre>
 */
final class Gpt2PreTokenizer extends ScannedPreTokenizer {
  static final String PATTERN =
      "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
  static final Gpt2PreTokenizer INSTANCE = new Gpt2PreTokenizer();

  private static final byte OTHER = 0;
  private static final byte LETTER = 1;
  private static final byte NUMBER = 2;
  private static final byte SPACE = 3;
  private static final byte[] ASCII = new byte[128];

  static {
    for (int c = 0; c < 128; c++) {
      ASCII[c] = classify(c);
    }
  }

  private Gpt2PreTokenizer() {
    super(PATTERN);
  }

  @Override
  int match(String s, int i, int end) {
    return scan(s, i, end);
  }

  private static byte classify(int cp) {
    int k = UnicodeClass.of(cp);
    return (k & UnicodeClass.LETTER) != 0 ? LETTER : (k & UnicodeClass.NUMBER) != 0 ? NUMBER
        : (k & UnicodeClass.SPACE) != 0 ? SPACE : OTHER;
  }

  private static int cls(int cp) {
    return cp < 128 ? ASCII[cp] : classify(cp);
  }

  /** End of the run of code points of class {@code c} starting at {@code i}. */
  private static int run(String s, int i, int end, int c) {
    while (i < end) {
      char ch = s.charAt(i);
      if (ch < 128) {
        if (ASCII[ch] != c) {
          return i;
        }
        i++;
      } else {
        int cp = codePointAt(s, i, end);
        if (classify(cp) != c) {
          return i;
        }
        i += Character.charCount(cp);
      }
    }
    return i;
  }

  /** The end of the piece that starts at {@code i}; {@code end} acts as the end of input. */
  static int scan(String s, int i, int end) {
    char ch = s.charAt(i);
    if (ch == '\'' && i + 1 < end) {
      char a = s.charAt(i + 1);
      if (a == 's' || a == 't' || a == 'm' || a == 'd') {
        return i + 2;
      }
      if (i + 2 < end) {
        char b = s.charAt(i + 2);
        if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) {
          return i + 3;
        }
      }
    }
    int start = i;
    int cp = codePointAt(s, i, end);
    int c = cls(cp);
    if (cp == ' ' && i + 1 < end) {
      int nextCp = codePointAt(s, i + 1, end);
      int nc = cls(nextCp);
      if (nc != SPACE) {
        return run(s, i + 1 + Character.charCount(nextCp), end, nc);
      }
    }
    if (c != SPACE) {
      return run(s, i + Character.charCount(cp), end, c);
    }
    int runEnd = run(s, i + 1, end, SPACE);
    if (runEnd == end || runEnd - start == 1) {
      return runEnd;
    }
    // The run is followed by a non-space: \s+(?!\S) backs off one character (every White_Space
    // character is a single UTF-16 unit), leaving it to prefix the next word.
    return runEnd - 1;
  }
}
