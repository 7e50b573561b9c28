package dev.llmj.data.pipeline;

/**
 * Settings of {@link Steps#minHashDedup}. Two documents whose word-n-gram Jaccard similarity is
 * {@code s} share at least one band with probability {@code 1 - (1 - s^rows)^bands}; the curve
 * is steepest near {@code (1/bands)^(1/rows)}, ~0.72 for the defaults.
 *
 * @param ngram words per shingle
 * @param bands LSH bands
 * @param rows hashes per band
 * @param seed seeds the hash permutations; the same seed gives the same clusters
 */
public record MinHashConfig(int ngram, int bands, int rows, long seed) {
  public MinHashConfig {
    Check.atLeast("ngram", ngram, 1);
    Check.atLeast("bands", bands, 1);
    Check.atLeast("rows", rows, 1);
    if ((long) bands * rows > 1024) {
      throw new IllegalArgumentException("bands*rows=" + (long) bands * rows + " is above 1024 hashes per document; lower them");
    }
  }

  public static MinHashConfig defaults() {
    return new MinHashConfig(5, 14, 8, 1);
  }

  /** The similarity where a pair is caught with probability ~1/2: {@code (1/bands)^(1/rows)}. */
  public double threshold() {
    return Math.pow(1.0 / bands, 1.0 / rows);
  }
}
