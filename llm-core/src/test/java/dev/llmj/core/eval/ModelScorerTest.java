package dev.llmj.core.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmj.core.model.Architecture;
import dev.llmj.core.model.LanguageModel;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Batched, padded, left-truncated continuation scoring against one sequence at a time through nextLogits and loss. */
class ModelScorerTest {

  /**
   * Worst |batched - plain| summed log-likelihood in nats (float, up to a context's worth of tokens):
   * measured 1.8e-7 (GPT-2) and 2.3e-7 (Llama) here, 3.6e-7 before; a margin of about 4x.
   */
  static final double SUM_BOUND = 1.5e-6;

  @Test
  void batchedLogLikelihoodsEqualThePlainPathIncludingLeftTruncation() {
    System.out.println("seed " + EvalModels.SEED + " (reproduce with -Dtests.seed=" + EvalModels.SEED + ")");
    int t = 12;
    for (Architecture a : Architecture.values()) {
      LanguageModel lm = EvalModels.tiny(a, 23, t);
      Random rnd = new Random(EvalModels.SEED);
      int n = 13;
      int[][] contexts = new int[n][];
      int[][] continuations = new int[n][];
      for (int i = 0; i < n; i++) {
        // Lengths up to twice the context: a third of the requests need left truncation.
        contexts[i] = rnd.ints(1 + rnd.nextInt(2 * t), 0, 23).toArray();
        continuations[i] = rnd.ints(1 + rnd.nextInt(i == 0 ? t : 4), 0, 23).toArray();
      }
      continuations[0] = rnd.ints(t, 0, 23).toArray(); // the longest continuation allowed
      double[] expected = new double[n];
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        int[] whole = concat(contexts[i], continuations[i]);
        int[] window = Arrays.copyOfRange(whole, Math.max(0, whole.length - t - 1), whole.length);
        for (int k = window.length - continuations[i].length; k < window.length; k++) {
          expected[i] += EvalModels.logProb(lm, Arrays.copyOf(window, k), window[k]);
        }
      }
      long t1 = System.nanoTime();
      double worst = 0;
      for (int batch : new int[] {3, 16}) {
        double[] got = new ModelScorer(lm, EvalModels.GPT2, batch).scoreTokens(contexts, continuations);
        for (int i = 0; i < n; i++) {
          worst = Math.max(worst, Math.abs(got[i] - expected[i]));
          assertEquals(expected[i], got[i], SUM_BOUND, a + " request " + i + " batch " + batch);
        }
      }
      System.out.printf("%s: plain path %d ms, batched twice %d ms%n", a.id(), (t1 - t0) / 1_000_000,
          (System.nanoTime() - t1) / 1_000_000);
      // A one-token context: the sum is the whole window's loss times its predicted tokens.
      int[] whole = new Random(EvalModels.SEED + 1).ints(t + 1, 0, 23).toArray();
      double viaLoss = -lm.loss(whole) * t;
      double scored = new ModelScorer(lm, EvalModels.GPT2, 2).scoreTokens(new int[][] {{whole[0]}},
          new int[][] {Arrays.copyOfRange(whole, 1, whole.length)})[0];
      worst = Math.max(worst, Math.abs(viaLoss - scored));
      assertEquals(viaLoss, scored, SUM_BOUND);
      System.out.printf("%s: worst |batched - plain| = %.3g nats%n", a.id(), worst);
    }
  }

  @Test
  void pairsAreEncodedTogetherWithTrailingContextSpacesMovedToTheContinuation() {
    ModelScorer s = new ModelScorer(EvalModels.tinyGpt2Vocab(16), EvalModels.GPT2, 4);
    int[][] pair = s.encodePair("Question: Why?\nAnswer: ", "Because");
    assertArrayEquals(EvalModels.GPT2.encode("Question: Why?\nAnswer:"), pair[0]);
    assertArrayEquals(EvalModels.GPT2.encode(" Because"), pair[1]);
    int[][] empty = s.encodePair("", "Hello");
    assertArrayEquals(new int[] {EvalModels.GPT2.endOfTextId()}, empty[0]);
    assertArrayEquals(EvalModels.GPT2.encode("Hello"), empty[1]);
    double[] ll = s.score(List.of(new LoglikelihoodScorer.Request("The cat sat on the", " mat")));
    int[] ctx = EvalModels.GPT2.encode("The cat sat on the");
    int[] mat = EvalModels.GPT2.encode(" mat");
    assertEquals(1, mat.length);
    double expected = EvalModels.logProb(s.model(), ctx, mat[0]);
    System.out.printf("text request: %.6f vs plain %.6f%n", ll[0], expected);
    assertEquals(expected, ll[0], 1e-4);
  }

  @Test
  void rejectsRequestsThatCannotBeScored() {
    ModelScorer s = new ModelScorer(EvalModels.tiny(Architecture.GPT2, 23, 8), EvalModels.GPT2, 2);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> s.scoreTokens(new int[][] {{1}}, new int[][] {new int[9]}));
    assertTrue(e.getMessage().contains("contextLength=8"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> s.scoreTokens(new int[][] {{1}}, new int[][] {{23}}));
    assertTrue(e.getMessage().contains("token id 23"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new ModelScorer(s.model(), EvalModels.GPT2, 0));
  }

  static int[] concat(int[] a, int[] b) {
    int[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
