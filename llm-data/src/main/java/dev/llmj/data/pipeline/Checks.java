package dev.llmj.data.pipeline;

import java.math.BigInteger;

/** Validity checks that turn PII pattern candidates into real hits. */
final class Checks {
  private Checks() {}

  static String digitsOnly(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) if (Character.isDigit(s.charAt(i))) sb.append(s.charAt(i));
    return sb.toString();
  }

  static boolean luhn(String s) {
    String d = digitsOnly(s);
    if (d.length() < 13 || d.length() > 19) return false;
    int sum = 0;
    for (int i = 0; i < d.length(); i++) {
      int v = d.charAt(d.length() - 1 - i) - '0';
      if (i % 2 == 1) {
        v *= 2;
        if (v > 9) v -= 9;
      }
      sum += v;
    }
    return sum % 10 == 0;
  }

  /** Issuer prefix and length of the major card networks (Visa, Mastercard, Amex, Discover, JCB, Diners). */
  static boolean cardPrefix(String s) {
    String d = digitsOnly(s);
    int n = d.length();
    int p2 = Integer.parseInt(d.substring(0, 2));
    int p4 = Integer.parseInt(d.substring(0, 4));
    if (d.charAt(0) == '4') return n == 13 || n == 16 || n == 19;
    if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return n == 16;
    if (p2 == 34 || p2 == 37) return n == 15;
    if (p4 == 6011 || p2 == 65 || (p4 >= 6440 && p4 <= 6499) || p2 == 35) return n >= 16 && n <= 19;
    if (p2 == 36 || p2 == 38 || (p4 >= 3000 && p4 <= 3059)) return n >= 14 && n <= 19;
    return false;
  }

  /** ISO 13616: move the first four characters to the end, letters to 10..35, remainder mod 97 is 1. */
  static boolean iban(String s) {
    String c = s.replace(" ", "");
    if (c.length() < 15 || c.length() > 34) return false;
    String r = c.substring(4) + c.substring(0, 4);
    StringBuilder num = new StringBuilder();
    for (int i = 0; i < r.length(); i++) {
      char ch = r.charAt(i);
      if (ch >= '0' && ch <= '9') num.append(ch);
      else if (ch >= 'A' && ch <= 'Z') num.append(ch - 'A' + 10);
      else return false;
    }
    return new BigInteger(num.toString()).mod(BigInteger.valueOf(97)).intValue() == 1;
  }

  /** A dotted quad {@code a.b.c.d}, each 0..255 without leading zeros, outside the non-public ranges. */
  static boolean publicIpv4(String s) {
    String[] parts = s.split("\\.");
    if (parts.length != 4) return false;
    int[] o = new int[4];
    for (int i = 0; i < 4; i++) {
      String g = parts[i];
      if (g.length() > 1 && g.charAt(0) == '0') return false; // leading zeros: a version number, not an address
      o[i] = Integer.parseInt(g);
      if (o[i] > 255) return false;
    }
    return publicIpv4(o[0], o[1], o[2]);
  }

  static boolean publicIpv4(int a, int b, int c) {
    return !(a == 0 || a == 10 || a == 127 || a >= 224
        || (a == 100 && b >= 64 && b <= 127) // carrier-grade NAT
        || (a == 169 && b == 254) // link-local
        || (a == 172 && b >= 16 && b <= 31)
        || (a == 192 && b == 168)
        || (a == 192 && b == 0 && (c == 0 || c == 2)) // IETF protocol, TEST-NET-1
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || (a == 198 && b == 51 && c == 100) // TEST-NET-2
        || (a == 203 && b == 0 && c == 113)); // TEST-NET-3
  }

  /** Parses an IPv6 literal (with at most one "::") and tells whether it is globally routable. */
  static boolean publicIpv6(String s) {
    int[] g = parseIpv6(s);
    if (g == null) return false;
    if ((g[0] & 0xe000) != 0x2000) return false; // only 2000::/3 is global unicast
    return !(g[0] == 0x2001 && g[1] == 0x0db8); // documentation
  }

  static int[] parseIpv6(String s) {
    int dc = s.indexOf("::");
    if (dc >= 0 && s.indexOf("::", dc + 1) >= 0) return null;
    String[] head = dc >= 0 ? split(s.substring(0, dc)) : split(s);
    String[] tail = dc >= 0 ? split(s.substring(dc + 2)) : new String[0];
    if (head == null || tail == null) return null;
    int total = head.length + tail.length;
    if (dc < 0 ? total != 8 : total > 7) return null;
    int[] g = new int[8];
    for (int i = 0; i < head.length; i++) g[i] = Integer.parseInt(head[i], 16);
    for (int i = 0; i < tail.length; i++) g[8 - tail.length + i] = Integer.parseInt(tail[i], 16);
    return g;
  }

  private static String[] split(String part) {
    if (part.isEmpty()) return new String[0];
    String[] groups = part.split(":", -1);
    for (String x : groups) if (x.isEmpty() || x.length() > 4) return null;
    return groups;
  }

  /**
   * A phone number: with a leading '+', 8..15 digits in any grouping (E.164); otherwise 10..15
   * digits in at least two groups of at most 4 digits, so that plain ids and long numbers are not
   * taken for phones. {@code digits}, {@code groups} and {@code maxGroup} count the candidate's ASCII digits.
   */
  static boolean phone(boolean leadingPlus, int digits, int groups, int maxGroup) {
    if (leadingPlus) return digits >= 8 && digits <= 15;
    return digits >= 10 && digits <= 15 && groups >= 2 && maxGroup <= 4;
  }
}
