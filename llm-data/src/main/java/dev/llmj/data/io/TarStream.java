package dev.llmj.data.io;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A minimal streaming tar reader (POSIX ustar with GNU long names and PAX paths), checksum
 * verified. Entries are read in place and never extracted, so names like {@code ../x} or
 * {@code /etc/x} are only labels.
 */
final class TarStream {
  /** One entry: its name, whether it is a regular file, and its bytes (bounded to the entry). */
  record Entry(String name, boolean file, InputStream data) {}

  private final InputStream in;
  private final byte[] header = new byte[512];
  private long remaining;
  private long padding;

  TarStream(InputStream in) {
    this.in = in;
  }

  /** The next entry, or null at the end of the archive. */
  Entry next() throws IOException {
    skip(remaining + padding);
    remaining = 0;
    padding = 0;
    String longName = null;
    while (true) {
      if (!readBlock()) return null;
      if (allZero()) return null;
      verifyChecksum();
      long size = size();
      char type = (char) header[156];
      if (type == 'L' || type == 'x') {
        byte[] meta = readData(size);
        String s = new String(meta, StandardCharsets.UTF_8);
        longName = type == 'L' ? trimNul(s) : paxPath(s, longName);
        continue;
      }
      String name = longName != null ? longName : headerName();
      remaining = size;
      padding = (512 - size % 512) % 512;
      boolean file = type == '0' || type == '\0' || type == '7';
      return new Entry(name, file, new EntryStream());
    }
  }

  private boolean readBlock() throws IOException {
    int n = in.readNBytes(header, 0, 512);
    if (n == 0) return false;
    if (n < 512) throw new EOFException("tar archive truncated inside a header");
    return true;
  }

  private boolean allZero() {
    for (byte b : header) if (b != 0) return false;
    return true;
  }

  private void verifyChecksum() throws IOException {
    long sum = 0;
    for (int i = 0; i < 512; i++) sum += (i >= 148 && i < 156) ? ' ' : (header[i] & 0xff);
    long stored = octal(148, 8);
    if (stored != sum) throw new IOException("tar header checksum mismatch (stored " + stored + ", computed " + sum + "): not a tar archive or corrupt");
  }

  private long size() throws IOException {
    if ((header[124] & 0x80) != 0) { // base-256 for sizes over 8 GiB
      long v = 0;
      for (int i = 125; i < 136; i++) v = (v << 8) | (header[i] & 0xff);
      return v;
    }
    long s = octal(124, 12);
    if (s < 0) throw new IOException("negative tar entry size");
    return s;
  }

  private long octal(int off, int len) throws IOException {
    long v = 0;
    for (int i = off; i < off + len; i++) {
      byte b = header[i];
      if (b == 0 || b == ' ') {
        if (v > 0 || i > off + len - 3) break;
        continue;
      }
      if (b < '0' || b > '7') throw new IOException("bad octal digit in tar header at byte " + i);
      v = v * 8 + (b - '0');
    }
    return v;
  }

  private String headerName() {
    String name = field(0, 100);
    boolean ustar = header[257] == 'u' && header[258] == 's' && header[259] == 't' && header[260] == 'a' && header[261] == 'r';
    String prefix = ustar ? field(345, 155) : "";
    return prefix.isEmpty() ? name : prefix + "/" + name;
  }

  private String field(int off, int len) {
    int end = off;
    while (end < off + len && header[end] != 0) end++;
    return new String(header, off, end - off, StandardCharsets.UTF_8);
  }

  private static String trimNul(String s) {
    int i = s.indexOf('\0');
    return i < 0 ? s : s.substring(0, i);
  }

  /** PAX records are "length key=value\n"; only the path matters here. */
  private static String paxPath(String records, String fallback) {
    for (String rec : records.split("\n")) {
      int sp = rec.indexOf(' ');
      if (sp > 0 && rec.startsWith("path=", sp + 1)) return rec.substring(sp + 6);
    }
    return fallback;
  }

  private byte[] readData(long size) throws IOException {
    if (size > (1 << 20)) throw new IOException("tar metadata entry of " + size + " bytes is implausibly large");
    byte[] b = in.readNBytes((int) size);
    if (b.length < size) throw new EOFException("tar archive truncated inside an entry");
    skip((512 - size % 512) % 512);
    return b;
  }

  private void skip(long n) throws IOException {
    while (n > 0) {
      long k = in.skip(n);
      if (k <= 0) {
        if (in.read() < 0) throw new EOFException("tar archive truncated inside an entry");
        k = 1;
      }
      n -= k;
    }
  }

  private final class EntryStream extends InputStream {
    @Override
    public int read() throws IOException {
      if (remaining <= 0) return -1;
      int b = in.read();
      if (b < 0) throw new EOFException("tar archive truncated inside an entry");
      remaining--;
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      if (remaining <= 0) return -1;
      int n = in.read(buf, off, (int) Math.min(len, remaining));
      if (n < 0) throw new EOFException("tar archive truncated inside an entry");
      remaining -= n;
      return n;
    }

    @Override
    public void close() {
      // The archive stream stays open for the next entry.
    }
  }
}
