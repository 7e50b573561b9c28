package dev.llmj.core.layers;

import java.util.List;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Forward, loss and backward of {@link LmHeadConfig}. */
final class LmHeadLayer extends MeanLossLayer<LmHeadConfig> implements IOutputLayer {

  private INDArray labels;
  private ComputationGraph graph;
  // The loss computed during backprop, reused by computeScore when input and labels are the same arrays.
  private double lastLoss;
  private INDArray lastLossInput;
  private INDArray lastLossLabels;

  LmHeadLayer(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  void bindGraph(ComputationGraph graph) {
    this.graph = graph;
  }

  /** The embedding whose table this head shares, or null when untied. */
  private TokenEmbeddingLayer tiedEmbedding() {
    String name = layerConf().getTiedTo();
    if (name == null) {
      return null;
    }
    if (graph == null) {
      throw new IllegalStateException("output head " + layerId() + " is tied to '" + name
          + "' but not bound to a graph; add it to the graph as a TiedHeadVertex");
    }
    if (!(graph.getLayer(name) instanceof TokenEmbeddingLayer e)) {
      throw new IllegalStateException("output head " + layerId() + " is tied to '" + name
          + "', which is not a TokenEmbeddingConfig layer of this graph");
    }
    return e;
  }

  /** Final norm and projection: logits (N, V) of x (B, T, C); the norm state goes to {@code save}. */
  INDArray logits(INDArray x3, Norm.Saved[] save, INDArray[] normed) {
    LmHeadConfig cfg = layerConf();
    long n = x3.size(0) * x3.size(1);
    INDArray x = x3.dup('c').reshape(n, cfg.getDModel());
    INDArray h = Norm.forward(x, cfg.getNorm(), cfg.getNormEps(), getParam("normfgain"), params.get("normfbias"), save);
    if (normed != null) {
      normed[0] = h;
    }
    TokenEmbeddingLayer tied = tiedEmbedding();
    return tied != null ? Ops.mm(h, false, tied.getParam("wte"), true) : Ops.mm(h, false, getParam("wout"), false);
  }

  @Override
  public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
    assertInputSet(false);
    INDArray logits = logits(input, null, null).reshape(input.size(0), input.size(1), layerConf().getVocabSize());
    return mgr.leverageTo(ArrayType.ACTIVATIONS, logits);
  }

  /** Softmax and cross-entropy of logits (N, V) against labels; returns {probabilities, per-row loss}. */
  private INDArray[] softmaxLoss(INDArray logits, int[] y) {
    long n = logits.size(0);
    INDArray max = logits.max(1).reshape(n, 1);
    INDArray p = logits.subColumnVector(max);
    Transforms.exp(p, false);
    INDArray sum = p.sum(1).reshape(n, 1);
    INDArray lse = Transforms.log(sum, true).addi(max);
    p.diviColumnVector(sum);
    INDArray rowLoss = Nd4j.zeros(DataType.DOUBLE, n);
    for (int i = 0; i < n; i++) {
      if (y[i] >= 0) {
        rowLoss.putScalar(i, lse.getDouble(i, 0) - logits.getDouble(i, y[i]));
      }
    }
    return new INDArray[] {p, rowLoss};
  }

  /** The cross-entropy of each row of logits (N, V); 0 for ignored rows. Overwrites float logits. */
  private double[] rowLosses(INDArray logits, int[] y) {
    if (FusedFloatOps.eligible(logits)) {
      return FusedFloatOps.softmaxCrossEntropy(logits, y, 0f, false);
    }
    return softmaxLoss(logits, y)[1].toDoubleVector();
  }

  private int[] labelIds() {
    if (labels == null) {
      throw new IllegalStateException("output head " + layerId() + " has no labels; set (B, T) integer labels");
    }
    if (labels.rank() != 2 || labels.size(0) != input.size(0) || labels.size(1) != input.size(1)) {
      throw new IllegalArgumentException("labels must be (B, T) = (" + input.size(0) + ", " + input.size(1)
          + ") token ids, got shape " + java.util.Arrays.toString(labels.shape()));
    }
    return Ops.ids(labels, layerConf().getVocabSize(), layerConf().getIgnoreIndex(), "label");
  }

  private static int counted(int[] y) {
    int c = 0;
    for (int v : y) {
      c += v >= 0 ? 1 : 0;
    }
    return c;
  }

  @Override
  public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
    assertInputSet(true);
    LmHeadConfig cfg = layerConf();
    int[] y = labelIds();
    Norm.Saved[] ns = new Norm.Saved[1];
    INDArray[] normed = new INDArray[1];
    INDArray logits = logits(input, ns, normed);
    INDArray h = normed[0];
    int count = counted(y);
    // softmax - onehot, over counted rows, divided by their number
    INDArray dLogits;
    double lossSum;
    if (FusedFloatOps.eligible(logits)) {
      double[] rowLoss = FusedFloatOps.softmaxCrossEntropy(logits, y, count == 0 ? 0f : 1f / count, true);
      dLogits = logits;
      lossSum = java.util.Arrays.stream(rowLoss).sum();
    } else {
      INDArray[] pl = softmaxLoss(logits, y);
      dLogits = pl[0];
      double[] rowScale = new double[y.length];
      for (int i = 0; i < y.length; i++) {
        if (y[i] >= 0) {
          dLogits.putScalar(i, y[i], dLogits.getDouble(i, y[i]) - 1);
          rowScale[i] = 1.0 / count;
        }
      }
      dLogits.muliColumnVector(Nd4j.create(rowScale, new long[] {y.length, 1}, dLogits.dataType()));
      lossSum = pl[1].sumNumber().doubleValue();
    }

    TokenEmbeddingLayer tied = tiedEmbedding();
    INDArray dh;
    if (tied != null) {
      Ops.gemm(true, false, dLogits, h, 0, tied.wteGradient());
      tied.headWroteWteGradient();
      dh = Ops.mm(dLogits, false, tied.getParam("wte"), false);
    } else {
      Ops.gemm(true, false, h, dLogits, 0, gradientViews.get("wout"));
      dh = Ops.mm(dLogits, false, getParam("wout"), true);
    }
    INDArray dx = Norm.backward(dh, ns[0], cfg.getNorm(), getParam("normfgain"), gradientViews.get("normfgain"),
        gradientViews.get("normfbias"));
    lastLoss = count == 0 ? 0 : lossSum / count;
    lastLossInput = input;
    lastLossLabels = labels;
    Gradient grad = new DefaultGradient();
    gradientViews.forEach(grad.gradientForVariable()::put);
    INDArray dx3 = dx.reshape(input.size(0), input.size(1), cfg.getDModel());
    return new Pair<>(grad, mgr.leverageTo(ArrayType.ACTIVATION_GRAD, dx3));
  }

  @Override
  public double computeScore(double fullNetRegTerm, boolean training, LayerWorkspaceMgr mgr) {
    if (lastLossInput != input || lastLossLabels != labels) {
      int[] y = labelIds();
      int count = counted(y);
      double lossSum = java.util.Arrays.stream(rowLosses(logits(input, null, null), y)).sum();
      lastLoss = count == 0 ? 0 : lossSum / count;
      lastLossInput = input;
      lastLossLabels = labels;
    }
    score = lastLoss + fullNetRegTerm;
    return score;
  }

  /** Mean loss of each sequence over its counted tokens: (B, 1). */
  @Override
  public INDArray computeScoreForExamples(double fullNetRegTerm, LayerWorkspaceMgr mgr) {
    int[] y = labelIds();
    double[] rowLoss = rowLosses(logits(input, null, null), y);
    long b = input.size(0), t = input.size(1);
    INDArray out = Nd4j.create(dataType, b, 1);
    for (int i = 0; i < b; i++) {
      double sum = 0;
      int count = 0;
      for (int j = 0; j < t; j++) {
        int at = (int) (i * t + j);
        if (y[at] >= 0) {
          sum += rowLoss[at];
          count++;
        }
      }
      out.putScalar(i, 0, (count == 0 ? 0 : sum / count) + fullNetRegTerm);
    }
    return mgr.leverageTo(ArrayType.ACTIVATIONS, out);
  }

  @Override
  public boolean needsLabels() {
    return true;
  }

  @Override
  public void setLabels(INDArray labels) {
    this.labels = labels;
  }

  @Override
  public INDArray getLabels() {
    return labels;
  }

  @Override
  public void clear() {
    super.clear();
    labels = null;
    lastLossInput = null;
    lastLossLabels = null;
  }


  @Override
  public int numLabels() {
    return layerConf().getVocabSize();
  }

  private UnsupportedOperationException unsupported(String what) {
    return new UnsupportedOperationException(what + " is not defined for a language-model head; train the "
        + "ComputationGraph and read logits from output()");
  }

  @Override
  public double f1Score(org.nd4j.linalg.dataset.api.DataSet data) {
    throw unsupported("f1Score");
  }

  @Override
  public double f1Score(INDArray examples, INDArray labels) {
    throw unsupported("f1Score");
  }

  @Override
  public void fit(DataSetIterator iter) {
    throw unsupported("fit on the head alone");
  }

  @Override
  public int[] predict(INDArray examples) {
    throw unsupported("predict");
  }

  @Override
  public List<String> predict(org.nd4j.linalg.dataset.api.DataSet dataSet) {
    throw unsupported("predict");
  }

  @Override
  public void fit(INDArray examples, INDArray labels) {
    throw unsupported("fit on the head alone");
  }

  @Override
  public void fit(DataSet data) {
    throw unsupported("fit on the head alone");
  }

  @Override
  public void fit(INDArray examples, int[] labels) {
    throw unsupported("fit on the head alone");
  }
}
