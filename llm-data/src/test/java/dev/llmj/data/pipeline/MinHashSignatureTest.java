package dev.llmj.data.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fast path against the plain path of the same hash functions: each n-gram hash evaluated from
 * scratch (not rolled), each permutation's minimum (of the top 31 bits) taken with Math.min in a loop
 * of its own. This shares the word and permutation hashes with the code under test on purpose (it
 * checks the rolling and the vectorised minimum only); {@link MinHashStatisticsTest} checks the
 * signature against the documented definition with code of its own.
 */
class MinHashSignatureTest {
  @Test
  void signatureEqualsShingleByShingleReference() {
    long seed = Long.getLong("tests.seed", 5150L);
    Random r = new Random(seed);
    MinHashDedupStep step = new MinHashDedupStep(MinHashConfig.defaults());
    String[] vocab = {"a", "b", "whale", "Sea,", "--", "\u00e9t\u00e9", "7", "x y"};
    int compared = 0;
    for (int words : new int[] {1, 4, 5, 6, 7, 13, 100, 4098}) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < words; i++) sb.append(vocab[r.nextInt(vocab.length)]).append(' ');
      String text = sb.toString();
      assertArrayEquals(reference(step, text), step.signature(text), words + " words, seed " + seed + " (-Dtests.seed=" + seed + ")");
      compared++;
    }
    assertNull(step.signature(" -- ... "), "no words, no signature");
    System.out.println("seed " + seed + ": " + compared + " signatures identical to the plain reference (worst difference 0)");
  }

  private static int[] reference(MinHashDedupStep step, String text) {
    MinHashConfig c = MinHashConfig.defaults();
    Words w = Words.of(text);
    long[] wh = new long[w.count()];
    int m = 0;
    for (int i = 0; i < w.count(); i++) {
      Hashing.Hasher h = new Hashing.Hasher(c.seed());
      if (w.wordHash(i, h)) wh[m++] = h.lo;
    }
    if (m == 0) return null;
    int n = Math.min(c.ngram(), m);
    int[] xs = new int[m - n + 1];
    for (int i = 0; i < xs.length; i++) {
      long s = 0;
      for (int j = 0; j < n; j++) {
        long weight = 1;
        for (int p = 0; p < n - 1 - j; p++) weight *= MinHashDedupStep.ROLL;
        s += wh[i + j] * weight;
      }
      long x = Hashing.mix64(s);
      xs[i] = (int) (x ^ (x >>> 32));
    }
    int[] sig = new int[step.mulA.length];
    for (int k = 0; k < sig.length; k++) {
      int min = Integer.MAX_VALUE;
      for (int x : xs) min = Math.min(min, (step.mulA[k] * x + step.addB[k]) >>> 1);
      sig[k] = min;
    }
    return sig;
  }
}
