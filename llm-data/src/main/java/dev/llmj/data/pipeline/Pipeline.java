package dev.llmj.data.pipeline;

import dev.llmj.data.Document;
import dev.llmj.data.io.CloseableIterator;
import dev.llmj.data.io.CorpusReader;
import dev.llmj.data.io.DocumentSink;
import dev.llmj.data.io.InputProblems;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * Streams documents from a source through steps into a sink, counting everything. Documents move
 * in batches; steps that are not {@link Step#sequential()} run on all threads within a batch,
 * stateful steps see documents one by one in input order, so results do not depend on threads.
 * A near-dedup step needs the whole input first: the source is then read twice.
 *
 * <pre>{@code
 * Pipeline p = Pipeline.builder()
 *     .step(Steps.normalize(NormalizeConfig.defaults()))
 *     .step(Steps.exactDedup(ExactDedupConfig.defaults()))
 *     .step(Steps.minHashDedup(MinHashConfig.defaults()))
 *     .threads(Runtime.getRuntime().availableProcessors())
 *     .build();
 * try (JsonlShardWriter out = JsonlShardWriter.create(dir, "part", 256L << 20, Compression.GZIP)) {
 *   PipelineStats stats = p.run(() -> Corpus.read(inputs, ReaderOptions.defaults()), out, DocumentSink.discard());
 *   System.out.print(stats.toTable());
 * }
 * }</pre>
 */
public final class Pipeline {
  /** Called after each batch with the pass number (1-based), documents and bytes read in it, and seconds since the run began. */
  @FunctionalInterface
  public interface ProgressListener {
    void progress(int pass, int passes, long documents, long bytes, double seconds);
  }

  private static final int BATCH = 512;

  private final List<Step> steps;
  private final int threads;
  private final ProgressListener listener;

  private Pipeline(List<Step> steps, int threads, ProgressListener listener) {
    this.steps = List.copyOf(steps);
    this.threads = threads;
    this.listener = listener;
  }

  public static Builder builder() {
    return new Builder();
  }

  public List<Step> steps() {
    return steps;
  }

  /**
   * Runs every pass and returns the stats. Kept documents go to {@code kept}; dropped ones go to
   * {@code rejected} with metadata {@code drop_step} and {@code drop_reason}.
   *
   * @param source opens the input; called once per pass
   */
  public PipelineStats run(Supplier<? extends CloseableIterator<Document>> source, DocumentSink kept, DocumentSink rejected) {
    List<Integer> indexSteps = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) {
      if (steps.get(i) instanceof TwoPassStep) indexSteps.add(i);
    }
    int passes = indexSteps.size() + 1;
    long start = System.nanoTime();
    ForkJoinPool pool = threads > 1 ? new ForkJoinPool(threads) : null;
    try {
      for (int p = 0; p < indexSteps.size(); p++) {
        int k = indexSteps.get(p);
        new Pass(pool, k, null, null, p + 1, passes, start).run(source);
        ((TwoPassStep) steps.get(k)).resolve();
      }
      List<StepStats> stats = new ArrayList<>();
      for (Step s : steps) stats.add(new StepStats(s.name()));
      Pass last = new Pass(pool, steps.size(), kept, rejected, passes, passes, start);
      last.stats = stats;
      last.run(source);
      for (int i = 0; i < steps.size(); i++) stats.get(i).setCounters(steps.get(i).counters());
      return new PipelineStats(last.read, last.written, last.bytes, (System.nanoTime() - start) / 1e9, passes,
          last.problems, stats);
    } finally {
      if (pool != null) pool.shutdown();
    }
  }

  /** One pass over the input through steps [0, end); indexes into steps[end] when it is a two-pass step. */
  private final class Pass {
    final ForkJoinPool pool;
    final int end;
    final DocumentSink kept;
    final DocumentSink rejected;
    final int pass;
    final int passes;
    final long start;
    List<StepStats> stats;
    long read;
    long written;
    long bytes;
    InputProblems problems;

    Pass(ForkJoinPool pool, int end, DocumentSink kept, DocumentSink rejected, int pass, int passes, long start) {
      this.pool = pool;
      this.end = end;
      this.kept = kept;
      this.rejected = rejected;
      this.pass = pass;
      this.passes = passes;
      this.start = start;
    }

    void run(Supplier<? extends CloseableIterator<Document>> source) {
      for (Step s : steps) s.startPass();
      long charBytes = 0;
      try (CloseableIterator<Document> it = source.get()) {
        CorpusReader reader = it instanceof CorpusReader r ? r : null;
        Document[] batch = new Document[BATCH];
        while (it.hasNext()) {
          int n = 0;
          while (n < BATCH && it.hasNext()) {
            Document d = it.next();
            if (reader == null) charBytes += d.text().length();
            batch[n++] = d;
          }
          read += n;
          process(batch, n);
          bytes = reader != null ? reader.bytesRead() : charBytes;
          if (listener != null) listener.progress(pass, passes, read, bytes, (System.nanoTime() - start) / 1e9);
        }
        if (reader != null) problems = reader.problems();
      }
    }

    private void process(Document[] docs, int n) {
      Verdict[] out = new Verdict[n];
      for (int i = 0; i < end; i++) {
        Step step = steps.get(i);
        long t0 = System.nanoTime();
        forEach(step.sequential(), n, j -> out[j] = docs[j] == null ? null : apply(step, docs[j]));
        if (stats != null) stats.get(i).addNanos(System.nanoTime() - t0);
        for (int j = 0; j < n; j++) {
          if (docs[j] == null) continue;
          Verdict v = out[j];
          if (stats != null) stats.get(i).record(v);
          if (!v.kept() && rejected != null) rejected.accept(annotate(docs[j], step.name(), v.reason()));
          docs[j] = v.document();
        }
      }
      if (end < steps.size()) {
        TwoPassStep index = (TwoPassStep) steps.get(end);
        Object[] keys = new Object[n];
        forEach(false, n, j -> keys[j] = docs[j] == null ? null : index.key(docs[j]));
        for (int j = 0; j < n; j++) if (docs[j] != null) index.index(keys[j]);
      } else if (kept != null) {
        for (int j = 0; j < n; j++) {
          if (docs[j] != null) {
            kept.accept(docs[j]);
            written++;
          }
        }
      }
    }

    private void forEach(boolean sequential, int n, java.util.function.IntConsumer body) {
      if (pool == null || sequential) {
        for (int j = 0; j < n; j++) body.accept(j);
      } else {
        pool.submit(() -> IntStream.range(0, n).parallel().forEach(body)).join();
      }
    }
  }

  private static Verdict apply(Step step, Document doc) {
    try {
      Verdict v = step.apply(doc);
      if (v == null) throw new IllegalStateException("returned null instead of a Verdict");
      return v;
    } catch (RuntimeException e) {
      throw new IllegalStateException("Step '" + step.name() + "' failed on document " + doc.id() + ": " + e.getMessage(), e);
    }
  }

  private static Document annotate(Document doc, String step, String reason) {
    Map<String, String> meta = new HashMap<>(doc.metadata());
    meta.put("drop_step", step);
    meta.put("drop_reason", reason);
    return new Document(doc.id(), doc.text(), meta);
  }

  /** Collects steps and settings; {@link #build()} validates them. */
  public static final class Builder {
    private final List<Step> steps = new ArrayList<>();
    private int threads = 1;
    private ProgressListener listener;

    public Builder step(Step step) {
      steps.add(java.util.Objects.requireNonNull(step, "step"));
      return this;
    }

    public Builder steps(List<? extends Step> more) {
      more.forEach(this::step);
      return this;
    }

    /** Threads for the steps that can run in parallel (default 1). */
    public Builder threads(int n) {
      if (n < 1) throw new IllegalArgumentException("threads=" + n + " must be at least 1");
      threads = n;
      return this;
    }

    public Builder progress(ProgressListener l) {
      listener = l;
      return this;
    }

    public Pipeline build() {
      return new Pipeline(steps, threads, listener);
    }
  }
}
