package dev.llmj.data.io;

import dev.llmj.data.Document;

/**
 * Where a pipeline puts the documents it keeps (or drops): JSONL shards, token shards, a list in
 * a test. Not thread-safe unless an implementation says so; the pipeline calls it from one thread
 * at a time (with several worker threads, a writer thread of its own).
 *
 * <pre>{@code
 * try (DocumentSink out = JsonlShardWriter.create(dir, "part", 256 << 20, Compression.GZIP)) {
 *   out.accept(doc);
 * }
 * }</pre>
 */
public interface DocumentSink extends AutoCloseable {
  void accept(Document doc);

  /** Flushes and closes every open file; the sink takes no more documents. */
  @Override
  void close();

  /** A sink that ignores what it is given. */
  static DocumentSink discard() {
    return new DocumentSink() {
      @Override
      public void accept(Document doc) {}

      @Override
      public void close() {}
    };
  }
}
