package dev.llmj.data.pipeline;

import dev.llmj.data.Document;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Finds personal data spans, checks each candidate (IP ranges, Luhn, mod-97), and replaces them
 * with typed placeholders. Hand-written scanners, not regular expressions: each looks only at the
 * few places its anchor occurs ('@', ':', a dot after a digit, a digit, an upper-case pair), which
 * keeps the step near memory speed on mail with thousands of headers.
 */
final class PiiStep implements Formatter {
  enum Kind { EMAIL, CREDIT_CARD, IBAN, IP, PHONE }

  record Span(int start, int end, Kind kind) {}

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

  @Override
  public Document format(Document doc) {
    String t = doc.text();
    List<Span> spans = find(t, config);
    if (spans.isEmpty()) return doc;
    spans.sort((a, b) -> Integer.compare(a.start, b.start));
    StringBuilder sb = new StringBuilder(t.length());
    int at = 0;
    for (Span s : spans) {
      sb.append(t, at, s.start).append('<').append(s.kind.name()).append('>');
      at = s.end;
      counts[s.kind.ordinal()].increment();
    }
    sb.append(t, at, t.length());
    return doc.withText(sb.toString());
  }

  /** All non-overlapping spans, e-mails first (they may hold digits and colons). */
  static List<Span> find(String t, PiiConfig c) {
    PiiScanners.Spans spans = new PiiScanners.Spans();
    char[] chars = Words.charsOf(t); // usually the array of the filters' split of this very text
    if (c.email()) PiiScanners.emails(t, chars, spans);
    if (c.ip()) PiiScanners.ipv6(t, chars, spans);
    if (c.ip()) PiiScanners.ipv4(t, chars, spans);
    if (c.iban()) PiiScanners.ibans(t, chars, spans);
    PiiScanners.numbers(t, chars, spans, c);
    return spans.list;
  }

  @Override
  public void startPass() {
    for (LongAdder c : counts) c.reset();
  }

  @Override
  public Map<String, Long> counters() {
    Map<String, Long> m = new TreeMap<>();
    for (Kind k : Kind.values()) m.put(k.name().toLowerCase(java.util.Locale.ROOT), counts[k.ordinal()].sum());
    return m;
  }
}
