package dev.llmj.data.pipeline;

import dev.llmj.data.pipeline.PiiStep.Kind;
import dev.llmj.data.pipeline.PiiStep.Span;
import java.util.List;

/** The candidate scanners of {@link PiiStep}; {@link Checks} decides which candidates are real. */
final class PiiScanners {
  private PiiScanners() {}

  /** Found spans plus a bit per char already taken, so the overlap test is not quadratic on mail with hundreds of hits. */
  static final class Spans {
    final List<Span> list = new java.util.ArrayList<>();
    private final java.util.BitSet taken = new java.util.BitSet();

    boolean overlaps(int s, int e) {
      int next = taken.nextSetBit(s);
      return next >= 0 && next < e;
    }

    void add(int s, int e, Kind kind) {
      list.add(new Span(s, e, kind));
      taken.set(s, e);
    }
  }

  private static boolean digit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean hex(char c) {
    return digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static boolean word(char c) {
    return c == '_' || Words.isLetterOrDigit(c);
  }

  /**
   * Local part and domain expanded around each '@'. The domain ends at an alphabetic top-level label
   * of two letters or more that no letter, digit or dash follows; trailing labels that do not
   * qualify are dropped ({@code id@host.example.c om} keeps {@code id@host.example}).
   */
  static void emails(String t, char[] c, Spans spans) {
    int n = t.length();
    for (int at = Words.indexOf(c, n, '@', 0); at >= 0; at = Words.indexOf(c, n, '@', at + 1)) {
      int s = at;
      while (s > 0 && isLocal(c[s - 1])) s--;
      if (s == at) continue;
      int e = at + 1;
      while (e < n && isDomain(c[e])) e++;
      int end = -1;
      // Try each dot from the right: the label after it, cut at its first non-letter, must be the TLD.
      for (int dot = lastIndexOf(c, '.', e - 1); dot > at + 1 && end < 0; dot = lastIndexOf(c, '.', dot - 1)) {
        int k = dot + 1;
        while (k < e && asciiLetter(c[k])) k++;
        boolean ends = k == e || c[k] == '.';
        if (k - dot - 1 >= 2 && ends && c[dot - 1] != '.' && c[dot - 1] != '-') end = k;
      }
      if (end > 0 && !spans.overlaps(s, end)) spans.add(s, end, Kind.EMAIL);
    }
  }

  private static boolean asciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  /** The last index of {@code x} in {@code c[0, from]}, or -1. */
  private static int lastIndexOf(char[] c, char x, int from) {
    for (int i = from; i >= 0; i--) if (c[i] == x) return i;
    return -1;
  }

  private static boolean isLocal(char c) {
    return c < 0x80 && (Words.isLetterOrDigit(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-');
  }

  private static boolean isDomain(char c) {
    return c < 0x80 && (Words.isLetterOrDigit(c) || c == '-' || c == '.');
  }

  /** Runs of hex digits and colons around each ':' with at least two colons, checked as IPv6. */
  static void ipv6(String t, char[] c, Spans spans) {
    int n = t.length();
    for (int colon = Words.indexOf(c, n, ':', 0); colon >= 0; colon = Words.indexOf(c, n, ':', colon + 1)) {
      int s = colon;
      while (s > 0 && (hex(c[s - 1]) || c[s - 1] == ':')) s--;
      int e = colon;
      int colons = 0;
      while (e < n && (hex(c[e]) || c[e] == ':')) {
        if (c[e] == ':') colons++;
        e++;
      }
      for (int k = s; k < colon; k++) if (c[k] == ':') colons++;
      int next = e;
      // A trailing colon belongs to the sentence ("address fe80::1:"), not the address.
      if (e - 1 > s && c[e - 1] == ':' && c[e - 2] != ':') e--;
      boolean bounded = (s == 0 || !(word(c[s - 1]) || c[s - 1] == '.')) && (e == n || !word(c[e]));
      if (colons >= 2 && bounded && Checks.publicIpv6(t.substring(s, e)) && !spans.overlaps(s, e)) {
        spans.add(s, e, Kind.IP);
      }
      colon = Math.max(colon, next - 1);
    }
  }

  /**
   * Dotted quads that are not part of a longer number or word: a quad glued to a letter or digit
   * ({@code v1.2.3.4}, {@code 1234.5.6.7}) or joined by '.' or '-' to more digits ({@code 1.2.3.4.5})
   * is left alone. A quad inside a host name is redacted like one standing on its own, because the
   * name gives the address away: {@code dsl.206.191.151.102.evergo.net} becomes
   * {@code dsl.<IP>.evergo.net}. Addresses written with dashes ({@code host-65-189-7-13}) are kept.
   */
  static void ipv4(String t, char[] c, Spans spans) {
    int n = t.length();
    int from = 0; // the end of the last quad: no quad starts inside it
    // Anchored on dots; most dots have no digit before them.
    for (int dot = Words.indexOf(c, n, '.', 0); dot > 0; dot = Words.indexOf(c, n, '.', dot + 1)) {
      if (!digit(c[dot - 1])) continue;
      int i = dot - 1;
      while (i > 0 && digit(c[i - 1])) i--;
      if (i < from || dot - i > 3) continue;
      int e = i;
      int groups = 0;
      while (groups < 4) {
        int g = e;
        while (e < n && e - g < 4 && digit(c[e])) e++;
        if (e == g || e - g > 3) break;
        if (++groups < 4) {
          if (e + 1 >= n || c[e] != '.' || !digit(c[e + 1])) break;
          e++;
        }
      }
      if (groups < 4) continue;
      boolean joinedLeft = i > 0 && (word(c[i - 1]) || (i > 1 && (c[i - 1] == '.' || c[i - 1] == '-') && digit(c[i - 2])));
      boolean joinedRight = e < n && (word(c[e]) || (e + 1 < n && (c[e] == '.' || c[e] == '-') && digit(c[e + 1])));
      if (!joinedLeft && !joinedRight && Checks.publicIpv4(t.substring(i, e)) && !spans.overlaps(i, e)) {
        spans.add(i, e, Kind.IP);
      }
      from = e;
      dot = e - 1;
    }
  }

  /** Two upper-case letters and two digits at a word start, then up to 30 letters/digits in groups. */
  static void ibans(String t, char[] c, Spans spans) {
    int n = t.length();
    for (int i = 0; i + 4 < n; i++) {
      if (!digit(c[i + 3])) {
        i++; // neither i nor i + 1 can start one: both need a digit at i + 3
        continue;
      }
      char a = c[i];
      if (a < 'A' || a > 'Z') continue;
      if (i > 0 && word(c[i - 1])) continue;
      char b = c[i + 1];
      if (b < 'A' || b > 'Z' || !digit(c[i + 2]) || !digit(c[i + 3])) continue;
      int e = i + 4;
      int chars = 4;
      int bestEnd = -1;
      while (e < n && chars < 34) {
        char ch = c[e];
        if (ch == ' ' && e + 1 < n && isIbanChar(c[e + 1])) {
          e++;
          continue;
        }
        if (!isIbanChar(ch)) break;
        e++;
        chars++;
        if (chars >= 15 && (e == n || !word(c[e])) && Checks.iban(t.substring(i, e))) bestEnd = e;
      }
      if (bestEnd > 0 && !spans.overlaps(i, bestEnd)) {
        spans.add(i, bestEnd, Kind.IBAN);
        i = bestEnd;
      }
    }
  }

  private static boolean isIbanChar(char c) {
    return digit(c) || (c >= 'A' && c <= 'Z');
  }

  /**
   * Numeric tokens: digits joined by single separators (space, dot, dash), an optional leading
   * '+' and a bracketed area code; a token never ends on a separator. A token of four dotted
   * groups is an address, which {@link #ipv4} judges; otherwise a card candidate (13-19 digits,
   * Luhn, issuer prefix), else a phone candidate.
   */
  static void numbers(String t, char[] c, Spans spans, PiiConfig cfg) {
    if (!cfg.creditCard() && !cfg.phone()) return;
    int n = t.length();
    int i = 0;
    while (i < n) {
      char ch = c[i];
      boolean opens = digit(ch) || ((ch == '+' || ch == '(') && i + 1 < n && digit(c[i + 1]));
      if (!opens || (i > 0 && (word(c[i - 1]) || c[i - 1] == '+' || c[i - 1] == '-' || c[i - 1] == '.'))) {
        i++;
        continue;
      }
      int e = tokenEnd(c, n, i);
      if (e < n && word(c[e])) {
        // Glued to letters (an id like 1234abc): skip the whole word.
        while (e < n && word(c[e])) e++;
        i = e;
        continue;
      }
      Kind kind = classify(t, c, i, e, cfg);
      if (kind != null && !spans.overlaps(i, e)) spans.add(i, e, kind);
      i = Math.max(e, i + 1);
    }
  }

  private static int tokenEnd(char[] c, int n, int s) {
    int e = s;
    if (c[e] == '+') e++;
    while (e < n) {
      char ch = c[e];
      if (digit(ch)) {
        e++;
      } else if (ch == '(' && e + 1 < n && digit(c[e + 1])) {
        int close = e + 1;
        while (close < n && digit(c[close])) close++;
        if (close >= n || c[close] != ')' || close - e > 5) break;
        e = close + 1;
      } else if (separator(ch) && e + 1 < n && e > s && (digit(c[e + 1]) || c[e + 1] == '(') && !separator(c[e - 1])) {
        e++;
      } else {
        break;
      }
    }
    // "65.189.7.13 (HELO ...)": the space before a '(' that opens no area code is not part of the token.
    while (e > s + 1 && separator(c[e - 1])) e--;
    return e;
  }

  private static boolean separator(char c) {
    return c == ' ' || c == '.' || c == '-';
  }

  /** 1999-12-31, 2002.08.22, 2002 08 22 in {@code c[s, e)}: year-first dates, common in mail headers and logs. */
  private static boolean looksLikeDate(char[] c, int s, int e) {
    if (e - s < 10) return false;
    char sep = c[s + 4];
    boolean century = (c[s] == '1' && c[s + 1] == '9') || (c[s] == '2' && c[s + 1] == '0');
    return century && digit(c[s + 2]) && digit(c[s + 3]) && (sep == '-' || sep == '.' || sep == ' ')
        && digit(c[s + 5]) && digit(c[s + 6]) && c[s + 7] == sep;
  }

  private static Kind classify(String t, char[] chars, int s, int e, PiiConfig cfg) {
    int digits = 0;
    int groups = 0;
    int maxGroup = 0;
    int run = 0;
    boolean dotsOnly = true;
    boolean cardSeps = true;
    for (int k = s; k < e; k++) {
      char c = chars[k];
      if (digit(c)) {
        digits++;
        if (run++ == 0) groups++;
        maxGroup = Math.max(maxGroup, run);
      } else {
        run = 0;
        if (c != '.') dotsOnly = false;
        if (c != ' ' && c != '-') cardSeps = false;
      }
    }
    if (dotsOnly && groups == 4 && maxGroup <= 3 && chars[s] != '+' && chars[s] != '(') return null;
    if (dotsOnly && groups > 1 && groups != 4) {
      // Version numbers and decimals (1.2.3, 3.14) are not phones.
      if (groups > 4 || maxGroup < 2) return null;
    }
    if (cfg.creditCard() && cardSeps && digits >= 13 && digits <= 19) {
      String token = t.substring(s, e);
      if (Checks.luhn(token) && Checks.cardPrefix(token)) return Kind.CREDIT_CARD;
    }
    boolean timeFollows = e < t.length() && chars[e] == ':';
    if (cfg.phone() && !timeFollows && !looksLikeDate(chars, s, e) && Checks.phone(chars[s] == '+', digits, groups, maxGroup)) {
      return Kind.PHONE;
    }
    return null;
  }
}
