package dev.llmj.data.pipeline;

import dev.llmj.data.Document;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds personal data spans, checks each candidate (IP ranges, Luhn, mod-97), and replaces them
 * with typed placeholders. Candidates are found by cheap patterns; the checks remove false hits.
 */
final class PiiStep implements Formatter {
  enum Kind { EMAIL, CREDIT_CARD, IBAN, IP, PHONE }

  private static final Pattern IPV4 = Pattern.compile("(?<![\\d.])(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})(?!\\.?\\d)");
  private static final Pattern IPV6 = Pattern.compile("(?<![\\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\\w:])");
  private static final Pattern CARD = Pattern.compile("(?<![\\d-])\\d(?:[ -]?\\d){12,18}(?![\\d])");
  private static final Pattern IBAN = Pattern.compile("\\b[A-Z]{2}\\d{2}(?: ?[A-Z0-9]){11,30}\\b");
  private static final Pattern PHONE = Pattern.compile(
      "(?<![\\w+.-])(?:\\+\\d{1,3}[ .-]?)?(?:\\(\\d{1,4}\\)[ .-]?)?\\d{2,4}(?:[ .-]\\d{2,4}){1,4}(?![\\w.-]?\\d)");

  private final PiiConfig config;
  private final LongAdder[] counts = new LongAdder[Kind.values().length];

  PiiStep(PiiConfig config) {
    this.config = config;
    for (int i = 0; i < counts.length; i++) counts[i] = new LongAdder();
  }

  @Override
  public String name() {
    return "pii";
  }

  private record Span(int start, int end, Kind kind) {}

  @Override
  public Document format(Document doc) {
    String t = doc.text();
    List<Span> spans = new ArrayList<>();
    if (config.email() && t.indexOf('@') >= 0) emails(t, spans);
    boolean digits = hasDigit(t);
    if (digits && config.creditCard()) find(t, CARD, Kind.CREDIT_CARD, spans);
    if (digits && config.iban()) find(t, IBAN, Kind.IBAN, spans);
    if (digits && config.ip()) find(t, IPV4, Kind.IP, spans);
    if (config.ip() && t.indexOf(':') >= 0) find(t, IPV6, Kind.IP, spans);
    if (digits && config.phone()) find(t, PHONE, Kind.PHONE, spans);
    if (spans.isEmpty()) return doc;
    StringBuilder sb = new StringBuilder(t.length());
    int at = 0;
    for (Span s : spans.stream().sorted((a, b) -> Integer.compare(a.start, b.start)).toList()) {
      sb.append(t, at, s.start).append('<').append(s.kind.name()).append('>');
      at = s.end;
      counts[s.kind.ordinal()].increment();
    }
    sb.append(t, at, t.length());
    return doc.withText(sb.toString());
  }

  private static boolean hasDigit(String t) {
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (c >= '0' && c <= '9') return true;
    }
    return false;
  }

  /** Adds matches that pass their check and do not overlap an earlier (higher-priority) span. */
  private static void find(String t, Pattern p, Kind kind, List<Span> spans) {
    Matcher m = p.matcher(t);
    while (m.find()) {
      if (!overlaps(spans, m.start(), m.end()) && valid(kind, m)) spans.add(new Span(m.start(), m.end(), kind));
    }
  }

  private static boolean overlaps(List<Span> spans, int s, int e) {
    for (Span x : spans) if (s < x.end && x.start < e) return true;
    return false;
  }

  private static boolean valid(Kind kind, Matcher m) {
    String s = m.group();
    switch (kind) {
      case CREDIT_CARD:
        return Checks.luhn(s) && Checks.cardPrefix(s);
      case IBAN:
        return Checks.iban(s);
      case IP:
        return s.indexOf(':') >= 0 ? Checks.publicIpv6(s) : Checks.publicIpv4(m);
      case PHONE:
        return Checks.phone(s);
      default:
        return true;
    }
  }

  /** Local part and domain expanded around each '@'; the domain needs a dot and an alphabetic TLD. */
  private static void emails(String t, List<Span> spans) {
    for (int at = t.indexOf('@'); at >= 0; at = t.indexOf('@', at + 1)) {
      int s = at;
      while (s > 0 && isLocal(t.charAt(s - 1))) s--;
      while (s < at && t.charAt(s) == '.') s++;
      int e = at + 1;
      int lastDot = -1;
      while (e < t.length() && (Character.isLetterOrDigit(t.charAt(e)) && t.charAt(e) < 0x80 || t.charAt(e) == '-' || t.charAt(e) == '.')) {
        if (t.charAt(e) == '.') lastDot = e;
        e++;
      }
      while (e > at + 1 && (t.charAt(e - 1) == '.' || t.charAt(e - 1) == '-')) e--;
      if (lastDot >= e - 1) lastDot = t.lastIndexOf('.', e - 2);
      if (s == at || lastDot <= at + 1 || e - lastDot - 1 < 2) continue;
      boolean tld = true;
      for (int i = lastDot + 1; i < e; i++) tld &= Character.isLetter(t.charAt(i));
      if (tld && !overlaps(spans, s, e)) spans.add(new Span(s, e, Kind.EMAIL));
    }
  }

  private static boolean isLocal(char c) {
    return c < 0x80 && (Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-');
  }

  @Override
  public Map<String, Long> counters() {
    Map<String, Long> m = new TreeMap<>();
    for (Kind k : Kind.values()) m.put(k.name().toLowerCase(java.util.Locale.ROOT), counts[k.ordinal()].sum());
    return m;
  }
}
