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
 * A near-dedup step needs the whole input first: the source is then read twice, and the second
 * pass takes the filters' verdicts recorded in the first (4 bytes a document) instead of
 * recomputing them.
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
  private final boolean replay;

  private Pipeline(List<Step> steps, int threads, ProgressListener listener, boolean replay) {
    this.steps = List.copyOf(steps);
    this.threads = threads;
    this.listener = listener;
    this.replay = replay;
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
      Pass index = null;
      for (int p = 0; p < indexSteps.size(); p++) {
        int k = indexSteps.get(p);
        index = new Pass(pool, k, null, null, p + 1, passes, start);
        if (replay && p == indexSteps.size() - 1 && k <= Fates.MAX_STEPS) index.fates = new Fates();
        index.run(source);
        ((TwoPassStep) steps.get(k)).resolve();
      }
      List<StepStats> stats = new ArrayList<>();
      for (Step s : steps) stats.add(new StepStats(s.name()));
      Pass last = new Pass(pool, steps.size(), kept, rejected, passes, passes, start);
      last.stats = stats;
      if (index != null && index.fates != null) {
        last.replay = index.fates;
        last.replayEnd = index.end;
        // Replayed steps and the index keys did their work in the indexing pass: count that time.
        for (int i = 0; i <= index.end; i++) {
          if (i == index.end || replayed(steps.get(i), i, index.end)) stats.get(i).addNanos(index.nanos[i]);
        }
      }
      last.run(source);
      if (last.replay != null && last.read != last.replay.size()) {
        throw new IllegalStateException("the input had " + last.replay.size() + " documents in the indexing pass but "
            + last.read + " in the final pass; it changed between passes");
      }
      for (int i = 0; i < steps.size(); i++) stats.get(i).setCounters(steps.get(i).counters());
      return new PipelineStats(last.read, last.written, last.bytes, (System.nanoTime() - start) / 1e9, passes,
          last.problems, stats);
    } finally {
      if (pool != null) pool.shutdown();
    }
  }

  /**
   * True when the final pass takes step {@code i}'s verdicts from the indexing pass: filters only
   * decide, so their verdict on the same document in the same order is the same (and for dedup,
   * which keeps state, this also spares rebuilding it). Formatters rewrite text and run again.
   */
  private static boolean replayed(Step step, int i, int replayEnd) {
    return i < replayEnd && step instanceof Filter;
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
    /** Written by an indexing pass: the fate of every document. */
    Fates fates;
    /** Read by the final pass: the fates of the indexing pass over steps [0, replayEnd). */
    Fates replay;
    int replayEnd;
    final long[] nanos = new long[steps.size()];
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
      for (int i = 0; i < steps.size(); i++) {
        if (replay == null || !replayed(steps.get(i), i, replayEnd)) steps.get(i).startPass();
      }
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
      long base = read - n; // input ordinal of docs[0]
      Verdict[] out = new Verdict[n];
      for (int i = 0; i < end; i++) {
        Step step = steps.get(i);
        int si = i;
        long t0 = System.nanoTime();
        forEach(step.sequential(), n, j -> out[j] = docs[j] == null ? null : decide(step, si, base + j, docs[j]));
        nanos[i] += System.nanoTime() - t0;
        if (stats != null) stats.get(i).addNanos(System.nanoTime() - t0);
        for (int j = 0; j < n; j++) {
          if (docs[j] == null) continue;
          Verdict v = out[j];
          if (stats != null) stats.get(i).record(v);
          if (!v.kept()) {
            if (rejected != null) rejected.accept(annotate(docs[j], step.name(), v.reason()));
            if (fates != null) fates.dropped(base + j, i, v.reason());
          }
          docs[j] = v.document();
        }
      }
      if (fates != null) {
        for (int j = 0; j < n; j++) if (docs[j] != null) fates.reached(base + j);
      }
      if (end < steps.size()) {
        TwoPassStep index = (TwoPassStep) steps.get(end);
        Object[] keys = new Object[n];
        long t0 = System.nanoTime();
        forEach(false, n, j -> keys[j] = docs[j] == null ? null : index.key(docs[j]));
        for (int j = 0; j < n; j++) if (docs[j] != null) index.index(keys[j]);
        nanos[end] += System.nanoTime() - t0;
      } else if (kept != null) {
        for (int j = 0; j < n; j++) {
          if (docs[j] != null) {
            kept.accept(docs[j]);
            written++;
          }
        }
      }
    }

    /**
     * Step {@code i}'s verdict on document {@code ordinal}: replayed from the indexing pass where
     * that is safe, else computed. A document the indexing pass dropped at step d, with no sink for
     * rejects, skips every step before d unchanged: nobody sees its text.
     */
    private Verdict decide(Step step, int i, long ordinal, Document doc) {
      if (replay == null || i >= replayEnd) return apply(step, doc);
      int dropStep = replay.dropStep(ordinal);
      if (replayed(step, i, replayEnd) || (rejected == null && dropStep >= 0)) {
        return i == dropStep ? Verdict.drop(replay.reason(ordinal)) : Verdict.keep(doc);
      }
      Verdict v = apply(step, doc);
      if (v.kept() != (i != dropStep)) {
        throw new IllegalStateException("Step '" + step.name() + "' " + (v.kept() ? "kept" : "dropped") + " document " + doc.id()
            + " in the final pass but not in the indexing pass; the input or the step changed between passes");
      }
      return v;
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
    private boolean replay = true;

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

    /** Off: the final pass recomputes every step, as the reference the replay is tested against. */
    Builder replayVerdicts(boolean on) {
      replay = on;
      return this;
    }

    public Pipeline build() {
      return new Pipeline(steps, threads, listener, replay);
    }
  }
}
