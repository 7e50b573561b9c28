package dev.llmj.data.pipeline;

import java.util.List;

/**
 * Settings of {@link Steps#gopherRepetition}, defaults from the Gopher paper (Rae et al. 2021,
 * table A1). Fractions above a limit drop the document.
 *
 * @param maxDupLines fraction of lines that repeat an earlier line
 * @param maxDupParagraphs fraction of paragraphs that repeat an earlier paragraph
 * @param maxDupLineChars fraction of characters in repeated lines
 * @param maxDupParagraphChars fraction of characters in repeated paragraphs
 * @param maxTopNgramChars for n = 2, 3, 4: fraction of word characters in the most frequent n-gram
 * @param maxDupNgramChars for n = 5..10: fraction of word characters inside repeated n-grams
 */
public record GopherRepetitionConfig(
    double maxDupLines, double maxDupParagraphs, double maxDupLineChars, double maxDupParagraphChars,
    List<Double> maxTopNgramChars, List<Double> maxDupNgramChars) {
  public GopherRepetitionConfig {
    Check.fraction("maxDupLines", maxDupLines);
    Check.fraction("maxDupParagraphs", maxDupParagraphs);
    Check.fraction("maxDupLineChars", maxDupLineChars);
    Check.fraction("maxDupParagraphChars", maxDupParagraphChars);
    if (maxTopNgramChars.size() != 3) {
      throw new IllegalArgumentException("maxTopNgramChars needs 3 values (n = 2, 3, 4), got " + maxTopNgramChars);
    }
    if (maxDupNgramChars.size() != 6) {
      throw new IllegalArgumentException("maxDupNgramChars needs 6 values (n = 5..10), got " + maxDupNgramChars);
    }
    maxTopNgramChars.forEach(v -> Check.fraction("maxTopNgramChars", v));
    maxDupNgramChars.forEach(v -> Check.fraction("maxDupNgramChars", v));
    maxTopNgramChars = List.copyOf(maxTopNgramChars);
    maxDupNgramChars = List.copyOf(maxDupNgramChars);
  }

  public static GopherRepetitionConfig defaults() {
    return new GopherRepetitionConfig(0.3, 0.3, 0.2, 0.2, List.of(0.2, 0.18, 0.16),
        List.of(0.15, 0.14, 0.13, 0.12, 0.11, 0.10));
  }
}
