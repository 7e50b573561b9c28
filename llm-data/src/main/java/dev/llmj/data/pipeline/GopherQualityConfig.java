package dev.llmj.data.pipeline;

import java.util.List;

/**
 * Settings of {@link Steps#gopherQuality}, defaults from the Gopher paper (Rae et al. 2021, A.1.1).
 * Words are whitespace tokens holding a letter or digit.
 *
 * @param minWords fewer words: {@code too_few_words}
 * @param maxWords more words: {@code too_many_words}
 * @param minMeanWordLength lower mean word length: {@code short_mean_word_length}
 * @param maxMeanWordLength higher mean word length: {@code long_mean_word_length}
 * @param maxSymbolWordRatio more {@code #} (or {@code ...}/{@code …}) per word: {@code hash_ratio} ({@code ellipsis_ratio})
 * @param maxBulletLines larger fraction of lines starting with a bullet: {@code bullet_lines}
 * @param maxEllipsisLines larger fraction of lines ending with an ellipsis: {@code ellipsis_lines}
 * @param minAlphaWords smaller fraction of tokens with a letter: {@code alpha_words}
 * @param minStopWords fewer occurrences of {@code stopWords}: {@code too_few_stop_words}
 * @param stopWords the stop words counted
 */
public record GopherQualityConfig(
    int minWords, int maxWords, double minMeanWordLength, double maxMeanWordLength, double maxSymbolWordRatio,
    double maxBulletLines, double maxEllipsisLines, double minAlphaWords, int minStopWords, List<String> stopWords) {
  public GopherQualityConfig {
    Check.atLeast("minWords", minWords, 0);
    Check.ordered("minWords", minWords, "maxWords", maxWords);
    Check.ordered("minMeanWordLength", minMeanWordLength, "maxMeanWordLength", maxMeanWordLength);
    Check.positive("maxSymbolWordRatio", maxSymbolWordRatio);
    Check.fraction("maxBulletLines", maxBulletLines);
    Check.fraction("maxEllipsisLines", maxEllipsisLines);
    Check.fraction("minAlphaWords", minAlphaWords);
    Check.atLeast("minStopWords", minStopWords, 0);
    stopWords = List.copyOf(stopWords);
  }

  public static GopherQualityConfig defaults() {
    return new GopherQualityConfig(50, 100_000, 3, 10, 0.1, 0.9, 0.3, 0.8, 2,
        List.of("the", "be", "to", "of", "and", "that", "have", "with"));
  }
}
