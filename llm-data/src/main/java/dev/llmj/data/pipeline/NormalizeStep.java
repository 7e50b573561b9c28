package dev.llmj.data.pipeline;

import dev.llmj.data.Document;
import java.text.Normalizer;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** NFC, control characters out, whitespace tidied, U+FFFD (invalid UTF-8 upstream) counted. */
final class NormalizeStep implements Formatter {
  private final NormalizeConfig config;
  private final LongAdder nfcChanged = new LongAdder();
  private final LongAdder controlRemoved = new LongAdder();
  private final LongAdder replacementChars = new LongAdder();

  NormalizeStep(NormalizeConfig config) {
    this.config = config;
  }

  @Override
  public String name() {
    return "normalize";
  }

  /** Counts start again with each pass: each pass sees every document again. */
  @Override
  public void startPass() {
    nfcChanged.reset();
    controlRemoved.reset();
    replacementChars.reset();
  }

  @Override
  public Document format(Document doc) {
    String t = doc.text();
    if (config.nfc() && !isAscii(t) && !Normalizer.isNormalized(t, Normalizer.Form.NFC)) {
      t = Normalizer.normalize(t, Normalizer.Form.NFC);
      nfcChanged.increment();
    }
    String out = clean(t);
    return out.equals(doc.text()) ? doc : doc.withText(out);
  }

  private static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) if (s.charAt(i) >= 0x80) return false;
    return true;
  }

  private String clean(String t) {
    StringBuilder sb = new StringBuilder(t.length());
    boolean ws = config.whitespace();
    int newlines = 0; // newlines seen since the last visible char
    boolean space = false;
    long control = 0;
    long fffd = 0;
    int n = t.length();
    for (int i = 0; i < n; i++) {
      char c = t.charAt(i);
      if (isPlain(c)) {
        // Copy the whole run of ordinary characters at once; only separators need decisions.
        int j = i + 1;
        while (j < n && isPlain(t.charAt(j))) j++;
        if (ws && sb.length() > 0) {
          if (newlines > 0) sb.append(newlines > 1 ? "\n\n" : "\n");
          else if (space) sb.append(' ');
        }
        newlines = 0;
        space = false;
        sb.append(t, i, j);
        i = j - 1;
        continue;
      }
      if (c == '\r') {
        if (i + 1 < n && t.charAt(i + 1) == '\n') continue;
        c = '\n';
      }
      if (c == '\n') {
        if (!ws) {
          sb.append(c);
        } else {
          newlines++;
          space = false;
        }
        continue;
      }
      if (c == '\uFFFD') fffd++;
      boolean isSpace = c == ' ' || c == '\t' || (c > 0x7f && Character.getType(c) == Character.SPACE_SEPARATOR);
      if (!isSpace && config.stripControl() && isControl(c)) {
        control++;
        continue;
      }
      if (!ws) {
        sb.append(c);
        continue;
      }
      if (isSpace) {
        space = true;
        continue;
      }
      if (sb.length() > 0) {
        if (newlines > 0) sb.append(newlines > 1 ? "\n\n" : "\n");
        else if (space) sb.append(' ');
      }
      newlines = 0;
      space = false;
      sb.append(c);
    }
    if (control > 0) controlRemoved.add(control);
    if (fffd > 0) replacementChars.add(fffd);
    return sb.toString();
  }

  /** Printable, not whitespace, not U+FFFD: copied as is. */
  private static boolean isPlain(char c) {
    if (c < 0x7f) return c > 0x20;
    return c >= 0xa0 && c != '\uFFFD' && Character.getType(c) != Character.SPACE_SEPARATOR;
  }

  private static boolean isControl(char c) {
    return c < 0x20 ? c != '\t' && c != '\n' : (c == 0x7f || (c >= 0x80 && c < 0xa0));
  }

  @Override
  public Map<String, Long> counters() {
    return Map.of("nfc_changed", nfcChanged.sum(), "control_chars_removed", controlRemoved.sum(),
        "replacement_chars", replacementChars.sum());
  }
}
