package dev.llmj.data.pipeline;

import dev.llmj.data.Document;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Keeps documents in the chosen languages; tags kept ones with {@code language} metadata. */
final class LanguageStep implements Step {
  private final LanguageConfig c;
  private final Set<String> keep;
  private final Map<String, LongAdder> detected = new ConcurrentHashMap<>();

  LanguageStep(LanguageConfig config) {
    this.c = config;
    this.keep = Set.copyOf(config.languages());
  }

  @Override
  public String name() {
    return "language";
  }

  @Override
  public Verdict apply(Document doc) {
    StopWordLanguageModel.Guess g = StopWordLanguageModel.INSTANCE.guess(doc.text(), c.maxWords());
    if (g.language() == null || g.density() < c.minStopWordDensity()) return Verdict.drop("language_unknown");
    detected.computeIfAbsent(g.language(), k -> new LongAdder()).increment();
    if (g.confidence() < c.minConfidence()) return Verdict.drop("language_unsure");
    if (!keep.contains(g.language())) return Verdict.drop("language_" + g.language());
    Map<String, String> meta = new HashMap<>(doc.metadata());
    meta.put("language", g.language());
    meta.put("language_score", String.format(java.util.Locale.ROOT, "%.3f", g.confidence()));
    return Verdict.keep(new Document(doc.id(), doc.text(), meta));
  }

  @Override
  public void startPass() {
    detected.clear();
  }

  @Override
  public Map<String, Long> counters() {
    Map<String, Long> m = new TreeMap<>();
    detected.forEach((k, v) -> m.put("detected_" + k, v.sum()));
    return m;
  }
}
