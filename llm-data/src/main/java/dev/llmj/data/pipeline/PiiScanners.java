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
  static void emails(String t, Spans spans) {
    for (int at = t.indexOf('@'); at >= 0; at = t.indexOf('@', at + 1)) {
      int s = at;
      while (s > 0 && isLocal(t.charAt(s - 1))) s--;
      if (s == at) continue;
      int e = at + 1;
      while (e < t.length() && isDomain(t.charAt(e))) e++;
      int end = -1;
      // Try each dot from the right: the label after it, cut at its first non-letter, must be the TLD.
      for (int dot = t.lastIndexOf('.', e - 1); dot > at + 1 && end < 0; dot = t.lastIndexOf('.', dot - 1)) {
        int k = dot + 1;
        while (k < e && t.charAt(k) < 0x80 && Character.isLetter(t.charAt(k))) k++;
        boolean ends = k == e || t.charAt(k) == '.';
        if (k - dot - 1 >= 2 && ends && t.charAt(dot - 1) != '.' && t.charAt(dot - 1) != '-') end = k;
      }
      if (end > 0 && !spans.overlaps(s, end)) spans.add(s, end, Kind.EMAIL);
    }
  }

  private static boolean isLocal(char c) {
    return c < 0x80 && (Words.isLetterOrDigit(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-');
  }

  private static boolean isDomain(char c) {
    return c < 0x80 && (Words.isLetterOrDigit(c) || c == '-' || c == '.');
  }

  /** Runs of hex digits and colons around each ':' with at least two colons, checked as IPv6. */
  static void ipv6(String t, Spans spans) {
    int n = t.length();
    for (int c = t.indexOf(':'); c >= 0; c = t.indexOf(':', c + 1)) {
      int s = c;
      while (s > 0 && (hex(t.charAt(s - 1)) || t.charAt(s - 1) == ':')) s--;
      int e = c;
      int colons = 0;
      while (e < n && (hex(t.charAt(e)) || t.charAt(e) == ':')) {
        if (t.charAt(e) == ':') colons++;
        e++;
      }
      for (int k = s; k < c; k++) if (t.charAt(k) == ':') colons++;
      int next = e;
      // A trailing colon belongs to the sentence ("address fe80::1:"), not the address.
      if (e - 1 > s && t.charAt(e - 1) == ':' && t.charAt(e - 2) != ':') e--;
      boolean bounded = (s == 0 || !(word(t.charAt(s - 1)) || t.charAt(s - 1) == '.'))
          && (e == n || !word(t.charAt(e)));
      if (colons >= 2 && bounded && Checks.publicIpv6(t.substring(s, e)) && !spans.overlaps(s, e)) {
        spans.add(s, e, Kind.IP);
      }
      c = Math.max(c, next - 1);
    }
  }

  /**
   * Dotted quads that are not part of a longer number or word: a quad glued to a letter or digit
   * ({@code v1.2.3.4}, {@code 1234.5.6.7}) or joined by '.' or '-' to more digits ({@code 1.2.3.4.5})
   * is left alone. A quad inside a host name is redacted like one standing on its own, because the
   * name gives the address away: {@code dsl.206.191.151.102.evergo.net} becomes
   * {@code dsl.<IP>.evergo.net}. Addresses written with dashes ({@code host-65-189-7-13}) are kept.
   */
  static void ipv4(String t, Spans spans) {
    int n = t.length();
    int from = 0; // the end of the last quad: no quad starts inside it
    // Anchored on dots (String.indexOf is a vector scan); most dots have no digit before them.
    for (int dot = t.indexOf('.'); dot > 0; dot = t.indexOf('.', dot + 1)) {
      if (!digit(t.charAt(dot - 1))) continue;
      int i = dot - 1;
      while (i > 0 && digit(t.charAt(i - 1))) i--;
      if (i < from || dot - i > 3) continue;
      int e = i;
      int groups = 0;
      while (groups < 4) {
        int g = e;
        while (e < n && e - g < 4 && digit(t.charAt(e))) e++;
        if (e == g || e - g > 3) break;
        if (++groups < 4) {
          if (e + 1 >= n || t.charAt(e) != '.' || !digit(t.charAt(e + 1))) break;
          e++;
        }
      }
      if (groups < 4) continue;
      boolean joinedLeft = i > 0 && (word(t.charAt(i - 1))
          || (i > 1 && (t.charAt(i - 1) == '.' || t.charAt(i - 1) == '-') && digit(t.charAt(i - 2))));
      boolean joinedRight = e < n && (word(t.charAt(e))
          || (e + 1 < n && (t.charAt(e) == '.' || t.charAt(e) == '-') && digit(t.charAt(e + 1))));
      if (!joinedLeft && !joinedRight && Checks.publicIpv4(t.substring(i, e)) && !spans.overlaps(i, e)) {
        spans.add(i, e, Kind.IP);
      }
      from = e;
      dot = e - 1;
    }
  }

  /** Two upper-case letters and two digits at a word start, then up to 30 letters/digits in groups. */
  static void ibans(String t, Spans spans) {
    int n = t.length();
    for (int i = 0; i + 4 < n; i++) {
      if (!digit(t.charAt(i + 3))) {
        i++; // neither i nor i + 1 can start one: both need a digit at i + 3
        continue;
      }
      char a = t.charAt(i);
      if (a < 'A' || a > 'Z') continue;
      if (i > 0 && word(t.charAt(i - 1))) continue;
      char b = t.charAt(i + 1);
      if (b < 'A' || b > 'Z' || !digit(t.charAt(i + 2)) || !digit(t.charAt(i + 3))) continue;
      int e = i + 4;
      int chars = 4;
      int bestEnd = -1;
      while (e < n && chars < 34) {
        char ch = t.charAt(e);
        if (ch == ' ' && e + 1 < n && isIbanChar(t.charAt(e + 1))) {
          e++;
          continue;
        }
        if (!isIbanChar(ch)) break;
        e++;
        chars++;
        if (chars >= 15 && (e == n || !word(t.charAt(e))) && Checks.iban(t.substring(i, e))) bestEnd = e;
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
  static void numbers(String t, Spans spans, PiiConfig cfg) {
    if (!cfg.creditCard() && !cfg.phone()) return;
    int n = t.length();
    int i = 0;
    while (i < n) {
      char c = t.charAt(i);
      boolean opens = digit(c) || ((c == '+' || c == '(') && i + 1 < n && digit(t.charAt(i + 1)));
      if (!opens || (i > 0 && (word(t.charAt(i - 1)) || "+-.".indexOf(t.charAt(i - 1)) >= 0))) {
        i++;
        continue;
      }
      int e = tokenEnd(t, i);
      if (e < n && (word(t.charAt(e)))) {
        // Glued to letters (an id like 1234abc): skip the whole word.
        while (e < n && word(t.charAt(e))) e++;
        i = e;
        continue;
      }
      Kind kind = classify(t, i, e, cfg);
      if (kind != null && !spans.overlaps(i, e)) spans.add(i, e, kind);
      i = Math.max(e, i + 1);
    }
  }

  private static int tokenEnd(String t, int s) {
    int n = t.length();
    int e = s;
    if (t.charAt(e) == '+') e++;
    while (e < n) {
      char c = t.charAt(e);
      if (digit(c)) {
        e++;
      } else if (c == '(' && e + 1 < n && digit(t.charAt(e + 1))) {
        int close = e + 1;
        while (close < n && digit(t.charAt(close))) close++;
        if (close >= n || t.charAt(close) != ')' || close - e > 5) break;
        e = close + 1;
      } else if ((c == ' ' || c == '.' || c == '-') && e + 1 < n && e > s
          && (digit(t.charAt(e + 1)) || t.charAt(e + 1) == '(') && t.charAt(e - 1) != ' ' && t.charAt(e - 1) != '-'
          && t.charAt(e - 1) != '.') {
        e++;
      } else {
        break;
      }
    }
    // "65.189.7.13 (HELO ...)": the space before a '(' that opens no area code is not part of the token.
    while (e > s + 1 && (t.charAt(e - 1) == ' ' || t.charAt(e - 1) == '.' || t.charAt(e - 1) == '-')) e--;
    return e;
  }

  /** 1999-12-31, 2002.08.22, 2002 08 22: year-first dates, common in mail headers and logs. */
  private static boolean looksLikeDate(String token) {
    if (token.length() < 10) return false;
    char sep = token.charAt(4);
    return (token.startsWith("19") || token.startsWith("20")) && digit(token.charAt(2)) && digit(token.charAt(3))
        && (sep == '-' || sep == '.' || sep == ' ') && digit(token.charAt(5)) && digit(token.charAt(6)) && token.charAt(7) == sep;
  }

  private static Kind classify(String t, int s, int e, PiiConfig cfg) {
    int digits = 0;
    int groups = 0;
    int maxGroup = 0;
    int run = 0;
    boolean dotsOnly = true;
    boolean cardSeps = true;
    for (int k = s; k < e; k++) {
      char c = t.charAt(k);
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
    if (dotsOnly && groups == 4 && maxGroup <= 3 && t.charAt(s) != '+' && t.charAt(s) != '(') return null;
    if (dotsOnly && groups > 1 && groups != 4) {
      // Version numbers and decimals (1.2.3, 3.14) are not phones.
      if (groups > 4 || maxGroup < 2) return null;
    }
    String token = t.substring(s, e);
    if (cfg.creditCard() && cardSeps && digits >= 13 && digits <= 19 && Checks.luhn(token) && Checks.cardPrefix(token)) {
      return Kind.CREDIT_CARD;
    }
    boolean timeFollows = e < t.length() && t.charAt(e) == ':';
    if (cfg.phone() && !timeFollows && !looksLikeDate(token) && Checks.phone(token, groups, maxGroup)) return Kind.PHONE;
    return null;
  }
}
