package dev.llmj.data.pipeline;

import dev.llmj.data.Document;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/** Drops documents where listed words are more than a set share of all words. */
final class ToxicStep implements Filter {
  private static final String DEFAULT_LIST = "/dev/llmj/data/toxic/words-en.txt";

  private final ToxicConfig c;
  private final Set<String> words;

  ToxicStep(ToxicConfig config) {
    this.c = config;
    this.words = load(config.wordListPath());
  }

  private static Set<String> load(String path) {
    try (InputStream in = path.isEmpty() ? ToxicStep.class.getResourceAsStream(DEFAULT_LIST) : Files.newInputStream(Path.of(path))) {
      Set<String> set = new HashSet<>();
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line; (line = r.readLine()) != null; ) {
        String w = line.strip().toLowerCase(Locale.ROOT);
        if (!w.isEmpty() && !w.startsWith("#")) set.add(w);
      }
      if (set.isEmpty()) throw new IllegalArgumentException("Toxic word list " + path + " holds no words");
      return set;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read toxic word list '" + path + "': " + e.getMessage(), e);
    }
  }

  @Override
  public String name() {
    return "toxic";
  }

  @Override
  public String dropReason(Document doc) {
    Words w = Words.of(doc.text());
    int n = w.count();
    if (n == 0) return null;
    int hits = 0;
    for (int i = 0; i < n; i++) {
      if (w.length(i) <= 20 && words.contains(w.bareLower(i))) hits++;
    }
    return hits > c.maxFraction() * n ? "toxic_words" : null;
  }
}
