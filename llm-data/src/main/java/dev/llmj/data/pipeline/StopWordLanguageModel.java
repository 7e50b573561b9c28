package dev.llmj.data.pipeline;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Document-level language identification from stop-word lists: every word that is a stop word of
 * a language votes for it. Prose is dense in stop words (40-50% of tokens in English), so a few
 * hundred words give a clear winner among these eight languages.
 */
final class StopWordLanguageModel {
  static final List<String> LANGUAGES = List.of("en", "fr", "de", "it", "pt", "es", "sv", "fi");
  private static final List<String> FILES = List.of("en", "fr", "ger", "it", "por", "sp", "swe", "fin");

  /** Bit {@code i} of a word's mask: the word is a stop word of {@code LANGUAGES[i]}. */
  private final Map<String, Integer> masks = new HashMap<>();

  static final StopWordLanguageModel INSTANCE = new StopWordLanguageModel();

  private StopWordLanguageModel() {
    for (int i = 0; i < FILES.size(); i++) {
      String res = "/dev/llmj/data/stopwords/stopwords-" + FILES.get(i) + ".txt";
      try (InputStream in = StopWordLanguageModel.class.getResourceAsStream(res)) {
        if (in == null) throw new IllegalStateException("Missing resource " + res);
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        int bit = 1 << i;
        for (String line; (line = r.readLine()) != null; ) {
          String w = line.strip().toLowerCase(Locale.ROOT);
          if (!w.isEmpty() && !w.startsWith("#")) masks.merge(w, bit, (a, b) -> a | b);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read " + res, e);
      }
    }
  }

  /** Result: best language (or null), best/(best+second) hits in [0.5, 1], and stop words per word. */
  record Guess(String language, double confidence, double density) {}

  Guess guess(String text, int maxWords) {
    Words w = Words.of(text);
    int n = Math.min(w.count(), maxWords);
    int[] hits = new int[LANGUAGES.size()];
    int words = 0;
    int stop = 0;
    for (int i = 0; i < n; i++) {
      String word = w.bareLower(i);
      if (word.isEmpty()) continue;
      words++;
      Integer m = masks.get(word);
      if (m == null) continue;
      stop++;
      for (int b = 0; b < hits.length; b++) if ((m & (1 << b)) != 0) hits[b]++;
    }
    int best = 0;
    for (int b = 1; b < hits.length; b++) if (hits[b] > hits[best]) best = b;
    int second = best == 0 ? 1 : 0;
    for (int b = 0; b < hits.length; b++) if (b != best && hits[b] > hits[second]) second = b;
    if (hits[best] == 0) return new Guess(null, 0, 0);
    // Close languages share many stop words; what separates them is the margin over the runner-up.
    return new Guess(LANGUAGES.get(best), (double) hits[best] / (hits[best] + hits[second]), (double) stop / words);
  }
}
