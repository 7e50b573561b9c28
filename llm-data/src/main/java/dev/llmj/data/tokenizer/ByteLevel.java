package dev.llmj.data.tokenizer;

import java.io.ByteArrayOutputStream;

/**
 * GPT-2's reversible byte-to-character table: printable Latin-1 bytes stand for themselves, the
 * other 68 bytes are shifted to code points 256 and up, so every token of a byte-level vocabulary
 * is a printable string in {@code vocab.json}, {@code encoder.json} and {@code tokenizer.json}.
 */
final class ByteLevel {
  private static final char[] BYTE_TO_CHAR = new char[256];
  private static final short[] CHAR_TO_BYTE = new short[512];

  static {
    java.util.Arrays.fill(CHAR_TO_BYTE, (short) -1);
    int shifted = 0;
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
      char c = printable ? (char) b : (char) (256 + shifted++);
      BYTE_TO_CHAR[b] = c;
      CHAR_TO_BYTE[c] = (short) b;
    }
  }

  private ByteLevel() {}

  /** The vocabulary-file spelling of raw token bytes. */
  static String toText(byte[] bytes) {
    char[] out = new char[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      out[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
    }
    return new String(out);
  }

  /** The byte-level spelling of the UTF-8 bytes of {@code s[from, to)}. */
  static String toText(String s, int from, int to) {
    byte[] buf = new byte[Utf8.maxBytes(to - from)];
    int n = Utf8.encode(s, from, to, buf);
    char[] out = new char[n];
    for (int i = 0; i < n; i++) {
      out[i] = BYTE_TO_CHAR[buf[i] & 0xFF];
    }
    return new String(out);
  }

  /** The raw bytes of a vocabulary-file token, or {@code null} if a character is outside the table. */
  static byte[] toBytesOrNull(String text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c >= CHAR_TO_BYTE.length || CHAR_TO_BYTE[c] < 0) {
        return null;
      }
      out.write(CHAR_TO_BYTE[c]);
    }
    return out.toByteArray();
  }
}
