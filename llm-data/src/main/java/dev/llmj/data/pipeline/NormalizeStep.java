package dev.llmj.data.pipeline;

import dev.llmj.data.Document;
import java.text.Normalizer;
import java.util.Arrays;
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
    char[] in = Words.charsOf(t);
    if (config.nfc() && !isAscii(in, t.length()) && !Normalizer.isNormalized(t, Normalizer.Form.NFC)) {
      t = Normalizer.normalize(t, Normalizer.Form.NFC);
      nfcChanged.increment();
      in = Words.charsOf(t);
    }
    String out = clean(t, in);
    return out == doc.text() ? doc : doc.withText(out);
  }

  /**
   * Over a char array, not {@link String#charAt}: the JIT hoists charAt's Latin-1 or UTF-16 branch out
   * of the loop as a guess that the first document of the other kind makes it undo and recompile.
   */
  private static boolean isAscii(char[] c, int n) {
    for (int i = 0; i < n; i++) if (c[i] >= 0x80) return false;
    return true;
  }

  /** Per-thread scratch array for the text out. */
  private static final ThreadLocal<char[][]> OUT = ThreadLocal.withInitial(() -> new char[][] {new char[1024]});

  /**
   * The text with control characters out and whitespace tidied, or {@code t} itself when nothing
   * changed. Works on char arrays: runs of ordinary characters are block copies.
   */
  private String clean(String t, char[] in) {
    int n = t.length();
    char[][] scratch = OUT.get();
    char[] out = scratch[0] = Words.fit(scratch[0], n); // never longer than the input: every rule removes or replaces one for one
    boolean ws = config.whitespace();
    int len = 0;
    int newlines = 0; // newlines seen since the last visible char
    boolean space = false;
    long control = 0;
    long fffd = 0;
    for (int i = 0; i < n; i++) {
      char c = in[i];
      if (isPlain(c)) {
        // Copy the whole run of ordinary characters at once; only separators need decisions.
        int j = i + 1;
        while (j < n && isPlain(in[j])) j++;
        if (ws && len > 0) len = separate(out, len, newlines, space);
        newlines = 0;
        space = false;
        System.arraycopy(in, i, out, len, j - i);
        len += j - i;
        i = j - 1;
        continue;
      }
      if (c == '\r') {
        if (i + 1 < n && in[i + 1] == '\n') continue;
        c = '\n';
      }
      if (c == '\n') {
        if (!ws) {
          out[len++] = c;
        } else {
          newlines++;
          space = false;
        }
        continue;
      }
      if (c == '\uFFFD') fffd++;
      boolean isSpace = Words.bit(SPACE, c);
      if (!isSpace && config.stripControl() && isControl(c)) {
        control++;
        continue;
      }
      if (!ws) {
        out[len++] = c;
        continue;
      }
      if (isSpace) {
        space = true;
        continue;
      }
      if (len > 0) len = separate(out, len, newlines, space);
      newlines = 0;
      space = false;
      out[len++] = c;
    }
    if (control > 0) controlRemoved.add(control);
    if (fffd > 0) replacementChars.add(fffd);
    return len == n && Arrays.equals(in, 0, n, out, 0, n) ? t : new String(out, 0, len);
  }

  /**
   * Writes the separator owed before the next visible char: a paragraph break, a line break or a
   * space. It replaces at least as many input chars as it writes, so {@code out} never overflows.
   */
  private static int separate(char[] out, int len, int newlines, boolean space) {
    if (newlines > 1) {
      out[len++] = '\n';
      out[len++] = '\n';
    } else if (newlines == 1) {
      out[len++] = '\n';
    } else if (space) {
      out[len++] = ' ';
    }
    return len;
  }

  /**
   * Printable, not whitespace, not U+FFFD: copied as is. A table lookup: the rare chars (non-ASCII,
   * U+FFFD) then take no branch of their own that the JIT would deoptimise on when they first appear.
   */
  private static boolean isPlain(char c) {
    return Words.bit(PLAIN, c);
  }

  private static final long[] PLAIN = Words.charBits(c -> c < 0x7f ? c > 0x20
      : c >= 0xa0 && c != '\uFFFD' && Character.getType(c) != Character.SPACE_SEPARATOR);

  /** ' ', '\t' and the Unicode space separators (Zs), as a table (see {@link #isPlain}). */
  private static final long[] SPACE = Words.charBits(c -> c == ' ' || c == '\t'
      || (c > 0x7f && Character.getType(c) == Character.SPACE_SEPARATOR));

  private static boolean isControl(char c) {
    return c < 0x20 ? c != '\t' && c != '\n' : (c == 0x7f || (c >= 0x80 && c < 0xa0));
  }

  @Override
  public Map<String, Long> counters() {
    return Map.of("nfc_changed", nfcChanged.sum(), "control_chars_removed", controlRemoved.sum(),
        "replacement_chars", replacementChars.sum());
  }
}
