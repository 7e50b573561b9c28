package dev.llmj.core.train;

import java.util.Map;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

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
 * <p>Two gradient conventions meet here. DL4J's own layers produce sums over the examples and let the
 * updater divide by the example count ({@code updaterDivideByMinibatch} true); llmj's transformer layers
 * produce the gradient of the per-token mean loss and switch that division off. After summing the
 * micro-batches, each parameter's gradient is turned into the gradient of the whole step's mean loss:
 * divided by the example count for the first kind, by the micro-batch count for the second. The updater
 * is then called with a batch size of 1, so it divides nothing, and the global norm and clipping see the
 * true gradient of both kinds alike. Layers that update parameters from statistics instead of gradients
 * (BatchNormalization's running mean) are not supported.
 */
final class StepEngine {

  /** What one step measured. {@code gradNorm} is the global norm before clipping. */
  record Result(double loss, double gradNorm, long tokens, long examples, boolean finite) {}

  private final ComputationGraph graph;
  private final double clip;
  private final ToLongFunction<DataSet> tokenCounter;
  private INDArray accumulator; // (1, P), only when accumulating over more than one micro-batch
  private final INDArray meanConvention; // (1, P): 1 where the layer's gradient is already a mean, else 0
  private final boolean anyMean;
  private final boolean anySum;

  StepEngine(ComputationGraph graph, double clip, ToLongFunction<DataSet> tokenCounter) {
    this.graph = graph;
    this.clip = clip;
    this.tokenCounter = tokenCounter;
    if (graph.getFlattenedGradients() == null) {
      graph.initGradientsView();
    }
    this.meanConvention = meanConventionMask(graph);
    double ones = meanConvention.sumNumber().doubleValue();
    this.anyMean = ones > 0;
    this.anySum = ones < meanConvention.length();
  }

  /**
   * Marks the entries of the flattened gradient whose layer does not want the updater to divide by the
   * batch size. Each parameter's gradient view is located by its offset into the flattened gradient.
   */
  private static INDArray meanConventionMask(ComputationGraph graph) {
    INDArray flat = graph.getFlattenedGradients();
    INDArray mask = Nd4j.zeros(flat.dataType(), 1, flat.length());
    for (org.deeplearning4j.nn.api.Layer layer : graph.getLayers()) {
      INDArray view = layer.getGradientsViewArray();
      if (layer.numParams() == 0 || view == null) {
        continue;
      }
      Map<String, INDArray> perParam = layer.conf().getLayer().initializer()
          .getGradientsFromFlattened(layer.conf(), view);
      for (Map.Entry<String, INDArray> e : perParam.entrySet()) {
        if (!layer.updaterDivideByMinibatch(e.getKey())) {
          long start = e.getValue().offset() - flat.offset();
          mask.get(NDArrayIndex.point(0), NDArrayIndex.interval(start, start + e.getValue().length())).assign(1);
        }
      }
    }
    return mask;
  }

  /** Forward/backward over {@code microBatches} batches and sum their gradients into the gradient view. */
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
    toMeanGradient(grad, examples, microBatches);
    // DL4J adds the weight-decay "score" 0.5*wd*|w|^2 to the loss; report the data loss only.
    double loss = lossSum / examples - graph.calcRegularizationScore(true);
    double norm = grad.norm2Number().doubleValue();
    return new Result(loss, norm, tokens, examples, Double.isFinite(loss) && Double.isFinite(norm));
  }

  /** Sum-convention entries divided by {@code examples}, mean-convention entries by {@code microBatches}. */
  private void toMeanGradient(INDArray grad, long examples, int microBatches) {
    INDArray g = grad.reshape(1, grad.length());
    if (!anyMean) {
      g.divi(examples);
    } else if (!anySum) {
      if (microBatches > 1) {
        g.divi(microBatches);
      }
    } else {
      // scale = 1/examples + mask * (1/microBatches - 1/examples)
      INDArray scale = meanConvention.mul(1.0 / microBatches - 1.0 / examples).addi(1.0 / examples);
      g.muli(scale);
    }
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
    // The gradient is already the step's mean (see toMeanGradient): batch size 1, nothing divided.
    graph.getUpdater().update(graph.gradient(), iteration, epoch, 1, LayerWorkspaceMgr.noWorkspaces());
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
   * (B, V, T) labels, else examples.
   */
  static long defaultTokens(DataSet ds) {
    INDArray labels = ds.getLabels();
    if (ds.getLabelsMaskArray() != null) {
      return Math.round(ds.getLabelsMaskArray().sumNumber().doubleValue());
    }
    return labels.rank() == 3 ? labels.size(0) * labels.size(2) : labels.size(0);
  }

  private static INDArray[] wrap(INDArray a) {
    return a == null ? null : new INDArray[] {a};
  }
}
