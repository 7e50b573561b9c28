package dev.llmj.data.pipeline;

/**
 * Settings of {@link Steps#toxic}: a document is dropped ({@code toxic_words}) when more than
 * {@code maxFraction} of its words are on the list.
 *
 * @param wordListPath a file with one word a line ({@code #} comments), or empty for the bundled
 *     English list {@code dev/llmj/data/toxic/words-en.txt}
 * @param maxFraction largest tolerated share of listed words (0.01: one in a hundred)
 */
public record ToxicConfig(String wordListPath, double maxFraction) {
  public ToxicConfig {
    if (wordListPath == null) wordListPath = "";
    Check.fraction("maxFraction", maxFraction);
  }

  public static ToxicConfig defaults() {
    return new ToxicConfig("", 0.01);
  }
}
