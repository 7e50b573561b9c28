package dev.llmj.data.tokenizer;

import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What a Hugging Face split finds in a piece of text: consecutive spans covering it, each flagged
 * as a match or not. Regular expressions in {@code tokenizer.json} are Oniguruma syntax; {@link
 * #toJava} rewrites the constructs whose meaning differs in {@link java.util.regex}.
 */
abstract class SplitPattern {

  /** Receives spans in order; together they cover the text. */
  interface Spans {
    void span(int start, int end, boolean match);
  }

  /** Calls {@code out} with the spans of {@code text}; an empty text is one empty non-match. */
  void find(String text, Spans out) {
    if (text.isEmpty()) {
      out.span(0, 0, false);
    } else {
      spans(text, out);
    }
  }

  /** The spans of a non-empty text. */
  abstract void spans(String text, Spans out);

  /** Every match of a regular expression, as Oniguruma's {@code find_iter} yields them. */
  static SplitPattern regex(String onigRegex, String where) {
    Pattern p = compile(onigRegex, where);
    return new SplitPattern() {
      @Override
      void spans(String text, Spans out) {
        Matcher m = p.matcher(text);
        int prev = 0;
        int lastEnd = -1;
        for (int from = 0; from <= text.length() && m.find(from); ) {
          int start = m.start();
          int end = m.end();
          // After an empty match the search moves on by one code point (Java's find would move
          // by one UTF-16 unit, into a surrogate pair); an empty match right after a match is
          // skipped, as Oniguruma's iterator does.
          from = start == end ? end + (end < text.length() ? Character.charCount(text.codePointAt(end)) : 1) : end;
          if (start == end && end == lastEnd) {
            continue;
          }
          if (prev != start) {
            out.span(prev, start, false);
          }
          out.span(start, end, true);
          prev = end;
          lastEnd = end;
        }
        if (prev != text.length()) {
          out.span(prev, text.length(), false);
        }
      }
    };
  }

  /** Every occurrence of a literal string, left to right. */
  static SplitPattern literal(String s, String where) {
    if (s.isEmpty()) {
      return new SplitPattern() {
        @Override
        void spans(String text, Spans out) {
          out.span(0, text.length(), false);
        }
      };
    }
    return regex(quoteOnig(s), where);
  }

  /** Each character that passes the test is its own match. */
  static SplitPattern chars(IntPredicate test) {
    return new SplitPattern() {
      @Override
      void spans(String text, Spans out) {
        int last = 0;
        for (int i = 0; i < text.length(); ) {
          int c = text.codePointAt(i);
          int next = i + Character.charCount(c);
          if (test.test(c)) {
            if (last < i) {
              out.span(last, i, false);
            }
            out.span(i, next, true);
            last = next;
          }
          i = next;
        }
        if (last < text.length()) {
          out.span(last, text.length(), false);
        }
      }
    };
  }

  /** The same spans with match flags flipped (Hugging Face's {@code invert}). */
  SplitPattern inverted() {
    SplitPattern self = this;
    return new SplitPattern() {
      @Override
      void find(String text, Spans out) {
        self.find(text, (s, e, m) -> out.span(s, e, !m)); // an empty text is one empty match
      }

      @Override
      void spans(String text, Spans out) {
        find(text, out);
      }
    };
  }

  static Pattern compile(String onigRegex, String where) {
    try {
      return Pattern.compile(toJava(onigRegex), Pattern.UNICODE_CHARACTER_CLASS);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException(where + ": regular expression " + onigRegex
          + " is not valid: " + e.getDescription() + " near index " + e.getIndex(), e);
    }
  }

  private static String quoteOnig(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ("\\^$.|?*+()[]{}-&~#".indexOf(c) >= 0 || c == ' ') {
        b.append('\\');
      }
      b.append(c);
    }
    return b.toString();
  }

  /**
   * Rewrites an Oniguruma (Ruby syntax) expression for {@link java.util.regex} with {@code
   * UNICODE_CHARACTER_CLASS}: {@code \h}/{@code \H} are hexadecimal digits there but horizontal
   * space in Java, and POSIX brackets such as {@code [[:alpha:]]} are Java's {@code \p{Alpha}}.
   * Everything the open models' split patterns use ({@code \p{L}}, {@code \s}, {@code (?i:...)},
   * look-ahead, possessive and atomic groups) means the same in both and is kept as written.
   */
  static String toJava(String onig) {
    StringBuilder b = new StringBuilder(onig.length() + 8);
    int depth = 0; // inside a character class
    for (int i = 0; i < onig.length(); i++) {
      char c = onig.charAt(i);
      if (c == '\\' && i + 1 < onig.length()) {
        char d = onig.charAt(i + 1);
        if (d == 'h' || d == 'H') {
          String hex = "0-9a-fA-F";
          b.append(depth > 0 ? (d == 'h' ? hex : "&&[^" + hex + "]") : (d == 'h' ? "[" + hex + "]" : "[^" + hex + "]"));
        } else {
          b.append(c).append(d);
        }
        i++;
      } else if (c == '[' && depth > 0 && onig.startsWith("[:", i)) {
        int close = onig.indexOf(":]", i + 2);
        if (close < 0) {
          b.append(c);
          continue;
        }
        String name = onig.substring(i + 2, close);
        boolean negated = name.startsWith("^");
        String posix = posix(negated ? name.substring(1) : name);
        if (posix == null) {
          throw new IllegalArgumentException("POSIX bracket [:" + name + ":] in " + onig
              + " is not supported; supported: alnum, alpha, blank, cntrl, digit, graph, lower, print, "
              + "punct, space, upper, xdigit, word");
        }
        b.append(negated ? "&&[^" + posix + "]" : posix);
        i = close + 1;
      } else {
        if (c == '[') {
          depth++;
        } else if (c == ']' && depth > 0) {
          depth--;
        }
        b.append(c);
      }
    }
    return b.toString();
  }

  private static String posix(String name) {
    switch (name) {
      case "alnum": return "\\p{Alnum}";
      case "alpha": return "\\p{Alpha}";
      case "blank": return "\\p{Blank}";
      case "cntrl": return "\\p{Cntrl}";
      case "digit": return "\\p{Digit}";
      case "graph": return "\\p{Graph}";
      case "lower": return "\\p{Lower}";
      case "print": return "\\p{Print}";
      case "punct": return "\\p{Punct}";
      case "space": return "\\s";
      case "upper": return "\\p{Upper}";
      case "xdigit": return "0-9a-fA-F";
      case "word": return "\\w";
      default: return null;
    }
  }
}
