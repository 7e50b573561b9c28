package dev.llmj.core.train;

import java.util.function.ToLongFunction;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/** Validation loss over the first {@code maxBatches} batches (all when 0), in inference mode. */
final class Evaluator {

  private final DataSetIterator data;
  private final double bytesPerToken;
  private final int maxBatches;
  private final ToLongFunction<DataSet> tokenCounter;

  Evaluator(DataSetIterator data, double bytesPerToken, int maxBatches, ToLongFunction<DataSet> tokenCounter) {
    this.data = data;
    this.bytesPerToken = bytesPerToken;
    this.maxBatches = maxBatches;
    this.tokenCounter = tokenCounter;
  }

  Evaluation evaluate(ComputationGraph graph) {
    data.reset();
    double lossSum = 0;
    long examples = 0;
    long tokens = 0;
    int batches = 0;
    // Parameters do not change during the pass, so the regularization term is the same for every batch.
    double reg = graph.calcRegularizationScore(true);
    while (data.hasNext() && (maxBatches == 0 || batches < maxBatches)) {
      DataSet ds = data.next();
      long n = ds.getFeatures().size(0);
      lossSum += (graph.score(ds, false) - reg) * n;
      examples += n;
      tokens += tokenCounter.applyAsLong(ds);
      batches++;
    }
    if (batches == 0) {
      throw new IllegalStateException("Validation iterator returned no batches; give it data or drop validation");
    }
    return Evaluation.of(lossSum / examples, bytesPerToken, batches, tokens);
  }
}
