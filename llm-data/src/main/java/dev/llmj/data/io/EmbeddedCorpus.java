package dev.llmj.data.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The corpus that ships inside the library: 233 State of the Union addresses, 1790-2016 (CC0), one
 * JSONL record each with fields {@code year}, {@code name}, {@code party}, {@code text}; 10.7 MB of text.
 * The quick start and the tests train on it, so no download is ever needed.
 *
 * <pre>{@code
 * Path sotu = EmbeddedCorpus.SOTU.copyTo(runDir.resolve("data"));
 * try (CorpusReader docs = Corpus.read(sotu)) { ... }
 * }</pre>
 */
public enum EmbeddedCorpus {
  SOTU("sotu.jsonl.gz");

  private final String fileName;

  EmbeddedCorpus(String fileName) {
    this.fileName = fileName;
  }

  public String fileName() {
    return fileName;
  }

  /** Opens the compressed resource. */
  public InputStream open() {
    InputStream in = EmbeddedCorpus.class.getResourceAsStream("/dev/llmj/data/corpus/" + fileName);
    if (in == null) {
      throw new IllegalStateException("embedded corpus " + fileName + " missing from the classpath; "
          + "is llm-data's jar complete?");
    }
    return in;
  }

  /** Copies the compressed file into {@code dir} (created if needed) and returns its path. */
  public Path copyTo(Path dir) {
    try (InputStream in = open()) {
      Files.createDirectories(dir);
      Path target = dir.resolve(fileName);
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy embedded corpus " + fileName + " to " + dir, e);
    }
  }
}
