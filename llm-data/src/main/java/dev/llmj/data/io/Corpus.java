package dev.llmj.data.io;

import java.nio.file.Path;
import java.util.List;

/**
 * Reads documents from files, folders and globs: plain text ({@code .txt} and anything else),
 * JSONL ({@code .jsonl}, {@code .ndjson}, {@code .json}), tar archives, each optionally
 * compressed as {@code .gz}, {@code .bz2}, {@code .xz} or {@code .zst}. Streaming: memory is
 * bounded by {@link ReaderOptions#maxLineBytes()} and the decompressor windows, not by file size.
 *
 * <pre>{@code
 * try (CorpusReader docs = Corpus.read(List.of(Path.of("data/*.jsonl.gz")), ReaderOptions.defaults())) {
 *   while (docs.hasNext()) {
 *     Document d = docs.next();
 *   }
 *   System.out.println(docs.problems().counts());
 * }
 * }</pre>
 */
public final class Corpus {
  private Corpus() {}

  /**
   * Opens the inputs lazily (one file at a time).
   *
   * @throws IllegalArgumentException when an input does not exist or a glob matches nothing
   */
  public static CorpusReader read(List<Path> inputs, ReaderOptions options) {
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException("No input given; pass at least one file, folder or glob");
    }
    return new CorpusReader(Inputs.expand(inputs), options);
  }

  /**
   * Reads one stream the caller opened (a file on another file system, say) as {@link #read(List,
   * ReaderOptions)} reads a file called {@code name}: the format and compression come from the
   * name, which also names the documents ({@code name:line}) and the problems. The reader closes
   * the stream.
   */
  public static CorpusReader read(String name, java.io.InputStream in, ReaderOptions options) {
    return new CorpusReader(name, in, options);
  }

  /** {@link #read(List, ReaderOptions)} with {@link ReaderOptions#defaults()}. */
  public static CorpusReader read(Path... inputs) {
    return read(List.of(inputs), ReaderOptions.defaults());
  }

  /**
   * Opens one file as a byte stream, decompressed by its suffix ({@code .gz}, {@code .bz2}, {@code .xz},
   * {@code .zst}) and guarded by the limits of {@code options} against decompression bombs.
   */
  public static java.io.InputStream openDecompressed(Path file, ReaderOptions options) throws java.io.IOException {
    ExpansionGuard guard = new ExpansionGuard(file.toString(), options.maxExpandedBytes(), options.maxExpansionRatio());
    return Inputs.decompress(file.getFileName().toString(), java.nio.file.Files.newInputStream(file), guard);
  }

  /** {@link #openDecompressed(Path, ReaderOptions)} with {@link ReaderOptions#defaults()}. */
  public static java.io.InputStream openDecompressed(Path file) throws java.io.IOException {
    return openDecompressed(file, ReaderOptions.defaults());
  }
}
