package dev.llmj.data.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BpeTrainerTest {

  /**
   * Textbook BPE training, independent of the trainer: regex pre-tokenization, then every step
   * recounts all pairs of all words and merges the best one (same tie rule) everywhere.
   *
   * @return merges as "left right" pairs of ISO-8859-1 strings of the token bytes
   */
  static List<String[]> naiveMerges(List<String> docs, int maxTokens, int minFrequency) {
    Pattern p = Pattern.compile(BpeTrainer.GPT2_PATTERN, Pattern.UNICODE_CHARACTER_CLASS);
    Map<String, Long> wordCounts = new HashMap<>();
    for (String d : docs) {
      Matcher m = p.matcher(d);
      while (m.find()) {
        wordCounts.merge(m.group(), 1L, Long::sum);
      }
    }
    List<List<String>> words = new ArrayList<>();
    List<Long> counts = new ArrayList<>();
    for (Map.Entry<String, Long> e : wordCounts.entrySet()) {
      List<String> sym = new ArrayList<>();
      for (byte b : e.getKey().getBytes(StandardCharsets.UTF_8)) {
        sym.add(new String(new byte[] {b}, StandardCharsets.ISO_8859_1));
      }
      words.add(sym);
      counts.add(e.getValue());
    }
    Set<String> vocab = new HashSet<>();
    for (int b = 0; b < 256; b++) {
      vocab.add(new String(new byte[] {(byte) b}, StandardCharsets.ISO_8859_1));
    }
    List<String[]> merges = new ArrayList<>();
    while (vocab.size() < maxTokens) {
      Map<List<String>, Long> pairCounts = new HashMap<>();
      for (int w = 0; w < words.size(); w++) {
        List<String> sym = words.get(w);
        for (int i = 0; i + 1 < sym.size(); i++) {
          pairCounts.merge(List.of(sym.get(i), sym.get(i + 1)), counts.get(w), Long::sum);
        }
      }
      List<String> best = null;
      long bestCount = 0;
      for (Map.Entry<List<String>, Long> e : pairCounts.entrySet()) {
        List<String> k = e.getKey();
        long c = e.getValue();
        // ISO-8859-1 chars are the unsigned byte values, so String order is unsigned byte order.
        if (c > bestCount || (c == bestCount && (k.get(0).compareTo(best.get(0)) < 0
            || (k.get(0).equals(best.get(0)) && k.get(1).compareTo(best.get(1)) < 0)))) {
          best = k;
          bestCount = c;
        }
      }
      if (best == null || bestCount < minFrequency) {
        break;
      }
      String a = best.get(0);
      String b = best.get(1);
      merges.add(new String[] {a, b});
      vocab.add(a + b);
      for (List<String> sym : words) {
        for (int i = 0; i + 1 < sym.size(); i++) {
          if (sym.get(i).equals(a) && sym.get(i + 1).equals(b)) {
            sym.set(i, a + b);
            sym.remove(i + 1);
          }
        }
      }
    }
    return merges;
  }

  static List<String[]> mergesOf(BpeTokenizer tok) {
    BpeModel m = tok.model();
    List<String[]> out = new ArrayList<>();
    for (int r = 0; r < m.mergeCount(); r++) {
      out.add(new String[] {new String(m.bytes(m.mergeLeft(r)), StandardCharsets.ISO_8859_1),
          new String(m.bytes(m.mergeRight(r)), StandardCharsets.ISO_8859_1)});
    }
    return out;
  }

  private static void assertSameMerges(List<String[]> expected, List<String[]> actual) {
    int n = Math.min(expected.size(), actual.size());
    for (int i = 0; i < n; i++) {
      int r = i;
      assertArrayEquals(expected.get(i), actual.get(i), () -> "first differing merge at rank " + r);
    }
    assertEquals(expected.size(), actual.size(), "merge count");
    System.out.printf("trainer vs naive: %d merges, 0 differences%n", n);
  }

  @Test
  void incrementalEqualsNaiveOnText() {
    List<String> docs = new ArrayList<>();
    for (String d : TestCorpora.sotu().subList(0, 8)) {
      docs.add(d.substring(0, Math.min(d.length(), 20_000)));
    }
    BpeTrainer.Config config = BpeTrainer.Config.of(700).withSpecialTokens(List.of()).withThreads(2);
    BpeTokenizer tok = new BpeTrainer(config).train(docs.iterator());
    assertSameMerges(naiveMerges(docs, 700, 2), mergesOf(tok));
    assertEquals(700, tok.vocabSize());
  }

  @Test
  void incrementalEqualsNaiveWithManyTies() {
    long seed = TestCorpora.seed();
    Random rnd = new Random(seed);
    List<String> docs = new ArrayList<>();
    for (int d = 0; d < 40; d++) {
      StringBuilder sb = new StringBuilder();
      for (int w = 0; w < 60; w++) {
        int len = 1 + rnd.nextInt(7);
        sb.append(' ');
        for (int i = 0; i < len; i++) {
          sb.append("abcé🙂".charAt(rnd.nextInt(4)));  // tiny alphabet: many equal counts
        }
      }
      docs.add(sb.toString());
    }
    BpeTokenizer tok = new BpeTrainer(BpeTrainer.Config.of(400).withMinFrequency(1)
        .withSpecialTokens(List.of()).withThreads(1)).train(docs.stream());
    System.out.println("tie-heavy corpus seed " + seed + " (-Dtests.seed to reproduce)");
    assertSameMerges(naiveMerges(docs, 400, 1), mergesOf(tok));
    for (String d : docs) {
      assertEquals(d, tok.decode(tok.encode(d)));
    }
  }

  @Test
  void sameResultOnAnyThreadCount(@TempDir Path dir) throws Exception {
    List<String> docs = TestCorpora.sotu().subList(100, 140);
    byte[] reference = null;
    for (int threads : new int[] {1, 2, 4}) {
      BpeTokenizer tok = new BpeTrainer(BpeTrainer.Config.of(1500).withThreads(threads)).train(docs.iterator());
      Path file = dir.resolve("t" + threads + ".json");
      tok.save(file);
      byte[] bytes = Files.readAllBytes(file);
      if (reference == null) {
        reference = bytes;
      } else {
        assertArrayEquals(reference, bytes, "tokenizer.json with " + threads + " threads differs from 1 thread");
      }
    }
    System.out.println("1, 2, 4 threads: byte-identical tokenizer.json (" + reference.length + " bytes)");
  }

  @Test
  void trainsSotuTo8192(@TempDir Path dir) throws Exception {
    List<String> docs = TestCorpora.sotu();
    System.gc();
    resetPeaks();
    long t0 = System.nanoTime();
    BpeTokenizer tok = new BpeTrainer(BpeTrainer.Config.of(8192)).train(docs.iterator());
    double seconds = (System.nanoTime() - t0) / 1e9;
    long peak = heapPeak();
    long chars = docs.stream().mapToLong(String::length).sum();
    assertEquals(8192, tok.vocabSize());
    assertEquals(8191, tok.endOfTextId());
    long tokens = 0;
    for (String d : docs.subList(0, 20)) {
      int[] ids = tok.encode(d);
      tokens += ids.length;
      assertEquals(d, tok.decode(ids));
    }
    Path file = dir.resolve("tokenizer.json");
    tok.save(file);
    Tokenizer back = Tokenizers.load(file);
    assertArrayEquals(tok.encode(docs.get(5)), back.encode(docs.get(5)));
    System.out.printf("train SOTU (%.1f MB, %d docs) to 8192 on %d threads: %.2f s, heap peak %.0f MB "
            + "(incl. the corpus strings); 20 docs -> %.2f chars/token%n", chars / 1e6, docs.size(),
        Runtime.getRuntime().availableProcessors(), seconds, peak / 1e6,
        docs.subList(0, 20).stream().mapToLong(String::length).sum() / (double) tokens);
    assertTrue(seconds < 60, "training took " + seconds + " s");
  }

  @Test
  void configRejectsBadValues() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BpeTrainer.Config.of(100));
    assertTrue(e.getMessage().contains("vocabSize 100") && e.getMessage().contains("257"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> BpeTrainer.Config.of(1000).withThreads(0));
    assertThrows(IllegalArgumentException.class, () -> BpeTrainer.Config.of(1000).withMinFrequency(0));
    assertThrows(IllegalArgumentException.class, () -> BpeTrainer.Config.of(1000).withPattern("(unclosed"));
    assertThrows(IllegalArgumentException.class,
        () -> BpeTrainer.Config.of(1000).withSpecialTokens(List.of("<a>", "<a>")));
  }

  static void resetPeaks() {
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      p.resetPeakUsage();
    }
  }

  /** Sum of the heap pools' peaks: an upper bound on the live heap at any moment since the reset. */
  static long heapPeak() {
    long sum = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        sum += p.getPeakUsage().getUsed();
      }
    }
    return sum;
  }
}
