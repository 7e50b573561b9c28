package dev.llmj.data.tokenizer;

import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/** Hugging Face's normalizers, each a function from text to normalized text. */
final class Normalizers {
  private Normalizers() {}

  static UnaryOperator<String> unicode(java.text.Normalizer.Form form) {
    return s -> java.text.Normalizer.normalize(s, form);
  }

  /** Each character's full lower case on its own (no context rules such as Greek final sigma). */
  static String lowercase(String s) {
    StringBuilder b = null;
    for (int i = 0; i < s.length(); ) {
      int c = s.codePointAt(i);
      int n = Character.charCount(c);
      if (c < 0x80) {
        if (b != null) {
          b.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : (char) c);
        } else if (c >= 'A' && c <= 'Z') {
          b = new StringBuilder(s.length()).append(s, 0, i).append((char) (c + 32));
        }
      } else {
        String lower = s.substring(i, i + n).toLowerCase(Locale.ROOT);
        if (b == null && !lower.equals(s.substring(i, i + n))) {
          b = new StringBuilder(s.length() + 4).append(s, 0, i);
        }
        if (b != null) {
          b.append(lower);
        }
      }
      i += n;
    }
    return b == null ? s : b.toString();
  }

  /** Strip: White_Space removed from the left and/or right end. */
  static UnaryOperator<String> strip(boolean left, boolean right) {
    return s -> {
      int from = 0;
      int to = s.length();
      while (left && from < to && CharClass.isWhiteSpace(s.codePointAt(from))) {
        from += Character.charCount(s.codePointAt(from));
      }
      while (right && to > from && CharClass.isWhiteSpace(s.codePointBefore(to))) {
        to -= Character.charCount(s.codePointBefore(to));
      }
      return s.substring(from, to);
    };
  }

  /** StripAccents: removes combining marks (usually after NFD). */
  static String stripAccents(String s) {
    StringBuilder b = new StringBuilder(s.length());
    s.codePoints().filter(c -> !CharClass.isMark(c)).forEach(b::appendCodePoint);
    return b.toString();
  }

  /** Replace: each match of the pattern becomes {@code content}. */
  static UnaryOperator<String> replace(SplitPattern pattern, String content) {
    return s -> {
      StringBuilder b = new StringBuilder(s.length() + 8);
      pattern.find(s, (start, end, match) -> b.append(match ? content : s.substring(start, end)));
      return b.toString();
    };
  }

  /** Prepend: {@code prefix} before any non-empty text. */
  static UnaryOperator<String> prepend(String prefix) {
    return s -> s.isEmpty() ? s : prefix + s;
  }

  static UnaryOperator<String> sequence(List<UnaryOperator<String>> steps) {
    return s -> {
      for (UnaryOperator<String> n : steps) {
        s = n.apply(s);
      }
      return s;
    };
  }
}
