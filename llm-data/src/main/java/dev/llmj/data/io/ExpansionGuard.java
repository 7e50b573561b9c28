package dev.llmj.data.io;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Counts bytes on both sides of a decompressor and stops when the output outgrows the limits.
 * The ratio rule only starts after 64 MiB so that small, very repetitive files are not flagged.
 */
final class ExpansionGuard {
  private static final long RATIO_FLOOR = 64L << 20;

  private final String file;
  private final long maxBytes;
  private final double maxRatio;
  private long compressed;
  private long expanded;

  ExpansionGuard(String file, long maxBytes, double maxRatio) {
    this.file = file;
    this.maxBytes = maxBytes;
    this.maxRatio = maxRatio;
  }

  InputStream countCompressed(InputStream in) {
    return new FilterInputStream(in) {
      @Override
      public int read() throws IOException {
        int b = super.read();
        if (b >= 0) compressed++;
        return b;
      }

      @Override
      public int read(byte[] buf, int off, int len) throws IOException {
        int n = super.read(buf, off, len);
        if (n > 0) compressed += n;
        return n;
      }
    };
  }

  InputStream limitExpanded(InputStream in) {
    return new FilterInputStream(in) {
      @Override
      public int read() throws IOException {
        int b = super.read();
        if (b >= 0) add(1);
        return b;
      }

      @Override
      public int read(byte[] buf, int off, int len) throws IOException {
        int n = super.read(buf, off, len);
        if (n > 0) add(n);
        return n;
      }
    };
  }

  private void add(int n) {
    expanded += n;
    if (expanded > maxBytes) {
      throw new DecompressionBombException(file + " expands past maxExpandedBytes=" + maxBytes
          + " (read " + compressed + " compressed bytes); if the input is genuine, raise maxExpandedBytes");
    }
    if (expanded > RATIO_FLOOR && expanded > maxRatio * Math.max(1, compressed)) {
      throw new DecompressionBombException(file + " expands " + (expanded / Math.max(1, compressed))
          + "x, past maxExpansionRatio=" + maxRatio + "; if the input is genuine, raise maxExpansionRatio");
    }
  }
}
