package dev.llmj.data.io;

import java.util.Iterator;

/**
 * An iterator over a resource that must be closed: open files, decompressors, archives.
 *
 * <pre>{@code
 * try (CloseableIterator<Document> docs = Corpus.read(paths, ReaderOptions.defaults())) {
 *   while (docs.hasNext()) use(docs.next());
 * }
 * }</pre>
 */
public interface CloseableIterator<T> extends Iterator<T>, AutoCloseable {
  /** Releases the underlying resources; never throws a checked exception. */
  @Override
  void close();
}
