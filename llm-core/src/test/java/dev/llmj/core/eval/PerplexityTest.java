package dev.llmj.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmj.core.model.LanguageModel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Rolling-window perplexity and bits per byte against sums of LanguageModel.loss over the same windows. */
class PerplexityTest {

  @Test
  void windowsPredictEveryTokenOnceWithinTheContext() {
    for (int t : new int[] {1, 4, 8}) {
      for (int stride = 1; stride <= t; stride++) {
        for (int n = 1; n <= 40; n++) {
          int[] s = new int[n];
          Arrays.setAll(s, i -> i);
          int next = 1;
          for (int[][] w : Perplexity.windows(s, t, stride)) {
            assertEquals(next, w[1][0], "continuations are consecutive");
            next = w[1][w[1].length - 1] + 1;
            assertTrue(w[0].length + w[1].length <= t + 1, "window fits T + 1");
            assertEquals(w[1][0], w[0][w[0].length - 1] + 1, "context ends right before the continuation");
            // Full left context whenever the document allows it.
            assertEquals(Math.min(w[1][w[1].length - 1] + 1, t + 1), w[0].length + w[1].length);
          }
          assertEquals(Math.max(1, n), next, "every index 1..n-1 predicted, n=" + n + " t=" + t + " stride=" + stride);
        }
      }
    }
  }

  @Test
  void natsAndBitsPerByteEqualHandSummedLossesOverTheWindows() {
    int t = 16;
    LanguageModel lm = EvalModels.tinyGpt2Vocab(t);
    List<String> docs = List.of(
        "Call me Ishmael. Some years ago, never mind how long precisely, having little or no money in my purse, and "
            + "nothing particular to interest me on shore, I thought I would sail about a little.",
        "",
        "Caf\u00e9 \u00fcber \u4e2d\u6587 short one.",
        "Two words");
    int eot = EvalModels.GPT2.endOfTextId();
    long bytes = 0;
    long words = 0;
    for (String d : docs) {
      bytes += d.getBytes(StandardCharsets.UTF_8).length;
      words += d.isBlank() ? 0 : d.strip().split("\\s+").length;
    }
    for (int stride : new int[] {t, 5}) {
      double expected = 0;
      long tokens = 0;
      for (String d : docs) {
        int[] ids = EvalModels.GPT2.encode(d);
        int[] s = new int[ids.length + 1];
        s[0] = eot;
        System.arraycopy(ids, 0, s, 1, ids.length);
        tokens += s.length - 1;
        // First window: tokens 0..T predict 1..T. Then each block [lo, hi) of `stride` targets, seen with the
        // window s[hi-1-T, hi): its nats are the window's total loss minus the loss of the part before lo.
        int hi = Math.min(s.length, t + 1);
        if (hi >= 2) {
          expected += lm.loss(Arrays.copyOf(s, hi)) * (hi - 1);
        }
        for (int lo = hi; lo < s.length; lo = hi) {
          hi = Math.min(s.length, lo + stride);
          int start = hi - 1 - t;
          expected += lm.loss(Arrays.copyOfRange(s, start, hi)) * t;
          if (lo - start >= 2) {
            expected -= lm.loss(Arrays.copyOfRange(s, start, lo)) * (lo - start - 1);
          }
        }
      }
      PerplexityResult r = new Perplexity(new ModelScorer(lm, EvalModels.GPT2, 3), stride)
          .evaluate(docs.iterator());
      System.out.printf("stride %d: %s; nats %.6f vs hand sum %.6f, difference %.3g%n", stride, r, r.nats(), expected,
          r.nats() - expected);
      assertEquals(3, r.documents(), "the empty document scores nothing");
      assertEquals(tokens, r.tokens());
      assertEquals(bytes, r.bytes());
      assertEquals(words, r.words());
      assertEquals(expected, r.nats(), 1e-5 * Math.abs(expected), "relative 1e-5");
      assertEquals(expected / tokens, r.natsPerToken(), 1e-4);
      assertEquals(expected / Math.log(2) / bytes, r.bitsPerByte(), 1e-4);
      assertEquals(Math.exp(expected / words), r.wordPerplexity(), 1e-3 * r.wordPerplexity());
      TaskResult asTask = r.toTaskResult("corpus");
      assertEquals(r.bitsPerByte(), asTask.metric("bits_per_byte").value());
      assertEquals(r.perplexity(), asTask.metric("perplexity").value());
    }
    List<String> none = new ArrayList<>(List.of(""));
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new Perplexity(new ModelScorer(lm, EvalModels.GPT2, 3)).evaluate(none.iterator()));
    assertTrue(e.getMessage().contains("no document"), e.getMessage());
  }
}
