package dev.llmj.data.pipeline;

import static org.junit.jupiter.api.Assertions.*;

import dev.llmj.data.Document;
import dev.llmj.data.io.CloseableIterator;
import dev.llmj.data.io.DocumentSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * With several threads the input is read ahead and the output written behind on threads of their
 * own: failures on either side must reach the caller, and a failing step must not leave them hanging.
 */
class PipelineThreadsTest {
  private static List<Document> docs(int n) {
    List<Document> out = new ArrayList<>();
    for (int i = 0; i < n; i++) out.add(new Document("d" + i, "document number " + i + " with a few words"));
    return out;
  }

  private static Pipeline pipeline(Step... steps) {
    return Pipeline.builder().steps(List.of(steps)).threads(2).build();
  }

  @Test
  void everythingKeptArrivesInOrder() {
    List<Document> in = docs(3000);
    List<Document> out = new ArrayList<>();
    PipelineStats s = pipeline(Steps.normalize(NormalizeConfig.defaults()), Steps.exactDedup(ExactDedupConfig.defaults()))
        .run(() -> CloseableIterator.of(in), sink(out, -1), null);
    assertEquals(in, out, "3000 distinct clean documents come out unchanged and in order");
    assertEquals(3000, s.documentsWritten());
  }

  /** Two-pass pipelines over inputs shorter than the pipeline, some documents dropped in the first pass. */
  @Test
  void tinyInputsThroughTwoPasses() {
    for (int threads : new int[] {1, 2}) {
      for (int n = 0; n <= 3; n++) {
        List<Document> in = new ArrayList<>();
        for (int i = 0; i < n; i++) in.add(new Document("d" + i, i == 1 ? "document number 0 with a few words" : "document number " + i + " with a few words"));
        int[] formatterPasses = {0};
        Formatter counted = new Formatter() {
          @Override
          public String name() {
            return "counted";
          }

          @Override
          public void startPass() {
            formatterPasses[0]++;
          }

          @Override
          public Document format(Document doc) {
            return doc;
          }
        };
        for (long memory : new long[] {1 << 20, 0}) {
          formatterPasses[0] = 0;
          List<Document> out = new ArrayList<>();
          PipelineStats s = Pipeline.builder().step(counted).step(Steps.exactDedup(ExactDedupConfig.defaults()))
              .step(Steps.normalize(NormalizeConfig.defaults())).step(Steps.minHashDedup(MinHashConfig.defaults()))
              .threads(threads).inputMemory(memory).build().run(() -> CloseableIterator.of(in), sink(out, -1), null);
          assertEquals(in.size(), s.documentsRead(), n + " documents, " + threads + " thread(s)");
          // Kept in memory, the input is kept as the leading formatter left it, and the final pass replays it.
          assertEquals(memory > 0 ? 1 : 2, formatterPasses[0], "passes of the leading formatter, inputMemory=" + memory);
          assertEquals(n >= 2 ? n - 1 : n, out.size(), "d1 repeats d0 and is dropped; n=" + n);
        }
      }
    }
  }

  @Test
  void sinkFailureReachesTheCaller() {
    List<Document> out = new ArrayList<>();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> assertTimeoutPreemptively(Duration.ofSeconds(30),
        () -> pipeline(Steps.normalize(NormalizeConfig.defaults())).run(() -> CloseableIterator.of(docs(5000)), sink(out, 1234), null)));
    assertTrue(e.getMessage().contains("disk full at document 1234"), e.getMessage());
    assertEquals(1234, out.size(), "documents before the failure were written");
  }

  @Test
  void sourceFailureReachesTheCaller() {
    List<Document> in = docs(5000);
    RuntimeException e = assertThrows(RuntimeException.class, () -> assertTimeoutPreemptively(Duration.ofSeconds(30),
        () -> pipeline(Steps.normalize(NormalizeConfig.defaults())).run(() -> failingAt(in, 2100), DocumentSink.discard(), null)));
    assertEquals("corrupt input at document 2100", e.getMessage());
  }

  @Test
  void stepFailureStopsTheReader() {
    Filter broken = Filter.of("broken", d -> {
      if (d.id().equals("d700")) throw new IllegalArgumentException("cannot judge");
      return null;
    });
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> assertTimeoutPreemptively(Duration.ofSeconds(30),
        () -> pipeline(broken).run(() -> CloseableIterator.of(docs(100_000)), DocumentSink.discard(), null)));
    assertTrue(e.getMessage().contains("Step 'broken' failed on document d700: cannot judge"), e.getMessage());
  }

  private static DocumentSink sink(List<Document> out, int failAt) {
    return new DocumentSink() {
      @Override
      public void accept(Document doc) {
        if (out.size() == failAt) throw new java.io.UncheckedIOException(new java.io.IOException("disk full at document " + failAt));
        out.add(doc);
      }

      @Override
      public void close() {}
    };
  }

  private static CloseableIterator<Document> failingAt(List<Document> docs, int at) {
    Iterator<Document> it = docs.iterator();
    return new CloseableIterator<>() {
      int i;

      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public Document next() {
        if (i++ == at) throw new IllegalStateException("corrupt input at document " + at);
        return it.next();
      }

      @Override
      public void close() {}
    };
  }
}
