package dev.llmj.data.tokenizer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Encodes a stream of documents on a thread pool and hands results back in input order. Documents
 * are grouped into tasks of about {@value #TASK_CHARS} characters so small ones do not drown in
 * scheduling, and at most {@code 4 * threads} tasks are in flight, so memory stays bounded however
 * long the stream is.
 */
final class CorpusEncoder {
  static final int TASK_CHARS = 64 * 1024;
  private static final int MAX_TASK_DOCS = 256;

  private CorpusEncoder() {}

  static void encodeAll(Function<String, int[]> encode, Iterator<String> texts, int threads,
      Consumer<int[]> sink) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    if (threads == 1) {
      texts.forEachRemaining(t -> sink.accept(encode.apply(t)));
      return;
    }
    AtomicInteger n = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "llmj-encode-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    ArrayDeque<Future<int[][]>> inFlight = new ArrayDeque<>();
    try {
      while (texts.hasNext() || !inFlight.isEmpty()) {
        while (inFlight.size() < 4 * threads && texts.hasNext()) {
          List<String> batch = nextBatch(texts);
          inFlight.add(pool.submit(() -> {
            int[][] out = new int[batch.size()][];
            for (int i = 0; i < out.length; i++) {
              out[i] = encode.apply(batch.get(i));
            }
            return out;
          }));
        }
        for (int[] ids : await(inFlight.poll())) {
          sink.accept(ids);
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static List<String> nextBatch(Iterator<String> texts) {
    List<String> batch = new ArrayList<>();
    long chars = 0;
    while (texts.hasNext() && chars < TASK_CHARS && batch.size() < MAX_TASK_DOCS) {
      String t = texts.next();
      batch.add(t);
      chars += t.length();
    }
    return batch;
  }

  private static int[][] await(Future<int[][]> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while encoding", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException) {
        throw (RuntimeException) c;
      }
      if (c instanceof Error) {
        throw (Error) c;
      }
      throw new IllegalStateException(c);
    }
  }
}
