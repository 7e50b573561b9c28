package dev.llmj.data.shard;

import dev.llmj.data.Document;
import dev.llmj.data.io.DocumentSink;
import dev.llmj.data.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link DocumentSink} that tokenizes what it is given into a shard directory, so a cleaning
 * pipeline ends in training-ready data. The pipeline pushes documents; {@link TokenShards#write}
 * pulls them: a bounded queue and one writer thread join the two, so at most {@code queueSize}
 * documents wait and the output is the same as {@code TokenShards.write} over the same documents
 * (input order, each followed by end-of-text, whatever the thread count).
 *
 * <pre>{@code
 * try (TokenShardSink tokens = TokenShardSink.open(dir.resolve("tokens"), tokenizer, TokenShards.Options.defaults())) {
 *   pipeline.run(source, tokens, null);
 *   tokens.close();
 *   System.out.println(tokens.stats().tokens() + " tokens");
 * }
 * }</pre>
 */
public final class TokenShardSink implements DocumentSink {
  /** Marks the end of input in the queue; compared by identity. */
  private static final Document END = new Document("<end>", "", java.util.Map.of());

  private final BlockingQueue<Document> queue;
  private final Thread writer;
  private volatile Throwable failure;
  private volatile TokenShards.Stats stats;
  private boolean closed;

  private TokenShardSink(Path dir, Tokenizer tok, TokenShards.Options opts, int queueSize) {
    queue = new ArrayBlockingQueue<>(queueSize);
    writer = new Thread(() -> {
      try {
        stats = TokenShards.write(new QueueIterator(), tok, dir, opts);
      } catch (Throwable t) {
        failure = t;
        queue.clear(); // frees a producer blocked on a full queue; it then sees the failure
      }
    }, "llmj-token-sink");
    writer.setDaemon(true);
    writer.start();
  }

  /**
   * Starts the writer thread. The queue holds two in-flight rounds of batches, enough to keep the
   * encoders busy while the pipeline works on its next batch.
   */
  public static TokenShardSink open(Path dir, Tokenizer tok, TokenShards.Options opts) {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(tok, "tokenizer");
    Objects.requireNonNull(opts, "opts");
    if (tok.endOfTextId() < 0) {
      throw new IllegalArgumentException("the tokenizer has no end-of-text token; token shards separate documents with it."
          + " Train or load one with <|endoftext|> among its special tokens");
    }
    return new TokenShardSink(dir, tok, opts, 2 * opts.documentsPerBatch() * opts.maxBatchesInFlight());
  }

  @Override
  public void accept(Document doc) {
    Objects.requireNonNull(doc, "doc");
    if (closed) throw new IllegalStateException("token sink is closed; documents must come before close()");
    put(doc);
  }

  /** Waits for the last shard and {@code index.json}; rethrows a failure of the writer. */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    put(END);
    try {
      writer.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while finishing token shards", e);
    }
    rethrow();
  }

  /** What was written; available after {@link #close()}. */
  public TokenShards.Stats stats() {
    if (stats == null) throw new IllegalStateException("token shard stats are known only after close()");
    return stats;
  }

  private void put(Document d) {
    try {
      while (!queue.offer(d, 100, TimeUnit.MILLISECONDS)) {
        rethrow();
        if (!writer.isAlive()) throw new IllegalStateException("token shard writer stopped early");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while queueing document " + d.id() + " for tokenization", e);
    }
    rethrow();
  }

  private void rethrow() {
    Throwable t = failure;
    if (t instanceof RuntimeException r) throw r;
    if (t instanceof Error e) throw e;
    if (t != null) throw new IllegalStateException("writing token shards failed: " + t, t);
  }

  /** The pull side, used only by the writer thread. */
  private final class QueueIterator implements Iterator<Document> {
    private Document next;

    @Override
    public boolean hasNext() {
      if (next == null) {
        try {
          next = queue.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("token shard writer interrupted", e);
        }
      }
      return next != END;
    }

    @Override
    public Document next() {
      if (!hasNext()) throw new NoSuchElementException();
      Document d = next;
      next = null;
      return d;
    }
  }
}
