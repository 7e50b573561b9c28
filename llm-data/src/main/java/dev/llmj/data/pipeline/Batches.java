package dev.llmj.data.pipeline;

import dev.llmj.data.Document;
import dev.llmj.data.io.CloseableIterator;
import dev.llmj.data.io.CorpusReader;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Cuts a document stream into batches. With read-ahead a thread of its own decompresses and
 * parses the next batches while the steps work on the current one: reading is a third of a pass
 * and cannot be split across threads, so overlapping it is what lets the steps use every core.
 * Memory stays bounded: at most {@code DEPTH} batches wait.
 */
final class Batches implements AutoCloseable {
  record Batch(Document[] docs, int size, long bytesRead) {}

  private static final int DEPTH = 4;
  private static final Batch END = new Batch(new Document[0], 0, 0);

  private final CloseableIterator<Document> source;
  private final CorpusReader reader;
  private final int batchSize;
  private long charBytes;
  // Read-ahead only:
  private final BlockingQueue<Batch> queue;
  private final Thread thread;
  private volatile boolean stop;
  private volatile Throwable failure;
  private boolean ended;

  Batches(CloseableIterator<Document> source, int batchSize, boolean readAhead) {
    this.source = source;
    this.reader = source instanceof CorpusReader r ? r : null;
    this.batchSize = batchSize;
    if (readAhead) {
      queue = new ArrayBlockingQueue<>(DEPTH);
      thread = Background.start("llmj-pipeline-read-ahead", this::fill);
    } else {
      queue = null;
      thread = null;
    }
  }

  /** The next batch, or null at the end of the input; rethrows what reading threw. */
  Batch next() {
    if (queue == null) return read();
    if (ended) return null;
    Batch b;
    try {
      b = queue.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for input", e);
    }
    if (b != END) return b;
    ended = true;
    Throwable t = failure;
    if (t instanceof RuntimeException r) throw r;
    if (t instanceof Error e) throw e;
    return null;
  }

  private Batch read() {
    if (!source.hasNext()) return null;
    Document[] docs = new Document[batchSize];
    int n = 0;
    while (n < batchSize && source.hasNext()) {
      Document d = source.next();
      if (reader == null) charBytes += d.text().length();
      docs[n++] = d;
    }
    return new Batch(docs, n, reader != null ? reader.bytesRead() : charBytes);
  }

  private void fill() {
    try {
      for (Batch b = read(); b != null && !stop; b = read()) put(b);
    } catch (Throwable t) {
      failure = t;
    } finally {
      put(END);
    }
  }

  /** Waits for room unless the consumer has gone: then nobody will take the batch. */
  private void put(Batch b) {
    try {
      while (!stop) {
        if (queue.offer(b, 50, TimeUnit.MILLISECONDS)) return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Stops the read-ahead thread and waits for it, so the caller may close the source. Interrupts
   * are not used: they would close the file channels under the reader.
   */
  @Override
  public void close() {
    if (thread == null) return;
    stop = true;
    queue.clear();
    Background.join(thread);
  }
}
