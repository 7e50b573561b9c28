package dev.llmj.data.io;

import dev.llmj.data.Document;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads the regular-file entries of a tar stream in place. Nothing is extracted, so entry names
 * with absolute paths or {@code ..} can never write outside any folder; they only name sources.
 */
final class TarUnit implements Unit {
  private final String source;
  private final InputStream in;
  private final TarStream tar;
  private final CorpusReader.Opener opener;
  private Unit entry;

  TarUnit(String source, InputStream in, CorpusReader.Opener opener) {
    this.source = source;
    this.in = in;
    this.tar = new TarStream(in);
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
      TarStream.Entry e = tar.next();
      if (e == null) return null;
      if (!e.file()) continue;
      entry = opener.open(source + "!" + e.name(), e.data());
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
    in.close();
  }
}
