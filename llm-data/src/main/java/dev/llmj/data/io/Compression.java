package dev.llmj.data.io;

import com.github.luben.zstd.ZstdOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.GZIPOutputStream;

/** Output compression for written shards, with its file suffix. */
public enum Compression {
  NONE(""),
  GZIP(".gz"),
  ZSTD(".zst");

  private final String suffix;

  Compression(String suffix) {
    this.suffix = suffix;
  }

  public String suffix() {
    return suffix;
  }

  OutputStream wrap(OutputStream out) throws IOException {
    switch (this) {
      case GZIP:
        return new GZIPOutputStream(out, 1 << 16);
      case ZSTD:
        return new ZstdOutputStream(out, 3);
      default:
        return out;
    }
  }
}
