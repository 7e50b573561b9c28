package dev.llmj.core.eval;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalInt;

/**
 * Perplexity and bits per byte of a corpus. Each document is scored on its own, starting from
 * {@code <|endoftext|>} when the tokenizer has it (GPT-2 evaluation); without it the document's first token
 * has no context and goes unscored. A document longer than the context length T is scored in rolling
 * windows: the first predicts its first T tokens, each later one the next {@code stride} tokens with the
 * {@code T - stride} tokens before them as context (stride = T scores disjoint blocks, a smaller stride buys
 * more context per token with more compute). Every token is predicted exactly once.
 *
 * <pre>{@code
 * PerplexityResult r = new Perplexity(new ModelScorer(lm, tok, 4), 256).evaluate(texts);
 * System.out.printf("ppl %.2f, %.3f bits/byte%n", r.perplexity(), r.bitsPerByte());
 * }</pre>
 */
public final class Perplexity {

  /** Windows are scored in groups of this many batches, so sorting by length has something to sort. */
  private static final int BATCHES_PER_FLUSH = 8;

  private final ModelScorer scorer;
  private final int stride;
  private final int contextLength;

  /** @param stride tokens predicted per window after the first, 1 to the context length */
  public Perplexity(ModelScorer scorer, int stride) {
    this.scorer = scorer;
    this.contextLength = scorer.model().config().contextLength();
    if (stride < 1 || stride > contextLength) {
      throw new IllegalArgumentException("stride must be in [1, contextLength=" + contextLength + "], got " + stride);
    }
    this.stride = stride;
  }

  /** Disjoint windows of the full context length. */
  public Perplexity(ModelScorer scorer) {
    this(scorer, scorer.model().config().contextLength());
  }

  /**
   * The windows of a document's tokens {@code s}: pairs {context, continuation} with every index 1..n-1
   * in exactly one continuation, each window at most T + 1 tokens.
   */
  static List<int[][]> windows(int[] s, int contextLength, int stride) {
    List<int[][]> out = new ArrayList<>();
    int lo = 1;
    while (lo < s.length) {
      int hi = Math.min(s.length, lo + (lo == 1 ? contextLength : stride));
      int start = Math.max(0, hi - 1 - contextLength);
      out.add(new int[][] {Arrays.copyOfRange(s, start, lo), Arrays.copyOfRange(s, lo, hi)});
      lo = hi;
    }
    return out;
  }

  public PerplexityResult evaluate(Iterator<String> texts) {
    OptionalInt eot = scorer.tokenizer().specialTokenId("<|endoftext|>");
    List<int[][]> pending = new ArrayList<>();
    int flushAt = BATCHES_PER_FLUSH * 64;
    long documents = 0;
    long tokens = 0;
    long bytes = 0;
    long words = 0;
    double nats = 0;
    while (texts.hasNext()) {
      String text = texts.next();
      int[] ids = scorer.tokenizer().encode(text);
      int[] s = eot.isPresent() ? prepend(eot.getAsInt(), ids) : ids;
      if (s.length < 2) {
        continue;
      }
      documents++;
      tokens += s.length - 1;
      bytes += text.getBytes(StandardCharsets.UTF_8).length;
      words += countWords(text);
      pending.addAll(windows(s, contextLength, stride));
      if (pending.size() >= flushAt) {
        nats += score(pending);
        pending.clear();
      }
    }
    if (!pending.isEmpty()) {
      nats += score(pending);
    }
    if (tokens == 0) {
      throw new IllegalArgumentException("the corpus has no document with a token to score");
    }
    return new PerplexityResult(documents, tokens, bytes, words, nats);
  }

  private double score(List<int[][]> windows) {
    int[][] contexts = new int[windows.size()][];
    int[][] continuations = new int[windows.size()][];
    for (int i = 0; i < windows.size(); i++) {
      contexts[i] = windows.get(i)[0];
      continuations[i] = windows.get(i)[1];
    }
    double nll = 0;
    for (double ll : scorer.scoreTokens(contexts, continuations)) {
      nll -= ll;
    }
    return nll;
  }

  private static int[] prepend(int first, int[] rest) {
    int[] s = new int[rest.length + 1];
    s[0] = first;
    System.arraycopy(rest, 0, s, 1, rest.length);
    return s;
  }

  static long countWords(String text) {
    long n = 0;
    boolean inWord = false;
    for (int i = 0; i < text.length(); i++) {
      boolean space = Character.isWhitespace(text.charAt(i));
      if (!space && !inWord) {
        n++;
      }
      inWord = !space;
    }
    return n;
  }
}
