package dev.llmj.core.eval;

import java.util.List;

/**
 * The metrics of one task or corpus.
 *
 * @param task name, e.g. {@code hellaswag} or the corpus file
 * @param n items (documents for a corpus)
 * @param shots few-shot examples per item (0 for a corpus)
 * @param metrics in report order
 */
public record TaskResult(String task, int n, int shots, List<Metric> metrics) {

  public TaskResult {
    metrics = List.copyOf(metrics);
  }

  /** The metric called {@code name}. */
  public Metric metric(String name) {
    return metrics.stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow(
        () -> new IllegalArgumentException("task " + task + " has no metric '" + name + "'; it has "
            + metrics.stream().map(Metric::name).toList()));
  }
}
