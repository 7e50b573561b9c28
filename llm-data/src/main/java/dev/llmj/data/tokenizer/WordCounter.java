package dev.llmj.data.tokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Counts pre-tokenized pieces ("words") over a stream of documents, the first pass of BPE
 * training. The calling thread reads the stream and hands batches to worker threads through a
 * bounded queue; each worker counts into its own map and the maps are summed at the end, so the
 * result does not depend on the thread count. Special tokens are cut out of the text first, so
 * training never learns them as ordinary tokens.
 */
final class WordCounter {
  private static final int BATCH_CHARS = 256 * 1024;
  private static final List<String> END = new ArrayList<>();

  private final PreTokenizer preTokenizer;
  private final SpecialTokens specials;

  WordCounter(PreTokenizer preTokenizer, SpecialTokens specials) {
    this.preTokenizer = preTokenizer;
    this.specials = specials;
  }

  /** Piece to number of occurrences. */
  Map<String, long[]> count(Iterator<String> documents, int threads) {
    if (threads == 1) {
      Map<String, long[]> counts = new HashMap<>();
      documents.forEachRemaining(d -> countDocument(d, counts));
      return counts;
    }
    BlockingQueue<List<String>> queue = new ArrayBlockingQueue<>(2 * threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "llmj-bpe-count");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<Map<String, long[]>>> workers = new ArrayList<>();
      for (int w = 0; w < threads; w++) {
        workers.add(pool.submit(() -> {
          Map<String, long[]> counts = new HashMap<>();
          for (List<String> batch; (batch = queue.take()) != END; ) {
            for (String d : batch) {
              countDocument(d, counts);
            }
          }
          return counts;
        }));
      }
      List<String> batch = new ArrayList<>();
      long chars = 0;
      while (documents.hasNext()) {
        String d = documents.next();
        batch.add(d);
        chars += d.length();
        if (chars >= BATCH_CHARS) {
          offer(queue, batch, workers);
          batch = new ArrayList<>();
          chars = 0;
        }
      }
      offer(queue, batch, workers);
      for (int w = 0; w < threads; w++) {
        offer(queue, END, workers);
      }
      Map<String, long[]> total = null;
      for (Future<Map<String, long[]>> f : workers) {
        Map<String, long[]> part = f.get();
        if (total == null) {
          total = part;
        } else {
          for (Map.Entry<String, long[]> e : part.entrySet()) {
            total.merge(e.getKey(), e.getValue(), (a, b) -> {
              a[0] += b[0];
              return a;
            });
          }
        }
      }
      return total;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while counting words", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException ? (RuntimeException) e.getCause()
          : new IllegalStateException("word counting failed", e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  /** Waits for room in the queue, failing fast if a worker died (it would never drain it). */
  private static void offer(BlockingQueue<List<String>> queue, List<String> batch,
      List<Future<Map<String, long[]>>> workers) throws InterruptedException, ExecutionException {
    while (!queue.offer(batch, 100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
      for (Future<Map<String, long[]>> f : workers) {
        if (f.isDone()) {
          f.get();
        }
      }
    }
  }

  void countDocument(String text, Map<String, long[]> counts) {
    PreTokenizer.Sink sink = (s, e) -> counts.computeIfAbsent(text.substring(s, e), k -> new long[1])[0]++;
    if (specials.isEmpty()) {
      preTokenizer.split(text, 0, text.length(), sink);
      return;
    }
    SpecialTokens.Scan scan = specials.new Scan(text);
    int pos = 0;
    while (scan.find(pos)) {
      preTokenizer.split(text, pos, scan.start, sink);
      pos = scan.end();
    }
    preTokenizer.split(text, pos, text.length(), sink);
  }
}
