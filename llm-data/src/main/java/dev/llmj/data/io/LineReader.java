package dev.llmj.data.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads UTF-8 lines from bytes with a hard cap on line length, so one giant line cannot take the
 * heap. Invalid UTF-8 is replaced by U+FFFD and flagged; over-long lines are skipped and flagged.
 */
final class LineReader {
  /** Returned (by identity) in place of a line longer than the cap. */
  static final String TOO_LONG = new String("<line too long>");

  private final InputStream in;
  private final int maxLineBytes;
  private final byte[] buf = new byte[1 << 16];
  private int pos;
  private int limit;
  private byte[] line = new byte[256];
  private long lineNumber;
  private boolean invalidUtf8;
  private final long[] bytesRead;

  /** {@code bytesRead[0]} is a counter shared by all readers of one corpus, for progress reports. */
  LineReader(InputStream in, int maxLineBytes, long[] bytesRead) {
    this.in = in;
    this.maxLineBytes = maxLineBytes;
    this.bytesRead = bytesRead;
  }

  /** {@link #nextLine()} at the end of the input. */
  static final int END = -1;
  /** {@link #nextLine()} for a line longer than the cap (skipped). */
  static final int TOO_LONG_LINE = -2;

  /** The next line without its terminator, {@link #TOO_LONG}, or null at the end. */
  String readLine() throws IOException {
    int len = nextLine();
    if (len == END) return null;
    if (len == TOO_LONG_LINE) return TOO_LONG;
    return decode(len);
  }

  /**
   * Reads the next line without its terminator into {@link #bytes()}: returns its length in bytes,
   * {@link #END} or {@link #TOO_LONG_LINE}.
   */
  int nextLine() throws IOException {
    int len = 0;
    boolean tooLong = false;
    boolean any = false;
    while (true) {
      if (pos == limit) {
        limit = in.read(buf, 0, buf.length);
        pos = 0;
        if (limit <= 0) {
          limit = 0;
          if (!any) return END;
          break;
        }
        bytesRead[0] += limit;
      }
      any = true;
      int start = pos;
      while (pos < limit && buf[pos] != '\n') pos++;
      int n = pos - start;
      if (!tooLong) {
        if ((long) len + n > maxLineBytes) {
          tooLong = true;
        } else {
          if (len + n > line.length) line = Arrays.copyOf(line, Math.max(len + n, Math.min(maxLineBytes, line.length * 2)));
          System.arraycopy(buf, start, line, len, n);
          len += n;
        }
      }
      if (pos < limit) {
        pos++; // the newline
        break;
      }
    }
    lineNumber++;
    if (tooLong) return TOO_LONG_LINE;
    if (len > 0 && line[len - 1] == '\r') len--;
    invalidUtf8 = false;
    return len;
  }

  /** The bytes of the line {@link #nextLine()} read, in {@code [0, its length)}; valid until the next call. */
  byte[] bytes() {
    return line;
  }

  /** The line {@link #nextLine()} read, {@code len} bytes, decoded; invalid UTF-8 becomes U+FFFD and is flagged. */
  String decode(int len) {
    String s = new String(line, 0, len, StandardCharsets.UTF_8);
    // The JDK decoder replaces silently; confirm real damage only when a replacement char shows up.
    invalidUtf8 = s.indexOf('\uFFFD') >= 0 && !validUtf8(len);
    return s;
  }

  private boolean validUtf8(int len) {
    try {
      StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(line, 0, len));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  /** Whether the last line returned held invalid UTF-8 (now U+FFFD). */
  boolean lastLineInvalidUtf8() {
    return invalidUtf8;
  }

  long lineNumber() {
    return lineNumber;
  }
}
