package dev.llmj.core.train;

/**
 * Validation result. {@code loss} is the mean cross-entropy per token in nats (the graph's score, without
 * regularization terms, averaged over examples).
 *
 * @param loss mean loss per token, nats
 * @param perplexity {@code exp(loss)}
 * @param bitsPerByte {@code loss / ln 2 / bytesPerToken}; NaN when bytes per token is unknown
 * @param batches validation batches used
 * @param tokens validation tokens used
 */
public record Evaluation(double loss, double perplexity, double bitsPerByte, int batches, long tokens) {

  static Evaluation of(double loss, double bytesPerToken, int batches, long tokens) {
    double bpb = bytesPerToken > 0 ? loss / Math.log(2) / bytesPerToken : Double.NaN;
    return new Evaluation(loss, Math.exp(loss), bpb, batches, tokens);
  }
}
