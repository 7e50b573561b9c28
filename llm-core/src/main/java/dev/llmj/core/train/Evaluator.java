package dev.llmj.core.train;

import dev.llmj.core.dist.Collective;
import dev.llmj.data.shard.PackingIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * Validation loss over the first {@code maxBatches} batches (all when 0), in inference mode. In a
 * data-parallel job rank r scores batches r, r + W, r + 2W... and the per-batch sums are shared, so every
 * rank adds the same numbers in the same order as one process would, and gets its result bit for bit.
 */
final class Evaluator {

  private final DataSetIterator data;
  private final double bytesPerToken;
  private final int maxBatches;
  private final ToLongFunction<DataSet> tokenCounter;
  private final Collective world;

  Evaluator(DataSetIterator data, double bytesPerToken, int maxBatches, ToLongFunction<DataSet> tokenCounter,
      Collective world) {
    this.data = data;
    this.bytesPerToken = bytesPerToken;
    this.maxBatches = maxBatches;
    this.tokenCounter = tokenCounter;
    this.world = world;
  }

  Evaluation evaluate(ComputationGraph graph) {
    data.reset();
    List<double[]> perBatch = new ArrayList<>(); // {loss sum, examples, tokens}; zeros where another rank scores
    // Parameters do not change during the pass, so the regularization term is the same for every batch.
    double reg = graph.calcRegularizationScore(true);
    while (data.hasNext() && (maxBatches == 0 || perBatch.size() < maxBatches)) {
      if (perBatch.size() % world.size() != world.rank()) {
        skip(data);
        perBatch.add(new double[3]);
        continue;
      }
      DataSet ds = data.next();
      long n = ds.getFeatures().size(0);
      perBatch.add(new double[] {(graph.score(ds, false) - reg) * n, n, tokenCounter.applyAsLong(ds)});
    }
    int batches = perBatch.size();
    if (batches == 0) {
      throw new IllegalStateException("Validation iterator returned no batches; give it data or drop validation");
    }
    double[] all = new double[3 * batches];
    for (int i = 0; i < batches; i++) {
      System.arraycopy(perBatch.get(i), 0, all, 3 * i, 3);
    }
    world.allReduceSum(all); // each entry has one non-zero term, so the sum is exact
    double lossSum = 0;
    long examples = 0;
    long tokens = 0;
    for (int i = 0; i < batches; i++) {
      lossSum += all[3 * i];
      examples += (long) all[3 * i + 1];
      tokens += (long) all[3 * i + 2];
    }
    return Evaluation.of(lossSum / examples, bytesPerToken, batches, tokens);
  }

  /** Steps over a batch another rank scores; shard iterators move their cursor without reading. */
  static void skip(DataSetIterator data) {
    if (data instanceof PackingIterator p) {
      p.skip();
    } else if (data instanceof PositionedIterator p) {
      p.skip();
    } else {
      data.next();
    }
  }
}
