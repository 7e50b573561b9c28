package dev.llmj.data.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmj.data.Document;
import dev.llmj.data.io.CloseableIterator;
import dev.llmj.data.io.DocumentSink;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * MinHash dedup against what it is documented to be, with nothing taken from the implementation but
 * its public behaviour: a document's shingles are its lower-cased, edge-trimmed word 5-grams
 * ({@link #shingles}, plain string code); the fraction of equal signature entries estimates their
 * Jaccard similarity J (each entry equal with probability J); and a pair is clustered with probability
 * P(J) = 1 - (1 - J^rows)^bands. Pairs are synthetic: a text of random words from a large
 * vocabulary and a copy with some words replaced, so J spreads over 0.2 to 1 and pairs share nothing.
 */
class MinHashStatisticsTest {

  private static final long SEED = Long.getLong("tests.seed", 2024L);

  /** Lower-cased words with leading and trailing non-letters/digits removed; n-grams of min(5, words). */
  static Set<String> shingles(String text, int n) {
    List<String> words = new ArrayList<>();
    for (String w : text.split("\\s+")) {
      String t = w.replaceAll("^[^\\p{L}\\p{N}]+|[^\\p{L}\\p{N}]+$", "").toLowerCase(Locale.ROOT);
      if (!t.isEmpty()) words.add(t);
    }
    Set<String> set = new HashSet<>();
    int k = Math.min(n, words.size());
    for (int i = 0; i + k <= words.size(); i++) set.add(String.join(" ", words.subList(i, i + k)));
    return set;
  }

  static double jaccard(Set<String> a, Set<String> b) {
    Set<String> inter = new HashSet<>(a);
    inter.retainAll(b);
    return (double) inter.size() / (a.size() + b.size() - inter.size());
  }

  /** A word of 3 to 9 letters from a vocabulary of about 26^5 words, sometimes capitalised or with punctuation. */
  static String word(Random r) {
    StringBuilder sb = new StringBuilder();
    int len = 3 + r.nextInt(7);
    for (int i = 0; i < len; i++) sb.append((char) ('a' + r.nextInt(26)));
    int style = r.nextInt(10);
    if (style == 0) sb.setCharAt(0, Character.toUpperCase(sb.charAt(0)));
    if (style == 1) sb.append(',');
    if (style == 2) sb.insert(0, '"');
    return sb.toString();
  }

  /** A base text of {@code words} words and a copy with {@code replaced} random positions changed. */
  static String[] pair(Random r, int words, int replaced) {
    String[] a = new String[words];
    for (int i = 0; i < words; i++) a[i] = word(r);
    String[] b = a.clone();
    for (int i = 0; i < replaced; i++) b[r.nextInt(words)] = word(r);
    return new String[] {String.join(" ", a), String.join(" ", b)};
  }

  /**
   * Per pair, the number of equal entries among K = bands x rows is Binomial(K, J) for an ideal MinHash;
   * each pair must fall within 5 standard deviations, and the sum over all pairs (which shows a bias of
   * the permutations) within 4.
   */
  @Test
  void equalSignatureEntriesEstimateJaccard() {
    Random r = new Random(SEED);
    MinHashConfig c = MinHashConfig.defaults();
    MinHashDedupStep step = new MinHashDedupStep(c);
    int k = c.bands() * c.rows();
    double sumDiff = 0, sumVar = 0, worstZ = 0;
    int pairs = 400;
    for (int p = 0; p < pairs; p++) {
      String[] t = pair(r, 20 + r.nextInt(200), r.nextInt(40));
      double j = jaccard(shingles(t[0], c.ngram()), shingles(t[1], c.ngram()));
      int[] sa = step.signature(t[0]);
      int[] sb = step.signature(t[1]);
      assertEquals(k, sa.length);
      int equal = 0;
      for (int i = 0; i < k; i++) if (sa[i] == sb[i]) equal++;
      double var = k * j * (1 - j);
      double diff = equal - k * j;
      // 0.5: the count is an integer; for J = 1 or 0 the count must be exact
      double z = Math.abs(diff) <= 0.5 ? 0 : (Math.abs(diff) - 0.5) / Math.sqrt(Math.max(var, 1e-12));
      worstZ = Math.max(worstZ, z);
      assertTrue(z <= 5, String.format(Locale.ROOT, "pair %d: J=%.4f, %d of %d entries equal (expected %.1f)"
          + " (reproduce with -Dtests.seed=%d)", p, j, equal, k, k * j, SEED));
      sumDiff += diff;
      sumVar += var;
    }
    double zAll = sumDiff / Math.sqrt(sumVar);
    System.out.printf(Locale.ROOT, "minhash estimate vs exact Jaccard, %d pairs: worst |z| %.2f, all pairs z %.2f"
        + " (seed %d)%n", pairs, worstZ, zAll, SEED);
    assertTrue(Math.abs(zAll) <= 4, "equal entries biased against Jaccard: z = " + zAll + " (seed " + SEED + ")");
  }

  @Test
  void signatureIgnoresCaseEdgePunctuationAndSpacing() {
    MinHashDedupStep step = new MinHashDedupStep(MinHashConfig.defaults());
    String a = "Call me Ishmael. Some years ago, never mind how long precisely";
    String b = "  call ME ishmael   some\tyears \"ago\" never mind how --long-- precisely!\n";
    assertArrayEquals(step.signature(a), step.signature(b));
    // one word changed: a different set of shingles, a different signature
    assertTrue(!java.util.Arrays.equals(step.signature(a), step.signature(a.replace("years", "months"))));
    // fewer words than the shingle size: one shingle of all the words, shared by equal texts only
    assertArrayEquals(step.signature("Hello, World"), step.signature("hello world"));
  }

  /**
   * The detection rate of the whole step per Jaccard bucket against the S-curve: in each bucket the
   * number of pairs clustered must be within 4 standard deviations of the sum of P(J) over its pairs
   * (a binomial with a different p per pair: variance sum P(1-P)), plus one pair.
   */
  @Test
  void detectionRateFollowsTheSCurve() {
    Random r = new Random(SEED + 1);
    MinHashConfig c = MinHashConfig.defaults();
    int pairs = 2400;
    List<Document> docs = new ArrayList<>();
    double[] js = new double[pairs];
    for (int p = 0; p < pairs; p++) {
      // 60 to 120 words, 1 to 12 replaced: J from about 0.3 to 0.95, most between 0.4 and 0.85
      String[] t = pair(r, 60 + r.nextInt(61), 1 + r.nextInt(12));
      js[p] = jaccard(shingles(t[0], c.ngram()), shingles(t[1], c.ngram()));
      docs.add(new Document("a" + p, t[0]));
      docs.add(new Document("b" + p, t[1]));
    }
    Set<String> kept = new HashSet<>();
    DocumentSink sink = new DocumentSink() {
      @Override
      public void accept(Document doc) {
        kept.add(doc.id());
      }

      @Override
      public void close() {}
    };
    Pipeline.builder().step(new MinHashDedupStep(c)).build().run(() -> CloseableIterator.of(docs), sink,
        DocumentSink.discard());
    double[] edges = {0, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 1.0001};
    int buckets = edges.length - 1;
    int[] n = new int[buckets], caught = new int[buckets];
    double[] expected = new double[buckets], var = new double[buckets];
    for (int p = 0; p < pairs; p++) {
      assertTrue(kept.contains("a" + p), "the first of a pair always survives: pair " + p);
      int bucket = 0;
      while (js[p] >= edges[bucket + 1]) bucket++;
      double prob = 1 - Math.pow(1 - Math.pow(js[p], c.rows()), c.bands());
      n[bucket]++;
      expected[bucket] += prob;
      var[bucket] += prob * (1 - prob);
      if (!kept.contains("b" + p)) caught[bucket]++;
    }
    for (int b = 0; b < buckets; b++) {
      double sd = Math.sqrt(var[b]);
      System.out.printf(Locale.ROOT, "J in [%.2f, %.2f): %4d pairs, caught %4d (%.3f), S-curve expects %.1f (%.3f),"
          + " z %.2f%n", edges[b], Math.min(1, edges[b + 1]), n[b], caught[b], n[b] == 0 ? 0 : (double) caught[b] / n[b],
          expected[b], n[b] == 0 ? 0 : expected[b] / n[b], sd == 0 ? 0 : (caught[b] - expected[b]) / sd);
      assertTrue(Math.abs(caught[b] - expected[b]) <= 4 * sd + 1, String.format(Locale.ROOT,
          "J in [%.2f, %.2f): caught %d of %d pairs, the S-curve 1-(1-J^%d)^%d expects %.1f +- %.1f"
              + " (reproduce with -Dtests.seed=%d)", edges[b], edges[b + 1], caught[b], n[b], c.rows(), c.bands(),
          expected[b], sd, SEED));
    }
    for (int b = 1; b < buckets - 1; b++) {
      assertTrue(n[b] >= 100, "bucket " + b + " holds only " + n[b] + " pairs; the generator should spread J wider");
    }
  }
}
