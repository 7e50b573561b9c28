package dev.llmj.data.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The permutation-major signature loop against the plain shingle-by-shingle loop. */
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
    System.out.println("seed " + seed + ": " + compared + " signatures identical to the shingle-major loop (worst difference 0)");
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
    int[] sig = new int[step.mulA.length];
    Arrays.fill(sig, Integer.MAX_VALUE);
    for (int i = 0; i + n <= m; i++) {
      long s = 0x2545F4914F6CDD1DL;
      for (int j = 0; j < n; j++) s = Hashing.mix64(s ^ wh[i + j]);
      int x = (int) (s ^ (s >>> 32));
      for (int k = 0; k < sig.length; k++) sig[k] = Math.min(sig[k], step.mulA[k] * x + step.addB[k]);
    }
    return sig;
  }
}
