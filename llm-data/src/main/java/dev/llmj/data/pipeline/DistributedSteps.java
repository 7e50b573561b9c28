package dev.llmj.data.pipeline;

import dev.llmj.data.Document;
import dev.llmj.data.internal.LongIntMap;
import dev.llmj.data.io.InputProblems;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The seam between the steps and a runner that spreads documents over machines (the Spark job in
 * {@code dev.llmj.data.spark}): which steps decide on each document alone, and, for the two dedup
 * steps, the key a runner groups by and the rule that settles a group. The steps themselves do
 * not know who runs them; {@link Pipeline} stays the reference such a runner is tested equal to.
 *
 * <pre>{@code
 * for (Step s : config.steps()) {
 *   switch (DistributedSteps.kind(s)) {
 *     case PER_DOCUMENT -> verdict = DistributedSteps.apply(s, doc);
 *     case EXACT_DEDUP, NEAR_DEDUP -> keys = DistributedSteps.key(s, doc); // grouped across the input
 *   }
 * }
 * }</pre>
 */
public final class DistributedSteps {
  private DistributedSteps() {}

  /** How a step decides. */
  public enum Kind {
    /** On each document alone (filters and formatters): any machine may run it on any document. */
    PER_DOCUMENT,
    /** Of the documents reaching it with equal {@link #key}, keeps the first in input order. */
    EXACT_DEDUP,
    /**
     * Documents reaching it that share any of their {@link #key} values (band hashes) are joined
     * into clusters, transitively; keeps each cluster's first document in input order.
     */
    NEAR_DEDUP
  }

  /**
   * @throws UnsupportedOperationException for a step that keeps state across documents other than
   *     the built-in dedup steps: only {@link Pipeline} can run it
   */
  public static Kind kind(Step step) {
    if (step instanceof ExactDedupStep) return Kind.EXACT_DEDUP;
    if (step instanceof MinHashDedupStep) return Kind.NEAR_DEDUP;
    if (step.sequential()) {
      throw new UnsupportedOperationException("Step '" + step.name() + "' keeps state across documents and only runs"
          + " in the in-process Pipeline; remove it from the pipeline or run without a distributed engine");
    }
    return Kind.PER_DOCUMENT;
  }

  /**
   * The dedup key of a document as it reaches {@code step}: {@code {lo, hi}} of the text hash for
   * {@link Kind#EXACT_DEDUP}; the band hashes (each already distinct per band) for
   * {@link Kind#NEAR_DEDUP}, or null for a document without words, which joins no cluster.
   */
  public static long[] key(Step step, Document doc) {
    try {
      return switch (kind(step)) {
        case EXACT_DEDUP -> ((ExactDedupStep) step).key(doc);
        case NEAR_DEDUP -> ((MinHashDedupStep) step).key(doc);
        case PER_DOCUMENT -> throw new IllegalArgumentException("Step '" + step.name() + "' has no dedup key");
      };
    } catch (RuntimeException e) {
      if (e instanceof IllegalArgumentException || e instanceof UnsupportedOperationException) throw e;
      throw Pipeline.failure(step, doc, e);
    }
  }

  /** The verdict of a {@link Kind#PER_DOCUMENT} step, with the document named if the step fails. */
  public static Verdict apply(Step step, Document doc) {
    return Pipeline.apply(step, doc);
  }

  /** The drop reason of a dedup step. */
  public static String dropReason(Step step) {
    return switch (kind(step)) {
      case EXACT_DEDUP -> ExactDedupStep.REASON;
      case NEAR_DEDUP -> MinHashDedupStep.REASON;
      case PER_DOCUMENT -> throw new IllegalArgumentException("Step '" + step.name() + "' is not a dedup step");
    };
  }

  /**
   * How many distinct keys an exact dedup step remembers: a key first met after that many others
   * is never checked, so all its documents are kept (counted as {@code unchecked_table_full}).
   */
  public static long maxDistinct(Step step) {
    if (!(step instanceof ExactDedupStep e)) throw new IllegalArgumentException("Step '" + step.name() + "' is not exact_dedup");
    return e.maxDocuments();
  }

  /** The counters of a dedup step, by the names {@link Pipeline} reports. */
  public static Map<String, Long> dedupCounters(Step step, long groups, long documents) {
    return switch (kind(step)) {
      case EXACT_DEDUP -> ExactDedupStep.counters(groups, documents);
      case NEAR_DEDUP -> MinHashDedupStep.counters(groups, documents);
      case PER_DOCUMENT -> throw new IllegalArgumentException("Step '" + step.name() + "' is not a dedup step");
    };
  }

  /** A dropped document as the rejected sink receives it: metadata {@code drop_step} and {@code drop_reason} added. */
  public static Document rejected(Document doc, Step step, String reason) {
    return Pipeline.annotate(doc, step.name(), reason);
  }

  /**
   * The clusters of a graph given by its edges {@code (a[i], b[i])}, closed with the union-find
   * of the near-dedup step: {@code {members, firsts}}, each node that is not the smallest of its
   * cluster beside that smallest node. Memory: about 40 bytes per node besides the edge arrays.
   */
  public static long[][] clusters(long[] a, long[] b) {
    if (a.length != b.length) throw new IllegalArgumentException("edge ends differ in length: " + a.length + " vs " + b.length);
    // Dense ordinals in increasing node order, so that the union-find's smallest ordinal is the smallest node.
    long[] nodes = new long[2 * a.length];
    System.arraycopy(a, 0, nodes, 0, a.length);
    System.arraycopy(b, 0, nodes, a.length, b.length);
    java.util.Arrays.sort(nodes);
    LongIntMap ordinal = new LongIntMap(Math.max(16, nodes.length));
    UnionFind sets = new UnionFind();
    List<Long> byOrdinal = new ArrayList<>();
    for (int i = 0; i < nodes.length; i++) {
      if (i > 0 && nodes[i] == nodes[i - 1]) continue;
      ordinal.putIfAbsent(nodes[i], sets.add());
      byOrdinal.add(nodes[i]);
    }
    for (int i = 0; i < a.length; i++) {
      sets.union(ordinal.getOrDefault(a[i], -1), ordinal.getOrDefault(b[i], -1));
    }
    int n = sets.size();
    int members = 0;
    for (int i = 0; i < n; i++) if (sets.find(i) != i) members++;
    long[][] out = {new long[members], new long[members]};
    for (int i = 0, k = 0; i < n; i++) {
      int r = sets.find(i);
      if (r == i) continue;
      out[0][k] = byOrdinal.get(i);
      out[1][k++] = byOrdinal.get(r);
    }
    return out;
  }

  /**
   * Stats of a run counted elsewhere, as {@link Pipeline#run} would report them.
   *
   * @param kept per step, the documents it kept
   * @param dropped per step, its drops per reason
   * @param counters per step, its own counters
   * @param nanos per step, the time spent in it
   */
  public static PipelineStats stats(List<Step> steps, long documentsRead, long documentsWritten, long bytesRead,
      double seconds, int passes, Map<String, Long> problemCounts, List<InputProblems.Problem> problemExamples,
      long[] kept, List<Map<String, Long>> dropped, List<Map<String, Long>> counters, long[] nanos) {
    List<StepStats> stats = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) {
      StepStats s = new StepStats(steps.get(i).name());
      s.add(kept[i], dropped.get(i));
      s.setCounters(counters.get(i));
      s.addNanos(nanos[i]);
      stats.add(s);
    }
    return new PipelineStats(documentsRead, documentsWritten, bytesRead, seconds, passes, problemCounts, problemExamples,
        stats);
  }
}
