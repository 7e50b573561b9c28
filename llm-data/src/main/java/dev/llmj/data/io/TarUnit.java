package dev.llmj.data.io;

import dev.llmj.data.Document;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Reads the regular-file entries of a tar stream in place. Nothing is extracted, so entry names
 * with absolute paths or {@code ..} can never write outside any folder; they only name sources.
 */
final class TarUnit implements Unit {
  private final String source;
  private final TarArchiveInputStream tar;
  private final CorpusReader.Opener opener;
  private Unit entry;

  TarUnit(String source, InputStream in, CorpusReader.Opener opener) {
    this.source = source;
    this.tar = new TarArchiveInputStream(in);
    this.opener = opener;
  }

  @Override
  public Document next() throws IOException {
    while (true) {
      if (entry != null) {
        Document d = entry.next();
        if (d != null) return d;
        entry = null;
      }
      TarArchiveEntry e = tar.getNextEntry();
      if (e == null) return null;
      if (!e.isFile()) continue;
      // The entry must not close the archive stream it reads from.
      InputStream shielded = new FilterInputStream(tar) {
        @Override
        public void close() {}
      };
      entry = opener.open(source + "!" + e.getName(), shielded);
    }
  }

  @Override
  public String source() {
    return entry != null ? entry.source() : source;
  }

  @Override
  public long line() {
    return entry != null ? entry.line() : 0;
  }

  @Override
  public void close() throws IOException {
    tar.close();
  }
}
