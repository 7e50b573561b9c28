package dev.llmj.data.pipeline;

import dev.llmj.data.Document;
import dev.llmj.data.io.DocumentSink;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Hands kept documents to the sink on a thread of its own, in order, so that encoding and
 * compressing the output (a third of the work of {@code prepare} with gzip shards) overlaps the
 * steps. At most {@code DEPTH} batches wait; a failure of the sink is rethrown to the pipeline.
 */
final class WriteBehind implements AutoCloseable {
  private static final int DEPTH = 4;
  private static final List<Document> END = List.of();

  private final DocumentSink sink;
  private final BlockingQueue<List<Document>> queue = new ArrayBlockingQueue<>(DEPTH);
  private final Thread thread;
  private volatile boolean stop;
  private volatile RuntimeException failure;

  WriteBehind(DocumentSink sink) {
    this.sink = sink;
    thread = Background.start("llmj-pipeline-write-behind", this::drain);
  }

  /** Queues a batch of kept documents; rethrows what the sink threw before. */
  void write(List<Document> docs) {
    check();
    try {
      while (!queue.offer(docs, 50, TimeUnit.MILLISECONDS)) check();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while queueing output", e);
    }
  }

  /** Waits until everything queued is in the sink. */
  void finish() {
    write(END);
    Background.join(thread);
    check();
  }

  private void check() {
    RuntimeException f = failure;
    if (f != null) throw new IllegalStateException("writing kept documents failed: " + f.getMessage(), f);
  }

  private void drain() {
    try {
      while (!stop) {
        List<Document> docs = queue.poll(50, TimeUnit.MILLISECONDS);
        if (docs == END) return;
        if (docs != null) docs.forEach(sink::accept);
      }
    } catch (RuntimeException e) {
      failure = e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops the thread without writing what is still queued (the run failed). */
  @Override
  public void close() {
    stop = true;
    Background.join(thread);
  }
}
