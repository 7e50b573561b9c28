package dev.llmj.core.eval;

import java.util.List;

/**
 * Totals of a perplexity run over a corpus.
 *
 * @param documents documents with at least one scored token
 * @param tokens tokens predicted (each once)
 * @param bytes UTF-8 bytes of those documents' text
 * @param words whitespace-separated words of those documents
 * @param nats summed negative log-likelihood of the predicted tokens
 */
public record PerplexityResult(long documents, long tokens, long bytes, long words, double nats) {

  public double natsPerToken() {
    return nats / tokens;
  }

  public double perplexity() {
    return Math.exp(natsPerToken());
  }

  /** Total bits over total bytes: comparable across tokenizers. */
  public double bitsPerByte() {
    return nats / Math.log(2) / bytes;
  }

  /** {@code exp(nats / words)}, the harness's word perplexity. */
  public double wordPerplexity() {
    return Math.exp(nats / words);
  }

  /** As a {@link TaskResult} named {@code name} (n = documents); counts are metrics without stderr. */
  public TaskResult toTaskResult(String name) {
    return new TaskResult(name, (int) Math.min(Integer.MAX_VALUE, documents), 0, List.of(
        new Metric("tokens", tokens, Double.NaN),
        new Metric("nats_per_token", natsPerToken(), Double.NaN),
        new Metric("perplexity", perplexity(), Double.NaN),
        new Metric("bits_per_byte", bitsPerByte(), Double.NaN),
        new Metric("word_perplexity", wordPerplexity(), Double.NaN)));
  }
}
