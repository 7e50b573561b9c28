package dev.llmj.data.shard;

import dev.llmj.data.Document;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Seeded random test data; override the seed with -Dtests.seed=N to reproduce a failure. */
final class TestData {
  static final long SEED = Long.getLong("tests.seed", 0x5EED_0F_70C5L);

  private TestData() {}

  static SplittableRandom random(String testName) {
    System.out.println(testName + ": seed " + SEED + " (reproduce with -Dtests.seed=" + SEED + ")");
    return new SplittableRandom(SEED ^ testName.hashCode());
  }

  /** Random token documents of awkward lengths, including empty ones. */
  static List<int[]> tokenDocs(SplittableRandom rnd, int count, int maxLen, int vocab) {
    List<int[]> docs = new ArrayList<>();
    for (int d = 0; d < count; d++) {
      int[] ids = new int[rnd.nextInt(maxLen + 1)];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = rnd.nextInt(vocab);
      }
      docs.add(ids);
    }
    return docs;
  }

  /** Documents as the writer lays them out: each followed by the end-of-text id. */
  static int[] concatWithEot(List<int[]> docs, int eot) {
    int n = docs.stream().mapToInt(d -> d.length + 1).sum();
    int[] out = new int[n];
    int p = 0;
    for (int[] d : docs) {
      System.arraycopy(d, 0, out, p, d.length);
      p += d.length;
      out[p++] = eot;
    }
    return out;
  }

  /** Random text mixing ASCII, accented, CJK and astral characters. */
  static String text(SplittableRandom rnd, int maxChars) {
    String[] pieces = {"a", "b", " ", "\n", "é", "ß", "中", "文", "😀", "<|endoftext|>", "the "};
    StringBuilder s = new StringBuilder();
    int n = rnd.nextInt(maxChars + 1);
    for (int i = 0; i < n; i++) {
      s.append(pieces[rnd.nextInt(pieces.length)]);
    }
    return s.toString();
  }

  static Document doc(SplittableRandom rnd, int i, int maxChars) {
    return new Document("doc-" + i, text(rnd, maxChars));
  }
}
