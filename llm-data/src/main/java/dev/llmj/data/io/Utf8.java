package dev.llmj.data.io;

/** Checks on raw UTF-8 bytes, so that a line need not be decoded to be judged. */
final class Utf8 {
  private Utf8() {}

  /**
   * Whether {@code b[0, len)} can go to a JSON parser as bytes with the same result as its decoded
   * string: well-formed UTF-8 (the Unicode standard's table 3-7: no overlong forms, no surrogates,
   * nothing past U+10FFFF, so the JDK's decoder would replace nothing), no control byte but tab, and
   * {@code '{'} as the first byte after spaces and tabs (no byte order mark, no blank line).
   */
  static boolean plainJsonObject(byte[] b, int len) {
    int i = 0;
    while (i < len && (b[i] == ' ' || b[i] == '\t')) i++;
    if (i == len || b[i] != '{') return false;
    while (i < len) {
      int c = b[i];
      if (c >= 0x20) { // printable ASCII and DEL
        i++;
        continue;
      }
      if (c >= 0) {
        if (c != '\t') return false;
        i++;
        continue;
      }
      c &= 0xFF;
      int n; // continuation bytes
      int lo = 0x80; // range of the first continuation byte
      int hi = 0xBF;
      if (c < 0xC2) {
        return false; // a continuation byte, or the lead of an overlong 2-byte form
      } else if (c < 0xE0) {
        n = 1;
      } else if (c < 0xF0) {
        n = 2;
        if (c == 0xE0) lo = 0xA0; // overlong
        if (c == 0xED) hi = 0x9F; // surrogates
      } else if (c < 0xF5) {
        n = 3;
        if (c == 0xF0) lo = 0x90; // overlong
        if (c == 0xF4) hi = 0x8F; // past U+10FFFF
      } else {
        return false;
      }
      if (i + n >= len) return false;
      int c1 = b[i + 1] & 0xFF;
      if (c1 < lo || c1 > hi) return false;
      for (int k = 2; k <= n; k++) {
        if ((b[i + k] & 0xC0) != 0x80) return false;
      }
      i += n + 1;
    }
    return true;
  }
}
