package dev.llmj.core.train;

import dev.llmj.core.dist.Collective;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * One optimizer step, done the way {@code ComputationGraph.fit} → {@code StochasticGradientDescent.optimize}
 * does it, with two differences fit cannot express: gradients of several micro-batches are summed before
 * the update, and clipping uses the global L2 norm over all parameters (as
 * {@code torch.nn.utils.clip_grad_norm_}) rather than DL4J's per-layer normalisation.
 *
 * <p>DL4J loss gradients are sums over the examples; the updater divides by the example count it is
 * given. Summing micro-batch gradients and passing the total count therefore yields exactly the gradient
 * of the concatenated batch. The averaged gradient's norm is {@code |sum| / examples}, so clipping scales
 * the sum before the updater divides.
 *
 * <p>Layers may instead compute gradients of the mean loss and say so with
 * {@code updaterDivideByMinibatch(param) == false} for every parameter (this library's transformer layers
 * do): the updater then leaves them alone, so micro-batch gradients are averaged here instead. A graph
 * mixing the two conventions is refused; it is also how BatchNormalization's running statistics show.
 *
 * <p>In a data-parallel job each rank runs this over its own micro-batches of the global batch; the summed
 * gradients, losses, example and token counts are then summed over the ranks ({@link Collective}), so
 * every rank holds the gradient one process would have after accumulating all the job's micro-batches.
 * For two ranks of one micro-batch each that is the same float additions in the same order, bit for bit.
 */
final class StepEngine {

  /**
   * What one step measured, over all ranks. {@code gradNorm} is the global norm before clipping;
   * {@code reduceNanos} the time spent summing over the ranks (0 for one process).
   */
  record Result(double loss, double gradNorm, long tokens, long examples, boolean finite, long reduceNanos) {}

  private final ComputationGraph graph;
  private final double clip;
  private final ToLongFunction<DataSet> tokenCounter;
  private final boolean meanGradients;
  private final Collective world;
  private INDArray accumulator; // (1, P), only when accumulating over more than one micro-batch

  StepEngine(ComputationGraph graph, double clip, ToLongFunction<DataSet> tokenCounter, Collective world) {
    this.graph = graph;
    this.world = world;
    this.clip = clip;
    this.tokenCounter = tokenCounter;
    this.meanGradients = meanGradients(graph);
    if (graph.getFlattenedGradients() == null) {
      graph.initGradientsView();
    }
  }

  /**
   * Forward/backward over {@code microBatches} batches and sum their gradients into the gradient view, then
   * over the ranks.
   */
  Result computeGradient(Supplier<DataSet> batches, int microBatches) {
    INDArray grad = graph.getFlattenedGradients();
    double lossSum = 0;
    long examples = 0;
    long tokens = 0;
    for (int i = 0; i < microBatches; i++) {
      DataSet ds = batches.get();
      boolean masks = ds.getFeaturesMaskArray() != null || ds.getLabelsMaskArray() != null;
      graph.setInputs(ds.getFeatures());
      graph.setLabels(ds.getLabels());
      if (masks) {
        graph.setLayerMaskArrays(wrap(ds.getFeaturesMaskArray()), wrap(ds.getLabelsMaskArray()));
      }
      graph.computeGradientAndScore();
      long n = ds.getFeatures().size(0);
      lossSum += graph.score() * n; // score is the mean over the micro-batch's examples
      examples += n;
      tokens += tokenCounter.applyAsLong(ds);
      if (microBatches > 1) {
        if (i == 0) {
          if (accumulator == null) {
            accumulator = grad.dup();
          } else {
            accumulator.assign(grad);
          }
        } else {
          accumulator.addi(grad);
        }
      }
      if (masks) {
        graph.clearLayerMaskArrays();
      }
      graph.clearLayersStates();
    }
    if (microBatches > 1) {
      grad.assign(accumulator);
    }
    long reduceNanos = 0;
    if (world.size() > 1) {
      long t0 = System.nanoTime();
      world.allReduceSum(grad);
      double[] counts = {lossSum, examples, tokens};
      world.allReduceSum(counts);
      lossSum = counts[0];
      examples = (long) counts[1];
      tokens = (long) counts[2];
      reduceNanos = System.nanoTime() - t0;
    }
    int parts = microBatches * world.size();
    if (meanGradients && parts > 1) {
      grad.divi(parts); // equal-sized micro-batches: the mean of their means is the batch mean
    }
    // DL4J adds regularization terms to the score (the trainer's own decay adds none): report the data loss.
    double loss = lossSum / examples - graph.calcRegularizationScore(true);
    double norm = grad.norm2Number().doubleValue() / (meanGradients ? 1 : examples);
    return new Result(loss, norm, tokens, examples, Double.isFinite(loss) && Double.isFinite(norm), reduceNanos);
  }

  /**
   * True when every parameter's gradient is of the mean loss ({@code updaterDivideByMinibatch} false),
   * false when every one is a sum over examples.
   *
   * @throws UnsupportedOperationException for a graph mixing the two, naming a parameter of each kind
   */
  static boolean meanGradients(ComputationGraph graph) {
    String mean = null;
    String sum = null;
    for (org.deeplearning4j.nn.api.Layer layer : graph.getLayers()) {
      for (String p : layer.paramTable().keySet()) {
        String name = layer.conf().getLayer().getLayerName() + "/" + p;
        if (layer.updaterDivideByMinibatch(p)) {
          sum = sum == null ? name : sum;
        } else {
          mean = mean == null ? name : mean;
        }
      }
    }
    if (mean != null && sum != null) {
      throw new UnsupportedOperationException("Parameter '" + mean + "' is not divided by the batch size (a mean"
          + " gradient, or statistics such as BatchNormalization's running mean) but '" + sum + "' is (a sum over"
          + " examples); global-norm clipping and accumulation need one convention. Use a layer normalisation.");
    }
    return mean != null;
  }

  /** Clips, runs the updater (Adam + decoupled decay) and applies the update, as SGD.optimize does. */
  void applyUpdate(Result r) {
    if (clip > 0 && r.gradNorm() > clip) {
      graph.getFlattenedGradients().muli(clip / r.gradNorm());
    }
    int iteration = graph.getIterationCount();
    int epoch = graph.getEpochCount();
    for (TrainingListener l : graph.getListeners()) {
      l.onGradientCalculation(graph);
    }
    // The updater turns the gradient view into the update in place; then params -= update.
    graph.getUpdater().update(graph.gradient(), iteration, epoch, Math.toIntExact(r.examples()),
        LayerWorkspaceMgr.noWorkspaces());
    INDArray params = graph.params();
    params.subi(graph.getFlattenedGradients().reshape(params.shape()));
    graph.setScore(r.loss());
  }

  /** Marks the end of iteration {@code getIterationCount()}: listeners, counter, constraints. */
  void finishIteration() {
    int iteration = graph.getIterationCount();
    int epoch = graph.getEpochCount();
    for (TrainingListener l : graph.getListeners()) {
      l.iterationDone(graph, iteration, epoch);
    }
    graph.getConfiguration().setIterationCount(iteration + 1);
    graph.applyConstraints(iteration, epoch);
  }

  /**
   * Default token count of a batch: the label mask's sum if there is one, else examples × time steps for
   * (B, V, T) labels, the non-negative ids of integer-typed (B, T) labels (-1 marks an ignored position),
   * else examples.
   */
  static long defaultTokens(DataSet ds) {
    INDArray labels = ds.getLabels();
    if (ds.getLabelsMaskArray() != null) {
      return Math.round(ds.getLabelsMaskArray().sumNumber().doubleValue());
    }
    if (labels.rank() == 2 && labels.dataType().isIntType()) {
      return idTokens(ds);
    }
    return labels.rank() == 3 ? labels.size(0) * labels.size(2) : labels.size(0);
  }

  /** Labels that are next-token ids, (B, T) of any type: the entries that are not -1 (ignored). */
  static long idTokens(DataSet ds) {
    INDArray labels = ds.getLabels();
    // One comparison pass over B*T ids: negligible next to the forward pass over the same batch.
    return labels.length() - labels.lt(0).castTo(org.nd4j.linalg.api.buffer.DataType.LONG).sumNumber().longValue();
  }

  private static INDArray[] wrap(INDArray a) {
    return a == null ? null : new INDArray[] {a};
  }
}
