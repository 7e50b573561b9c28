package dev.llmj.data.shard;

import dev.llmj.data.Document;
import dev.llmj.data.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Tokenizes a corpus into a shard directory. Documents are read by the calling thread, encoded in
 * batches by a pool of workers, and written in input order, each followed by the end-of-text id;
 * the output is therefore byte-identical whatever the thread count. At most
 * {@code maxBatchesInFlight x documentsPerBatch} documents are held at once, so a corpus larger
 * than memory streams through.
 *
 * <pre>{@code
 * TokenShards.Stats stats = TokenShards.write(corpus.iterator(), tokenizer, Path.of("shards"),
 *     TokenShards.Options.defaults().withThreads(8)
 *         .withProgress((docs, bytes, tokens) -> bar.update(bytes)));
 * System.out.printf("%d tokens in %.1f s%n", stats.tokens(), stats.seconds());
 * }</pre>
 */
public final class TokenShards {
  private TokenShards() {}

  /** Called on the writing thread after each batch with running totals. */
  @FunctionalInterface
  public interface Progress {
    void update(long documents, long bytes, long tokens);
  }

  /**
   * @param threads encoding workers; encoding dominates, reading and writing are cheap
   * @param tokensPerShard shard size, see {@link ShardWriter.Config}
   * @param documentsPerBatch documents per work item; large enough to amortize the hand-off,
   *     small enough to keep all workers busy on short corpora
   * @param maxBatchesInFlight bound on batches read but not yet written; 4 per worker lets a slow
   *     document delay the writer without starving the other workers
   * @param tokenizerHash recorded in {@code index.json}, or null
   * @param progress running totals after each written batch, or null
   */
  public record Options(int threads, long tokensPerShard, int documentsPerBatch,
      int maxBatchesInFlight, String tokenizerHash, Progress progress) {
    public Options {
      if (threads < 1) {
        throw new IllegalArgumentException("threads is " + threads + ", expected >= 1");
      }
      if (tokensPerShard < 1) {
        throw new IllegalArgumentException("tokensPerShard is " + tokensPerShard
            + ", expected >= 1 (default " + ShardWriter.Config.DEFAULT_TOKENS_PER_SHARD + ")");
      }
      if (documentsPerBatch < 1) {
        throw new IllegalArgumentException("documentsPerBatch is " + documentsPerBatch
            + ", expected >= 1 (default 64)");
      }
      if (maxBatchesInFlight < 1) {
        throw new IllegalArgumentException("maxBatchesInFlight is " + maxBatchesInFlight
            + ", expected >= 1 (default 4 x threads)");
      }
    }

    /** All available processors, 100M-token shards, 64-document batches. */
    public static Options defaults() {
      int n = Runtime.getRuntime().availableProcessors();
      return new Options(n, ShardWriter.Config.DEFAULT_TOKENS_PER_SHARD, 64, 4 * n, null, null);
    }

    /** Sets the worker count and scales {@link #maxBatchesInFlight} with it. */
    public Options withThreads(int n) {
      return new Options(n, tokensPerShard, documentsPerBatch, 4 * Math.max(1, n), tokenizerHash,
          progress);
    }

    public Options withTokensPerShard(long n) {
      return new Options(threads, n, documentsPerBatch, maxBatchesInFlight, tokenizerHash,
          progress);
    }

    public Options withBatching(int docsPerBatch, int batchesInFlight) {
      return new Options(threads, tokensPerShard, docsPerBatch, batchesInFlight, tokenizerHash,
          progress);
    }

    public Options withTokenizerHash(String hash) {
      return new Options(threads, tokensPerShard, documentsPerBatch, maxBatchesInFlight, hash,
          progress);
    }

    public Options withProgress(Progress p) {
      return new Options(threads, tokensPerShard, documentsPerBatch, maxBatchesInFlight,
          tokenizerHash, p);
    }
  }

  /** What a write produced; {@code bytes} counts UTF-8 bytes of document text. */
  public record Stats(long documents, long tokens, long bytes, double seconds, ShardIndex index) {
    public double tokensPerSecond() {
      return seconds > 0 ? tokens / seconds : 0;
    }
  }

  /** As {@link #write(Iterator, Tokenizer, Path, Options)} with {@link Options#defaults()}. */
  public static Stats write(Iterator<Document> docs, Tokenizer tok, Path outDir) {
    return write(docs, tok, outDir, Options.defaults());
  }

  /**
   * Encodes every document and writes the shards and {@code index.json} into {@code outDir}. The
   * tokenizer must have an end-of-text token. On failure no index is written.
   */
  public static Stats write(Iterator<Document> docs, Tokenizer tok, Path outDir, Options opts) {
    Objects.requireNonNull(docs, "docs");
    long t0 = System.nanoTime();
    ShardWriter.Config cfg = new ShardWriter.Config(tok.vocabSize(), tok.endOfTextId(),
        opts.tokensPerShard(), opts.tokenizerHash());
    ExecutorService pool = Executors.newFixedThreadPool(opts.threads(), daemonThreads());
    ArrayDeque<Future<Encoded>> inFlight = new ArrayDeque<>();
    long documents = 0;
    long bytes = 0;
    try (ShardWriter w = ShardWriter.create(outDir, cfg)) {
      while (true) {
        while (inFlight.size() < opts.maxBatchesInFlight() && docs.hasNext()) {
          List<Document> batch = new ArrayList<>(opts.documentsPerBatch());
          while (batch.size() < opts.documentsPerBatch() && docs.hasNext()) {
            batch.add(docs.next());
          }
          inFlight.add(pool.submit(() -> encode(batch, tok)));
        }
        if (inFlight.isEmpty()) {
          break;
        }
        Encoded e = await(inFlight.poll());
        for (int[] ids : e.ids()) {
          w.writeDocument(ids);
        }
        documents += e.ids().length;
        bytes += e.bytes();
        if (opts.progress() != null) {
          opts.progress().update(documents, bytes, w.tokensWritten());
        }
      }
      ShardIndex index = w.finish();
      return new Stats(documents, index.totalTokens(), bytes, (System.nanoTime() - t0) / 1e9,
          index);
    } finally {
      inFlight.forEach(f -> f.cancel(true));
      pool.shutdownNow();
    }
  }

  private record Encoded(int[][] ids, long bytes) {}

  private static Encoded encode(List<Document> batch, Tokenizer tok) {
    int[][] ids = new int[batch.size()][];
    long bytes = 0;
    for (int i = 0; i < ids.length; i++) {
      Document d = batch.get(i);
      try {
        // Special-token text inside a document is data, not a separator: only the writer
        // places end-of-text ids, so a crafted document cannot forge a document boundary.
        ids[i] = tok.encode(d.text());
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("encoding document '" + d.id() + "' failed: " + e, e);
      }
      bytes += utf8Length(d.text());
    }
    return new Encoded(ids, bytes);
  }

  private static Encoded await(Future<Encoded> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while writing token shards", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  static long utf8Length(String s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        n += 1; // a lone surrogate, which String.getBytes(UTF_8) replaces with '?'
      } else {
        n += 3;
      }
    }
    return n;
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "llmj-encode-" + n.getAndIncrement());
      t.setDaemon(true);
      return t;
    };
  }
}
