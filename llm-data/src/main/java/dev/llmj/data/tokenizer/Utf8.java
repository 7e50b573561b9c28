package dev.llmj.data.tokenizer;

/**
 * UTF-8 encoding of a char range into a reusable buffer. Unlike {@link String#getBytes}, which
 * writes {@code '?'}, an unpaired surrogate becomes U+FFFD, so decoding gives back the text with
 * exactly those characters replaced.
 */
final class Utf8 {
  private Utf8() {}

  /** Maximum bytes for {@code chars} UTF-16 units (3 per unit covers surrogate pairs too). */
  static int maxBytes(int chars) {
    return chars * 3;
  }

  /** Writes the UTF-8 bytes of {@code s[from, to)} to {@code out}; returns the byte count. */
  static int encode(CharSequence s, int from, int to, byte[] out) {
    int n = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        out[n++] = (byte) c;
      } else if (c < 0x800) {
        out[n++] = (byte) (0xC0 | (c >> 6));
        out[n++] = (byte) (0x80 | (c & 0x3F));
      } else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        out[n++] = (byte) (0xF0 | (cp >> 18));
        out[n++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
        out[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
        out[n++] = (byte) (0x80 | (cp & 0x3F));
      } else {
        if (Character.isSurrogate(c)) {
          c = '\uFFFD';
        }
        out[n++] = (byte) (0xE0 | (c >> 12));
        out[n++] = (byte) (0x80 | ((c >> 6) & 0x3F));
        out[n++] = (byte) (0x80 | (c & 0x3F));
      }
    }
    return n;
  }
}
