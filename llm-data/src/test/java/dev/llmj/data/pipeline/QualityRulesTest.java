package dev.llmj.data.pipeline;

import static org.junit.jupiter.api.Assertions.*;

import dev.llmj.data.Document;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** One hand-built document per Gopher and C4 rule, each asserting the exact reason, plus the boundary that keeps. */
class QualityRulesTest {
  static final long SEED = Long.getLong("tests.seed", 42);

  /** Distinct lower-case words of 4..8 letters from a seeded source (no stop words). */
  static List<String> words(int n, long seed) {
    Random r = new Random(seed);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      StringBuilder sb = new StringBuilder();
      int len = 4 + r.nextInt(5);
      for (int k = 0; k < len; k++) sb.append((char) ('k' + r.nextInt(15)));
      out.add(sb.toString());
    }
    return out;
  }

  /** n words of prose-like text: two stop words and the rest random, one line. */
  static String prose(int n) {
    List<String> w = new ArrayList<>(words(n - 2, SEED));
    w.add(3, "the");
    w.add(7, "with");
    return String.join(" ", w) + ".";
  }

  static String quality(String text) {
    return quality(text, GopherQualityConfig.defaults());
  }

  static String quality(String text, GopherQualityConfig c) {
    return new GopherQualityStep(c).dropReason(new Document("t", text));
  }

  static String repetition(String text) {
    return new GopherRepetitionStep(GopherRepetitionConfig.defaults()).dropReason(new Document("t", text));
  }

  @Test
  void gopherQualityRules() {
    System.out.println("seed " + SEED + " (reproduce with -Dtests.seed=" + SEED + ")");
    assertNull(quality(prose(50)));
    assertEquals("too_few_words", quality(prose(49)));
    GopherQualityConfig d = GopherQualityConfig.defaults();
    GopherQualityConfig max60 = new GopherQualityConfig(50, 60, 3, 10, 0.1, 0.9, 0.3, 0.8, 2, d.stopWords());
    assertNull(quality(prose(60), max60));
    assertEquals("too_many_words", quality(prose(61), max60));
    assertEquals("short_mean_word_length", quality(String.join(" ", Collections.nCopies(60, "to of"))));
    assertEquals("long_mean_word_length", quality("the with " + String.join(" ", Collections.nCopies(60, "abcdefghijklm"))));
    assertNull(quality(prose(60) + " #".repeat(6)));
    assertEquals("hash_ratio", quality(prose(60) + " #".repeat(7)));
    assertEquals("ellipsis_ratio", quality(prose(60) + " ...".repeat(4) + " \u2026".repeat(3)));
    String[] all = prose(60).split(" ");
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < all.length; i++) sb.append(all[i]).append(i % 6 == 5 ? "\n" : " ");
    String tenLines = sb.toString().strip();
    assertNull(quality(tenLines));
    assertEquals("bullet_lines", quality(("- " + tenLines).replace("\n", "\n- ")));
    String[] lines = tenLines.split("\n");
    for (int i = 0; i < 4; i++) lines[i] += "...";
    assertEquals("ellipsis_lines", quality(String.join("\n", lines)));
    assertEquals("alpha_words", quality(prose(60) + " 123".repeat(20)));
    assertEquals("too_few_stop_words", quality(String.join(" ", words(60, SEED))));
    assertNull(quality("The " + String.join(" ", words(58, SEED)) + " THE."), "stop words are matched case-insensitively");
  }

  @Test
  void gopherRepetitionRules() {
    List<String> w = words(300, SEED + 1);
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 10; i++) lines.add(String.join(" ", w.subList(i * 8, i * 8 + 8)));
    assertNull(repetition(String.join("\n", lines)));
    List<String> dupLines = new ArrayList<>(lines);
    for (int i = 6; i < 10; i++) dupLines.set(i, lines.get(0));
    assertEquals("dup_line_fraction", repetition(String.join("\n", dupLines)));
    assertEquals("dup_paragraph_fraction", repetition(String.join("\n\n", dupLines)));
    List<String> longDup = new ArrayList<>(lines);
    longDup.set(0, String.join(" ", w.subList(100, 160)));
    longDup.set(9, longDup.get(0));
    assertEquals("dup_line_char_fraction", repetition(String.join("\n", longDup)));
    assertEquals("dup_paragraph_char_fraction", repetition(String.join("\n\n", longDup)));

    List<String> top2 = new ArrayList<>(w.subList(0, 100));
    for (int i = 0; i < 25; i++) top2.add(i * 4, "aaaa bbbb");
    assertEquals("top_2gram", repetition(String.join(" ", top2)));

    String passage = String.join(" ", w.subList(0, 20));
    String dup5 = passage + " " + String.join(" ", w.subList(20, 100)) + " " + passage;
    assertEquals("dup_5gram", repetition(dup5));
    assertNull(repetition(String.join(" ", w.subList(0, 200))));
  }

  @Test
  void c4Rules() {
    C4Step c4 = new C4Step(C4Config.defaults());
    String good = "This is the first sentence here. Then a second one follows! Is this a third one?\n"
        + "A fourth line ends well. And a fifth sentence too.";
    assertTrue(c4.apply(new Document("a", good)).kept());
    Verdict cleaned = c4.apply(new Document("b", good + "\nno terminal punctuation here\nClick to enable JavaScript now.\n"
        + "This site uses cookies to work.\nOk.\n"));
    assertEquals(good, cleaned.document().text());
    assertEquals(4L, c4.counters().get("lines_removed"));
    assertEquals("lorem_ipsum", c4.apply(new Document("c", good + "\nLorem ipsum dolor sit amet.")).reason());
    assertEquals("curly_brace", c4.apply(new Document("d", good + "\nfunction f() { return 1; }.")).reason());
    assertEquals("too_few_sentences", c4.apply(new Document("e", "Only one sentence here.\nAnd a second one.")).reason());
    assertEquals("no_lines_left", c4.apply(new Document("f", "menu\nhome\nabout us")).reason());
    C4Step lines = new C4Step(new C4Config(true, 3, 1000, 0, true, true, C4Config.CurlyBraces.DROP_LINE, List.of()));
    assertEquals("Keep this line here.", lines.apply(new Document("g", "Keep this line here.\nvar x = {a: 1};")).document().text());
  }

  @Test
  void lengthToxicAndFilterReasons() {
    Step len = Steps.length(new LengthConfig(5, 10));
    assertEquals("too_short", len.apply(new Document("a", "abcd")).reason());
    assertEquals("too_long", len.apply(new Document("a", "abcdefghijk")).reason());
    assertTrue(len.apply(new Document("a", "abcde")).kept());
    Filter toxic = (Filter) Steps.toxic(ToxicConfig.defaults());
    List<String> w = new ArrayList<>(words(98, SEED));
    w.add("fuck");
    assertNull(toxic.dropReason(new Document("t", String.join(" ", w) + " fine")), "1 in 100 is at the limit");
    w.add("Shit!");
    assertEquals("toxic_words", toxic.dropReason(new Document("t", String.join(" ", w))));
  }

  /**
   * The stop-word test of the quality rule (packed ASCII keys) against the plain one it replaces: the
   * token lower-cased as a string, punctuation trimmed, looked up in the set. Random tokens mix stop
   * words in any case, punctuation, digits and non-ASCII letters whose lower case is special (U+0130,
   * final sigma, the Kelvin sign); the configured words include upper-case and non-ASCII ones.
   */
  @Test
  void stopWordKeysAgreeWithTheStringLookup() {
    List<String> stops = new ArrayList<>(GopherQualityConfig.defaults().stopWords());
    stops.addAll(List.of("The", "für", "ok", "i\u0307t", "x", "abcdefgh"));
    GopherQualityConfig d = GopherQualityConfig.defaults();
    GopherQualityConfig cfg = new GopherQualityConfig(d.minWords(), d.maxWords(), d.minMeanWordLength(),
        d.maxMeanWordLength(), d.maxSymbolWordRatio(), d.maxBulletLines(), d.maxEllipsisLines(), d.minAlphaWords(),
        d.minStopWords(), stops);
    GopherQualityStep step = new GopherQualityStep(cfg);
    java.util.Set<String> set = new java.util.HashSet<>(stops);
    String[] parts = {"the", "THE", "The", "tHe", "and", "für", "FÜR", "\u0130t", "\u0130T", "ok", "OK", "\u212Aok",
        "x", "X", "a1", "1", "σς", "ΣΣ", "abcdefgh", "it", "of", "Of", "(the", "the,", "\"and\"", "--", "é", "'s"};
    Random r = new Random(SEED);
    int checked = 0;
    int matches = 0;
    for (int doc = 0; doc < 300; doc++) {
      StringBuilder sb = new StringBuilder();
      for (int k = 0; k < 40; k++) {
        String p = parts[r.nextInt(parts.length)];
        if (r.nextInt(4) == 0) p = p + parts[r.nextInt(parts.length)];
        sb.append(p).append(r.nextInt(6) == 0 ? "\n" : " ");
      }
      Words w = Words.of(sb.toString());
      for (int i = 0; i < w.count(); i++) {
        boolean hasWord = false;
        for (int k = w.start(i); k < w.end(i); k++) hasWord |= Character.isLetterOrDigit(w.text().charAt(k));
        if (!hasWord) continue;
        boolean expected = set.contains(w.bareLower(i));
        assertEquals(expected, step.isStopWord(w, i), "token '" + w.text().substring(w.start(i), w.end(i))
            + "' (seed " + SEED + ", -Dtests.seed=" + SEED + ")");
        checked++;
        if (expected) matches++;
      }
    }
    System.out.println("stop-word test: " + checked + " tokens, " + matches + " stop words, all as the string lookup decides");
    assertTrue(matches > 1000 && checked - matches > 1000, "the random tokens must hit both answers often");
  }
}
