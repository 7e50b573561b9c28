package dev.llmj.core.eval;

import dev.llmj.core.model.LanguageModel;
import dev.llmj.data.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalInt;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Batched continuation log-likelihoods under a model, the way the evaluation harness computes them:
 * the context and continuation are tokenized as one text and split at the context's tokens; requests are
 * sorted by length, right-padded into batches of {@code batchSize} and run through the graph once
 * (causal attention makes the padding invisible to real positions); each batch row gives the log-softmax
 * of its continuation positions. A sequence longer than the context length T loses context tokens from
 * the left, so the continuation keeps all the left context that fits.
 *
 * <pre>{@code
 * ModelScorer scorer = new ModelScorer(lm, tokenizer, 8);
 * double[] ll = scorer.score(List.of(new Request("The capital of France is", " Paris")));
 * }</pre>
 *
 * Memory per batch is B x T x V floats of logits; lower the batch size for large vocabularies.
 */
public final class ModelScorer implements LoglikelihoodScorer {

  private final LanguageModel model;
  private final Tokenizer tokenizer;
  private final int batchSize;

  public ModelScorer(LanguageModel model, Tokenizer tokenizer, int batchSize) {
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
    }
    this.model = model;
    this.tokenizer = tokenizer;
    this.batchSize = batchSize;
  }

  public LanguageModel model() {
    return model;
  }

  public Tokenizer tokenizer() {
    return tokenizer;
  }

  @Override
  public double[] score(List<Request> requests) {
    int[][] contexts = new int[requests.size()][];
    int[][] continuations = new int[requests.size()][];
    for (int i = 0; i < requests.size(); i++) {
      int[][] pair = encodePair(requests.get(i).context(), requests.get(i).continuation());
      contexts[i] = pair[0];
      continuations[i] = pair[1];
    }
    return scoreTokens(contexts, continuations);
  }

  /**
   * Tokens of context and continuation as the harness makes them: trailing spaces of the context move to the
   * continuation, the whole text is encoded once and split after the context's own token count (so a merge
   * across the boundary is not invented); an empty context becomes {@code <|endoftext|>}.
   */
  int[][] encodePair(String context, String continuation) {
    int kept = context.length();
    while (kept > 0 && Character.isWhitespace(context.charAt(kept - 1))) {
      kept--;
    }
    continuation = context.substring(kept) + continuation;
    context = context.substring(0, kept);
    if (context.isEmpty()) {
      OptionalInt eot = tokenizer.specialTokenId("<|endoftext|>");
      if (eot.isEmpty()) {
        throw new IllegalArgumentException("empty context and the tokenizer has no <|endoftext|> to start from");
      }
      return new int[][] {{eot.getAsInt()}, tokenizer.encode(continuation)};
    }
    int[] whole = tokenizer.encode(context + continuation);
    int n = tokenizer.encode(context).length;
    return new int[][] {Arrays.copyOf(whole, n), Arrays.copyOfRange(whole, n, whole.length)};
  }

  /**
   * Summed log-likelihood (nats) of each {@code continuations[i]} after {@code contexts[i]}. Each continuation
   * must be 1 to T tokens and each context at least 1 token.
   */
  public double[] scoreTokens(int[][] contexts, int[][] continuations) {
    int t = model.config().contextLength();
    int vocab = model.config().vocabSize();
    int n = contexts.length;
    int[][] inputs = new int[n][];
    int[][] targets = new int[n][];
    for (int i = 0; i < n; i++) {
      int[] ctx = contexts[i];
      int[] cont = continuations[i];
      if (ctx.length == 0 || cont.length == 0 || cont.length > t) {
        throw new IllegalArgumentException("request " + i + " has " + ctx.length + " context and " + cont.length
            + " continuation tokens; need at least 1 context token and 1 to contextLength=" + t
            + " continuation tokens");
      }
      int[] whole = new int[ctx.length + cont.length];
      System.arraycopy(ctx, 0, whole, 0, ctx.length);
      System.arraycopy(cont, 0, whole, ctx.length, cont.length);
      for (int id : whole) {
        if (id < 0 || id >= vocab) {
          throw new IllegalArgumentException("token id " + id + " is outside the model's vocabulary [0, " + vocab
              + "); use the tokenizer the model was trained with");
        }
      }
      // The last token is only predicted, never fed; keep the T tokens before it.
      int end = whole.length - 1;
      inputs[i] = Arrays.copyOfRange(whole, Math.max(0, end - t), end);
      targets[i] = cont;
    }
    Integer[] order = new Integer[n];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, Comparator.comparingInt((Integer i) -> -inputs[i].length));
    double[] out = new double[n];
    ComputationGraph graph = model.graph();
    for (int from = 0; from < n; from += batchSize) {
      int b = Math.min(batchSize, n - from);
      int length = inputs[order[from]].length;
      int[][] ids = new int[b][length]; // right padding with id 0
      for (int r = 0; r < b; r++) {
        int[] in = inputs[order[from + r]];
        System.arraycopy(in, 0, ids[r], 0, in.length);
      }
      INDArray logits = graph.output(false, Nd4j.createFromArray(ids))[0]; // (b, length, V)
      for (int r = 0; r < b; r++) {
        int i = order[from + r];
        int last = inputs[i].length; // logits at positions [last - c, last) predict the c continuation tokens
        out[i] = sumLogProbs(logits, r, last - targets[i].length, targets[i]);
      }
    }
    return out;
  }

  /** Sum over k of log softmax(logits[row, start + k, :])[targets[k]], the log-sum-exp taken after the max. */
  static double sumLogProbs(INDArray logits, int row, int start, int[] targets) {
    int c = targets.length;
    INDArray z = logits.get(NDArrayIndex.point(row), NDArrayIndex.interval(start, start + c), NDArrayIndex.all())
        .dup('c'); // (c, V)
    INDArray max = z.max(1);
    INDArray shifted = z.subColumnVector(max.reshape(c, 1));
    INDArray sumExp = Transforms.exp(shifted, false).sum(1);
    double total = 0;
    for (int k = 0; k < c; k++) {
      double lse = max.getDouble(k) + Math.log(sumExp.getDouble(k));
      total += z.getDouble(k, targets[k]) - lse;
    }
    return total;
  }
}
