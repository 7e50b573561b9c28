package dev.llmj.data.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llmj.data.Document;
import dev.llmj.data.io.Corpus;
import dev.llmj.data.io.ReaderOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The final pass replays the indexing pass's filter verdicts; it must give exactly what
 * recomputing every step gives: the same kept texts, the same rejects with the same reasons, the
 * same counts per step.
 */
class PipelineReplayTest {
  @Test
  void replayedVerdictsEqualRecomputedOnes() {
    List<Document> oneThread = null;
    // Normalize alone is a one-pass pipeline: its counters there are the reference for the two-pass runs.
    PipelineStats normalizeOnly = Pipeline.builder().step(Steps.normalize(NormalizeConfig.defaults())).build()
        .run(() -> Corpus.read(CorpusPipelineTest.SPAM.subList(0, 1), ReaderOptions.defaults()),
            dev.llmj.data.io.DocumentSink.discard(), null);
    for (int threads : new int[] {1, 2}) {
      CorpusPipelineTest.ListSink plainKept = new CorpusPipelineTest.ListSink();
      CorpusPipelineTest.ListSink plainRejected = new CorpusPipelineTest.ListSink();
      PipelineStats plain = run(false, threads, plainKept, plainRejected);
      CorpusPipelineTest.ListSink kept = new CorpusPipelineTest.ListSink();
      CorpusPipelineTest.ListSink rejected = new CorpusPipelineTest.ListSink();
      PipelineStats fast = run(true, threads, kept, rejected);
      CorpusPipelineTest.ListSink keptNoRejects = new CorpusPipelineTest.ListSink();
      PipelineStats fastNoRejects = run(true, threads, keptNoRejects, null);

      int differing = differing(plainKept.docs, kept.docs) + differing(plainRejected.docs, rejected.docs)
          + differing(plainKept.docs, keptNoRejects.docs);
      System.out.println(threads + " thread(s): " + kept.docs.size() + " kept, " + rejected.docs.size()
          + " rejected; documents differing from the recomputed pass: " + differing);
      assertEquals(0, differing);
      assertEquals(plainKept.docs.size(), kept.docs.size());
      assertEquals(plainRejected.docs.size(), rejected.docs.size());
      assertEquals(plainKept.docs.size(), keptNoRejects.docs.size());
      for (PipelineStats s : List.of(fast, fastNoRejects)) {
        for (int i = 0; i < plain.steps().size(); i++) {
          StepStats a = plain.steps().get(i);
          StepStats b = s.steps().get(i);
          String where = a.name() + " with " + threads + " thread(s)";
          assertEquals(a.seen(), b.seen(), where);
          assertEquals(a.kept(), b.kept(), where);
          assertEquals(a.dropped(), b.dropped(), where);
        }
      }
      assertEquals(plain.step("exact_dedup").counters(), fast.step("exact_dedup").counters());
      assertEquals(plain.step("minhash_dedup").counters(), fast.step("minhash_dedup").counters());
      assertEquals(plain.step("pii").counters(), fast.step("pii").counters());
      for (PipelineStats s : List.of(plain, fast, fastNoRejects)) {
        assertEquals(normalizeOnly.step("normalize").counters(), s.step("normalize").counters(),
            "normalize counters, counted once per document, " + threads + " thread(s)");
      }
      if (oneThread == null) oneThread = kept.docs;
      int vsOneThread = differing(oneThread, kept.docs);
      System.out.println(threads + " thread(s): documents differing from 1 thread: " + vsOneThread);
      assertEquals(0, vsOneThread);
    }
  }

  /** Documents dropped in the indexing pass (exact duplicates, a blank one) are replayed the same way. */
  @Test
  void replayWithFirstPassDrops() {
    List<Document> docs = new java.util.ArrayList<>(MinHashDedupTest.spam1().subList(0, 300));
    for (int i = 0; i < 300; i += 6) docs.add(i / 3, new Document("copy" + i, docs.get(i).text()));
    docs.add(17, new Document("blank", " \t\n "));
    for (int threads : new int[] {1, 2}) {
      List<List<Document>> outputs = new java.util.ArrayList<>();
      List<PipelineStats> stats = new java.util.ArrayList<>();
      for (boolean replay : new boolean[] {false, true}) {
        for (boolean withRejects : new boolean[] {true, false}) {
          CorpusPipelineTest.ListSink kept = new CorpusPipelineTest.ListSink();
          CorpusPipelineTest.ListSink rejected = withRejects ? new CorpusPipelineTest.ListSink() : null;
          stats.add(Pipeline.builder().steps(Steps.defaults()).threads(threads).replayVerdicts(replay).build()
              .run(() -> dev.llmj.data.io.CloseableIterator.of(docs), kept, rejected));
          outputs.add(kept.docs);
          if (rejected != null) outputs.add(rejected.docs);
        }
      }
      // outputs: plain kept, plain rejected, plain kept (no rejects), replay kept, replay rejected, replay kept (no rejects)
      assertEquals(0, differing(outputs.get(0), outputs.get(3)), "kept, " + threads + " thread(s)");
      assertEquals(0, differing(outputs.get(1), outputs.get(4)), "rejected, " + threads + " thread(s)");
      assertEquals(0, differing(outputs.get(0), outputs.get(5)), "kept without a reject sink, " + threads + " thread(s)");
      assertEquals(0, differing(outputs.get(0), outputs.get(2)));
      long dups = stats.get(0).step("exact_dedup").droppedTotal();
      assertEquals(50, dups, "the 50 copies are exact duplicates");
      for (PipelineStats st : stats) {
        assertEquals(stats.get(0).step("exact_dedup").dropped(), st.step("exact_dedup").dropped());
        assertEquals(stats.get(0).step("normalize").dropped(), st.step("normalize").dropped());
        assertEquals(stats.get(0).step("minhash_dedup").dropped(), st.step("minhash_dedup").dropped());
      }
      System.out.println(threads + " thread(s): " + outputs.get(0).size() + " kept, " + dups + " exact duplicates, "
          + stats.get(0).step("normalize").droppedTotal() + " blank; replay equals recomputation");
    }
  }

  private static PipelineStats run(boolean replay, int threads, CorpusPipelineTest.ListSink kept,
      CorpusPipelineTest.ListSink rejected) {
    // The recomputing reference also reads the input again in the final pass instead of keeping it in memory.
    Pipeline p = Pipeline.builder().steps(Steps.defaults()).threads(threads).replayVerdicts(replay)
        .inputMemory(replay ? Runtime.getRuntime().maxMemory() / 8 : 0).build();
    return p.run(() -> Corpus.read(CorpusPipelineTest.SPAM.subList(0, 1), ReaderOptions.defaults()), kept, rejected);
  }

  /**
   * The final pass takes the input from the first pass's copy in memory when it fits the budget, and
   * reads it again when it does not: the kept and rejected documents and every count are the same.
   */
  @Test
  void inputKeptInMemoryEqualsInputReadAgain() {
    long[] budgets = {0, 200_000, 1L << 30}; // read again, over the budget part way, kept in memory
    int[] expectedOpens = {2, 2, 1};
    for (int threads : new int[] {1, 2}) {
      List<Document> keptRef = null;
      List<Document> rejectedRef = null;
      PipelineStats ref = null;
      for (int k = 0; k < budgets.length; k++) {
        CorpusPipelineTest.ListSink kept = new CorpusPipelineTest.ListSink();
        CorpusPipelineTest.ListSink rejected = new CorpusPipelineTest.ListSink();
        int[] opens = {0};
        PipelineStats st = Pipeline.builder().steps(Steps.defaults()).threads(threads).inputMemory(budgets[k]).build()
            .run(() -> {
              opens[0]++;
              return Corpus.read(CorpusPipelineTest.SPAM.subList(0, 1), ReaderOptions.defaults());
            }, kept, rejected);
        String where = "inputMemory=" + budgets[k] + ", " + threads + " thread(s)";
        assertEquals(expectedOpens[k], opens[0], "times the input was opened, " + where);
        if (ref == null) {
          keptRef = kept.docs;
          rejectedRef = rejected.docs;
          ref = st;
          continue;
        }
        assertEquals(0, differing(keptRef, kept.docs), "kept, " + where);
        assertEquals(0, differing(rejectedRef, rejected.docs), "rejected, " + where);
        assertEquals(ref.toJson().replaceAll("\"seconds\"\\s*:\\s*[0-9.eE-]+", ""), st.toJson().replaceAll("\"seconds\"\\s*:\\s*[0-9.eE-]+", ""),
            "stats, " + where);
      }
      System.out.println(threads + " thread(s): " + keptRef.size() + " kept, " + rejectedRef.size()
          + " rejected, the same with the input read again, kept in memory, or over the budget part way");
    }
  }

  private static int differing(List<Document> a, List<Document> b) {
    int n = 0;
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) if (!a.get(i).equals(b.get(i))) n++;
    return n + Math.abs(a.size() - b.size());
  }
}
