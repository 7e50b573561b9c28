package dev.llmj.data.pipeline;

import dev.llmj.data.Document;

/**
 * What a step decided about one document: keep it (maybe rewritten) or drop it with a short reason
 * such as {@code too_few_words}. Reasons are counted per step in the stats report.
 */
public record Verdict(Document document, String reason) {
  public static Verdict keep(Document doc) {
    return new Verdict(doc, null);
  }

  public static Verdict drop(String reason) {
    if (reason == null || reason.isEmpty()) throw new IllegalArgumentException("A drop needs a reason");
    return new Verdict(null, reason);
  }

  public boolean kept() {
    return reason == null;
  }
}
