package dev.llmj.data.pipeline;

import java.util.List;

/**
 * Settings of {@link Steps#language}.
 *
 * @param languages languages to keep: en, fr, de, it, pt, es, sv, fi
 * @param minConfidence stop-word hits of the best language over those of the best two (0.5 is a
 *     tie, 1 is no competitor); below it the document is {@code language_unsure}
 * @param minStopWordDensity fewer stop words per word than this means no prose in any known
 *     language: {@code language_unknown}
 * @param maxWords words read from the start of a document (enough for a stable guess, and bounded cost)
 */
public record LanguageConfig(List<String> languages, double minConfidence, double minStopWordDensity, int maxWords) {
  public LanguageConfig {
    languages = List.copyOf(languages);
    for (String l : languages) {
      if (!StopWordLanguageModel.LANGUAGES.contains(l)) {
        throw new IllegalArgumentException("Unknown language '" + l + "'; known: " + StopWordLanguageModel.LANGUAGES);
      }
    }
    Check.fraction("minConfidence", minConfidence);
    Check.fraction("minStopWordDensity", minStopWordDensity);
    Check.atLeast("maxWords", maxWords, 10);
  }

  public static LanguageConfig defaults() {
    return new LanguageConfig(List.of("en"), 0.6, 0.1, 2000);
  }
}
