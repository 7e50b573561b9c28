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

  /** An in-memory source (tests, benchmarks): iterates {@code items}; closing does nothing. */
  static <T> CloseableIterator<T> of(Iterable<T> items) {
    Iterator<T> it = items.iterator();
    return new CloseableIterator<>() {
      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public T next() {
        return it.next();
      }

      @Override
      public void close() {}
    };
  }
}
