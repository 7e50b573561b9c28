package dev.llmj.data.pipeline;

import dev.llmj.data.Document;
import dev.llmj.data.io.CloseableIterator;
import dev.llmj.data.io.CorpusReader;
import dev.llmj.data.io.DocumentSink;
import dev.llmj.data.io.InputProblems;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * Streams documents from a source through steps into a sink, counting everything. Documents move
 * in batches; steps that are not {@link Step#sequential()} run on all threads within a batch,
 * stateful steps see documents one by one in input order, so results do not depend on threads.
 * A near-dedup step needs the whole input first: the source is then read twice, and the second
 * pass takes the filters' verdicts recorded in the first (4 bytes a document) instead of
 * recomputing them. When the input fits {@link Builder#inputMemory(long)} (by default an eighth of
 * the heap), the first pass keeps the documents it read and the later passes take them from memory
 * instead of decompressing and parsing the input again; with one indexing pass it keeps them as the
 * leading formatters (normalize) left them, and the final pass replays those steps too.
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
  private final long inputMemory;

  private Pipeline(List<Step> steps, int threads, ProgressListener listener, boolean replay, long inputMemory) {
    this.steps = List.copyOf(steps);
    this.threads = threads;
    this.listener = listener;
    this.replay = replay;
    this.inputMemory = inputMemory;
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
   * @param source opens the input; called once per pass, or only once when the input fits
   *     {@link Builder#inputMemory(long)}
   */
  public PipelineStats run(Supplier<? extends CloseableIterator<Document>> source, DocumentSink kept, DocumentSink rejected) {
    List<Integer> indexSteps = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) {
      if (steps.get(i) instanceof TwoPassStep) indexSteps.add(i);
    }
    int passes = indexSteps.size() + 1;
    long start = System.nanoTime();
    ForkJoinPool pool = threads > 1 ? new ForkJoinPool(threads) : null;
    InputCopy copy = passes > 1 && inputMemory > 0 ? new InputCopy(inputMemory) : null;
    try {
      Pass index = null;
      // With one indexing pass whose verdicts the final pass replays, the copy keeps each document as
      // the leading formatters left it, and the final pass replays them instead of formatting again.
      int formatted = copy != null && replay && indexSteps.size() == 1 && indexSteps.get(0) <= Fates.MAX_STEPS
          ? leadingFormatters() : 0;
      for (int p = 0; p < indexSteps.size(); p++) {
        int k = indexSteps.get(p);
        index = new Pass(pool, k, null, null, p + 1, passes, start);
        if (replay && p == indexSteps.size() - 1 && k <= Fates.MAX_STEPS) index.fates = new Fates();
        index.keepFormatted = formatted;
        index.run(source, copy);
        ((TwoPassStep) steps.get(k)).resolve();
      }
      // Steps before the last indexed one saw every document in its pass; in the final pass some
      // are replayed or skipped, so their counters are taken here.
      List<Map<String, Long>> counters = new ArrayList<>();
      for (int i = 0; i < steps.size(); i++) counters.add(index != null && i < index.end ? Map.copyOf(steps.get(i).counters()) : null);
      List<StepStats> stats = new ArrayList<>();
      for (Step s : steps) stats.add(new StepStats(s.name()));
      Pass last = new Pass(pool, steps.size(), kept, rejected, passes, passes, start);
      last.stats = stats;
      if (index != null && index.fates != null) {
        last.replay = index.fates;
        last.replayEnd = index.end;
        last.replayedFormatters = copy != null && copy.complete() ? formatted : 0; // else the input is read raw again
        // Replayed steps and the index keys did their work in the indexing pass: count that time.
        for (int i = 0; i <= index.end; i++) {
          if (i == index.end || last.replayed(i)) stats.get(i).addNanos(index.nanos[i]);
        }
      }
      last.run(source, copy);
      if (last.replay != null && last.read != last.replay.size()) {
        throw new IllegalStateException("the input had " + last.replay.size() + " documents in the indexing pass but "
            + last.read + " in the final pass; it changed between passes");
      }
      for (int i = 0; i < steps.size(); i++) {
        stats.get(i).setCounters(counters.get(i) != null ? counters.get(i) : steps.get(i).counters());
      }
      return new PipelineStats(last.read, last.written, last.bytes, (System.nanoTime() - start) / 1e9, passes,
          last.problems, stats);
    } finally {
      if (pool != null) pool.shutdown();
    }
  }

  /** How many steps at the start are formatters that run in parallel (the first of them, normalize, usually). */
  private int leadingFormatters() {
    int n = 0;
    while (n < steps.size() && steps.get(n) instanceof Formatter && !steps.get(n).sequential()) n++;
    return n;
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
    /** The current batch's drops (step and reason), recorded into {@link #fates} in input order. */
    int[] dropStep;
    String[] dropReason;
    /** Read by the final pass: the fates of the indexing pass over steps [0, replayEnd). */
    Fates replay;
    int replayEnd;
    /** The final pass: the leading formatters whose output the input copy holds, replayed like filters. */
    int replayedFormatters;
    /** The indexing pass: how many leading formatters the input copy keeps the output of (0: the input as read). */
    int keepFormatted;
    /** The current batch's documents as the leading formatters left them, for the input copy. */
    Document[] formatted;
    final long[] nanos = new long[steps.size()];
    long read;
    long written;
    long bytes;
    InputProblems problems;
    /** Writes kept documents behind the steps when they run on several threads. */
    WriteBehind writer;

    Pass(ForkJoinPool pool, int end, DocumentSink kept, DocumentSink rejected, int pass, int passes, long start) {
      this.pool = pool;
      this.end = end;
      this.kept = kept;
      this.rejected = rejected;
      this.pass = pass;
      this.passes = passes;
      this.start = start;
    }

    /** Reads the input from {@code copy} when an earlier pass kept all of it, else from {@code source}. */
    void run(Supplier<? extends CloseableIterator<Document>> source, InputCopy copy) {
      for (int i = 0; i < steps.size(); i++) {
        if (!replayed(i)) steps.get(i).startPass();
      }
      boolean fromMemory = copy != null && copy.complete();
      try (CloseableIterator<Document> it = fromMemory ? null : source.get();
          Batches batches = fromMemory ? null : new Batches(it, BATCH, pool != null)) {
        writer = pool != null && kept != null && end == steps.size() ? new WriteBehind(kept) : null;
        // the final pass's batches are not needed again
        Supplier<Batches.Batch> next = fromMemory ? copy.reader(end == steps.size()) : batches::next;
        for (Batches.Batch b = next.get(); b != null; b = next.get()) {
          boolean keep = !fromMemory && copy != null;
          // The copy gets an array of its own: the steps null out dropped documents in b's.
          Document[] copied = keep ? (keepFormatted > 0 ? new Document[b.size()] : Arrays.copyOf(b.docs(), b.size())) : null;
          formatted = keep && keepFormatted > 0 ? copied : null;
          read += b.size();
          process(b.docs(), b.size());
          if (keep) copy.keep(new Batches.Batch(copied, b.size(), b.bytesRead()));
          bytes = b.bytesRead();
          if (listener != null) listener.progress(pass, passes, read, bytes, (System.nanoTime() - start) / 1e9);
        }
        if (writer != null) writer.finish();
        if (fromMemory) problems = copy.problems();
        else if (it instanceof CorpusReader reader) problems = reader.problems();
        if (!fromMemory && copy != null) copy.finish(problems);
      } finally {
        if (writer != null) writer.close();
      }
    }

    /**
     * Runs a batch through steps [0, end). Each run of parallel steps is one task per document (no
     * barrier between them), and it also computes the key of the sequential step after it, so the
     * in-order part is only the decision.
     */
    private void process(Document[] docs, int n) {
      long base = read - n; // input ordinal of docs[0]
      boolean indexing = end < steps.size();
      if (fates != null) {
        dropStep = new int[n];
        dropReason = new String[n];
      }
      int i = 0;
      while (i < end || (i == end && indexing)) {
        int j = i;
        while (j < end && !steps.get(j).sequential()) j++;
        boolean keyed = j < end ? steps.get(j) instanceof KeyedStep : indexing;
        Object[] keys = keyed ? new Object[n] : null;
        if (j > i || keyed) runParallel(i, j, keys, docs, n, base);
        if (j < end) runSequential(j, keys, docs, n, base);
        else if (indexing) index(keys, docs, n);
        i = j + 1;
      }
      if (fates != null) { // in input order, as Fates requires: drops happen step by step
        for (int d = 0; d < n; d++) {
          if (docs[d] != null) fates.reached(base + d);
          else fates.dropped(base + d, dropStep[d], dropReason[d]);
        }
      }
      if (!indexing && kept != null) {
        List<Document> out = new ArrayList<>();
        for (int d = 0; d < n; d++) if (docs[d] != null) out.add(docs[d]);
        written += out.size();
        if (writer != null) writer.write(out);
        else out.forEach(kept::accept);
      }
    }

    /** Steps [from, to) on every document, then the key of step {@code to} when {@code keys} is given. */
    private void runParallel(int from, int to, Object[] keys, Document[] docs, int n, long base) {
      int[] stop = new int[n]; // the step that dropped the document, or `to`
      Document[] at = new Document[n]; // the document as it reached that step
      String[] reasons = new String[n];
      AtomicLongArray time = new AtomicLongArray(to + 1);
      forEach(n, d -> {
        Document doc = docs[d];
        if (doc == null) return;
        long ordinal = base + d;
        boolean record = formatted != null && from == 0; // the indexing pass keeps the leading formatters' output
        int s = from;
        for (; s < to; s++) {
          if (record && s == keepFormatted) formatted[d] = doc;
          long t0 = System.nanoTime();
          Verdict v = decide(steps.get(s), s, ordinal, doc, NO_KEY);
          time.addAndGet(s, System.nanoTime() - t0);
          if (!v.kept()) {
            reasons[d] = v.reason();
            break;
          }
          doc = v.document();
        }
        stop[d] = s;
        at[d] = doc;
        // Formatted by all of them (s == to), or as it reached the leading formatter that dropped it.
        if (record && formatted[d] == null) formatted[d] = doc;
        if (s == to && keys != null) {
          long t0 = System.nanoTime();
          keys[d] = key(to, ordinal, doc);
          time.addAndGet(to, System.nanoTime() - t0);
        }
      });
      for (int s = from; s <= to && s < steps.size(); s++) addNanos(s, time.get(s));
      for (int s = from; s < to; s++) {
        for (int d = 0; d < n; d++) {
          if (docs[d] == null || stop[d] < s) continue;
          if (stop[d] > s) countKept(s);
          else drop(s, at[d], base + d, reasons[d]);
        }
      }
      for (int d = 0; d < n; d++) docs[d] = docs[d] == null || stop[d] < to ? null : at[d];
    }

    private void runSequential(int s, Object[] keys, Document[] docs, int n, long base) {
      Step step = steps.get(s);
      long t0 = System.nanoTime();
      for (int d = 0; d < n; d++) {
        if (docs[d] == null) continue;
        Verdict v = decide(step, s, base + d, docs[d], keys == null ? NO_KEY : keys[d]);
        if (v.kept()) {
          countKept(s);
          docs[d] = v.document();
        } else {
          drop(s, docs[d], base + d, v.reason());
          docs[d] = null;
        }
      }
      addNanos(s, System.nanoTime() - t0);
    }

    private void index(Object[] keys, Document[] docs, int n) {
      TwoPassStep step = (TwoPassStep) steps.get(end);
      long t0 = System.nanoTime();
      for (int d = 0; d < n; d++) if (docs[d] != null) step.index(keys[d]);
      nanos[end] += System.nanoTime() - t0;
    }

    private void addNanos(int s, long t) {
      nanos[s] += t;
      if (stats != null) stats.get(s).addNanos(t);
    }

    private void countKept(int s) {
      if (stats != null) stats.get(s).recordKept();
    }

    /** Step {@code s} dropped document {@code doc} (as it reached the step) for {@code reason}. */
    private void drop(int s, Document doc, long ordinal, String reason) {
      if (stats != null) stats.get(s).recordDropped(reason);
      if (rejected != null) rejected.accept(annotate(doc, steps.get(s).name(), reason));
      if (fates != null) {
        int d = (int) (ordinal - (read - dropStep.length));
        dropStep[d] = s;
        dropReason[d] = reason;
      }
    }

    /**
     * The key step {@code s} needs for {@code doc}: the index key at the indexed step, else the
     * {@link KeyedStep} key, unless the verdict will be replayed and the key is not needed.
     */
    private Object key(int s, long ordinal, Document doc) {
      Step step = steps.get(s);
      try {
        if (s == end) return ((TwoPassStep) step).key(doc);
        return verdictReplayed(step, s, ordinal) ? NO_KEY : ((KeyedStep) step).key(doc);
      } catch (RuntimeException e) {
        throw failure(step, doc, e);
      }
    }

    /**
     * True when this final pass takes step {@code i}'s verdicts from the indexing pass: filters only
     * decide, so their verdict on the same document in the same order is the same (and for dedup,
     * which keeps state, this also spares rebuilding it). Formatters rewrite text and run again,
     * except the leading ones whose output the input copy holds.
     */
    boolean replayed(int i) {
      if (replay == null || i >= replayEnd) return false;
      Step step = steps.get(i);
      return step instanceof Filter || step instanceof KeyedStep || i < replayedFormatters;
    }

    /** Whether the verdict of step {@code i} on document {@code ordinal} comes from the indexing pass. */
    private boolean verdictReplayed(Step step, int i, long ordinal) {
      if (replay == null || i >= replayEnd) return false;
      return replayed(i) || (rejected == null && replay.dropStep(ordinal) >= 0);
    }

    /**
     * Step {@code i}'s verdict on document {@code ordinal}: replayed from the indexing pass where
     * that is safe, else computed (with {@code key} when it was computed ahead). A document the
     * indexing pass dropped at step d, with no sink for rejects, skips every step before d
     * unchanged: nobody sees its text.
     */
    private Verdict decide(Step step, int i, long ordinal, Document doc, Object key) {
      if (verdictReplayed(step, i, ordinal)) {
        return i == replay.dropStep(ordinal) ? Verdict.drop(replay.reason(ordinal)) : Verdict.keep(doc);
      }
      Verdict v = key == NO_KEY ? apply(step, doc) : apply((KeyedStep) step, doc, key);
      if (replay != null && i < replayEnd && v.kept() != (i != replay.dropStep(ordinal))) {
        throw new IllegalStateException("Step '" + step.name() + "' " + (v.kept() ? "kept" : "dropped") + " document " + doc.id()
            + " in the final pass but not in the indexing pass; the input or the step changed between passes");
      }
      return v;
    }

    private void forEach(int n, IntConsumer body) {
      if (pool == null) {
        for (int j = 0; j < n; j++) body.accept(j);
      } else {
        pool.submit(() -> IntStream.range(0, n).parallel().forEach(body)).join();
      }
    }
  }

  /**
   * The documents the first pass read, as read, for the later passes, while they fit a budget of
   * heap bytes; past the budget it lets them go and the later passes read the input again.
   */
  private static final class InputCopy {
    private final long budget;
    private long used;
    private List<Batches.Batch> batches = new ArrayList<>();
    private boolean complete;
    private InputProblems problems;

    InputCopy(long budget) {
      this.budget = budget;
    }

    /** Keeps batch {@code b}, whose array nothing else changes; gives up past the budget. */
    void keep(Batches.Batch b) {
      if (batches == null) return;
      for (int d = 0; d < b.size(); d++) used += heapBytes(b.docs()[d]);
      if (used > budget) {
        batches = null;
        return;
      }
      batches.add(b);
    }

    /** The end of the first pass: the copy is complete unless it went over the budget. */
    void finish(InputProblems p) {
      complete = batches != null;
      problems = p;
    }

    boolean complete() {
      return complete;
    }

    InputProblems problems() {
      return problems;
    }

    /**
     * The kept batches in order, then null; each a fresh array the steps may change, unless {@code last}
     * (no later pass needs them), when the kept ones are handed over and let go.
     */
    Supplier<Batches.Batch> reader(boolean last) {
      int[] k = {0};
      return () -> {
        if (k[0] >= batches.size()) return null;
        Batches.Batch b = batches.get(k[0]);
        if (last) batches.set(k[0], null);
        k[0]++;
        return last ? b : new Batches.Batch(Arrays.copyOf(b.docs(), b.size()), b.size(), b.bytesRead());
      };
    }

    /** About what a document holds on the heap: its strings (up to 2 bytes a char) and the metadata map. */
    private static long heapBytes(Document d) {
      long n = 96 + 2L * (d.id().length() + d.text().length());
      for (Map.Entry<String, String> e : d.metadata().entrySet()) n += 96 + 2L * (e.getKey().length() + e.getValue().length());
      return n;
    }
  }

  /** Marks a key that was not computed ahead. */
  private static final Object NO_KEY = new Object();

  static Verdict apply(Step step, Document doc) {
    try {
      return checked(step.apply(doc));
    } catch (RuntimeException e) {
      throw failure(step, doc, e);
    }
  }

  private static Verdict apply(KeyedStep step, Document doc, Object key) {
    try {
      return checked(step.apply(doc, key));
    } catch (RuntimeException e) {
      throw failure(step, doc, e);
    }
  }

  private static Verdict checked(Verdict v) {
    if (v == null) throw new IllegalStateException("returned null instead of a Verdict");
    return v;
  }

  static IllegalStateException failure(Step step, Document doc, RuntimeException e) {
    return new IllegalStateException("Step '" + step.name() + "' failed on document " + doc.id() + ": " + e.getMessage(), e);
  }

  static Document annotate(Document doc, String step, String reason) {
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
    private long inputMemory = Runtime.getRuntime().maxMemory() / 8;

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

    /**
     * Heap bytes the first of several passes may spend keeping the input, so that the later passes
     * need not read it again (default: an eighth of the maximum heap; 0 reads the input every pass).
     * Past this the copy is dropped and the input is read again: the output is the same either way.
     */
    public Builder inputMemory(long bytes) {
      if (bytes < 0) throw new IllegalArgumentException("inputMemory=" + bytes + " must be 0 (off) or more bytes");
      inputMemory = bytes;
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
      return new Pipeline(steps, threads, listener, replay, inputMemory);
    }
  }
}
