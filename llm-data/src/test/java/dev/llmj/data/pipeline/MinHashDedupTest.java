package dev.llmj.data.pipeline;

import static org.junit.jupiter.api.Assertions.*;

import dev.llmj.data.Document;
import dev.llmj.data.io.CloseableIterator;
import dev.llmj.data.io.Corpus;
import dev.llmj.data.io.CorpusReader;
import dev.llmj.data.io.DocumentSink;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** MinHash clusters checked against exact Jaccard similarity computed pair by pair. */
class MinHashDedupTest {
  static List<Document> spam1() {
    List<Document> docs = new ArrayList<>();
    try (CorpusReader r = Corpus.read(Path.of("src/test/resources/corpora/spamassassin-spam-1.jsonl.gz"))) {
      r.forEachRemaining(docs::add);
    }
    return docs;
  }

  static CloseableIterator<Document> iterate(List<Document> docs) {
    return CloseableIterator.of(docs);
  }

  /** Reference shingles: sorted hashes of lower-cased, edge-trimmed word 5-grams (plain string code). */
  static long[] shingles(String text) {
    List<String> words = new ArrayList<>();
    for (String w : text.split("\\s+")) {
      String t = w.replaceAll("^[^\\p{L}\\p{N}]+|[^\\p{L}\\p{N}]+$", "").toLowerCase(Locale.ROOT);
      if (!t.isEmpty()) words.add(t);
    }
    Set<String> set = new HashSet<>();
    int n = Math.min(5, words.size());
    for (int i = 0; i + n <= words.size(); i++) set.add(String.join(" ", words.subList(i, i + n)));
    return set.stream().mapToLong(s -> s.hashCode() * 0x9E3779B97F4A7C15L + s.length() * 31L + s.charAt(0)).sorted().distinct().toArray();
  }

  static double jaccard(long[] a, long[] b) {
    if (a.length == 0 && b.length == 0) return 1;
    int i = 0;
    int j = 0;
    int inter = 0;
    while (i < a.length && j < b.length) {
      if (a[i] == b[j]) {
        inter++;
        i++;
        j++;
      } else if (a[i] < b[j]) {
        i++;
      } else {
        j++;
      }
    }
    return (double) inter / (a.length + b.length - inter);
  }

  static int[] clusters(List<Document> docs, MinHashConfig c, List<Document> kept) {
    MinHashDedupStep step = new MinHashDedupStep(c);
    DocumentSink sink = new DocumentSink() {
      @Override
      public void accept(Document doc) {
        kept.add(doc);
      }

      @Override
      public void close() {}
    };
    Pipeline.builder().step(step).build().run(() -> iterate(docs), sink, DocumentSink.discard());
    int[] root = new int[docs.size()];
    for (int i = 0; i < root.length; i++) root[i] = step.find(i);
    return root;
  }

  @Test
  void clustersAgreeWithExactJaccard() {
    List<Document> docs = spam1();
    List<Document> kept = new ArrayList<>();
    int[] root = clusters(docs, MinHashConfig.defaults(), kept);
    long[][] sh = docs.stream().map(d -> shingles(d.text())).toArray(long[][]::new);
    int highPairs = 0;
    int missed = 0;
    double[] bestInCluster = new double[docs.size()];
    Arrays.fill(bestInCluster, -1);
    for (int i = 0; i < docs.size(); i++) {
      for (int j = i + 1; j < docs.size(); j++) {
        boolean sameRoot = root[i] == root[j];
        // Jaccard is at most min/max of the set sizes: skip pairs that cannot reach 0.4.
        int lo = Math.min(sh[i].length, sh[j].length);
        int hi = Math.max(sh[i].length, sh[j].length);
        if (!sameRoot && lo < 0.4 * hi) continue;
        double jac = jaccard(sh[i], sh[j]);
        if (jac >= 0.85) {
          highPairs++;
          if (!sameRoot) missed++;
        }
        if (sameRoot) {
          bestInCluster[i] = Math.max(bestInCluster[i], jac);
          bestInCluster[j] = Math.max(bestInCluster[j], jac);
        }
      }
    }
    int clustered = 0;
    int weak = 0;
    for (int i = 0; i < bestInCluster.length; i++) {
      double b = bestInCluster[i];
      if (b >= 0) {
        clustered++;
        if (b < 0.4) {
          weak++;
          System.out.printf("weak: doc %d (%d shingles) best in-cluster J %.3f, root %d (%d shingles)%n", i, sh[i].length, b, root[i], sh[root[i]].length);
        }
      }
    }
    long roots = Arrays.stream(root).distinct().count();
    System.out.printf("spam-1: %d docs, %d kept, %d clusters' worth of drops; pairs with J>=0.85: %d, missed: %d;"
        + " clustered docs: %d, of which best in-cluster J<0.4: %d%n", docs.size(), kept.size(), docs.size() - roots,
        highPairs, missed, clustered, weak);
    // At J = 0.85 LSH misses a pair with probability (1 - 0.85^8)^14 = 1.2%; transitivity lowers it further.
    assertTrue(missed <= Math.max(1, highPairs / 20), "pairs with Jaccard >= 0.85 outside one cluster: " + missed);
    assertTrue(highPairs > 10, "the spam corpus holds near-duplicate spams");
    // A pair at J = 0.4 still shares a band with probability ~1%: allow a few such merges.
    assertTrue(weak <= Math.max(2, clustered / 20), "false merges: " + weak + " of " + clustered);
    assertEquals(roots, kept.size(), "exactly one survivor per cluster");
    for (Document d : kept) {
      int i = docs.indexOf(d);
      assertEquals(i, root[i], "the survivor is the first document of its cluster");
    }
    assertArrayEquals(root, clusters(docs, MinHashConfig.defaults(), new ArrayList<>()), "same seed, same clusters");
  }
}
