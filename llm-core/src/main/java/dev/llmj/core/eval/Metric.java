package dev.llmj.core.eval;

/**
 * One reported number.
 *
 * @param name e.g. {@code acc}, {@code acc_norm}, {@code exact_match}, {@code bits_per_byte}
 * @param value the metric
 * @param stderr its standard error, NaN where none is defined
 */
public record Metric(String name, double value, double stderr) {

  /** Mean of 0/1 outcomes with the standard error of the mean, {@code sqrt(p(1-p)/(n-1))}. */
  static Metric proportion(String name, int hits, int n) {
    double p = n == 0 ? Double.NaN : (double) hits / n;
    return new Metric(name, p, n > 1 ? Math.sqrt(p * (1 - p) / (n - 1)) : Double.NaN);
  }
}
