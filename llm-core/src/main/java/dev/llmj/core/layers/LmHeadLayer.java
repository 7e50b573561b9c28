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
import org.nd4j.linalg.indexing.NDArrayIndex;
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

  /** Final norm and projection: logits (N, V) of x (B, T, C). */
  INDArray logits(INDArray x3) {
    return project(normed(x3, null));
  }

  /** The final norm of x (B, T, C) as (N, C); the norm state goes to {@code save}. */
  private INDArray normed(INDArray x3, Norm.Saved[] save) {
    LmHeadConfig cfg = layerConf();
    INDArray x = x3.dup('c').reshape(x3.size(0) * x3.size(1), cfg.getDModel());
    return Norm.forward(x, cfg.getNorm(), cfg.getNormEps(), getParam("normfgain"), params.get("normfbias"), save);
  }

  /** Logits (rows, V) of normed rows h (rows, C). */
  private INDArray project(INDArray h) {
    TokenEmbeddingLayer tied = tiedEmbedding();
    return tied != null ? Ops.mm(h, false, tied.getParam("wte"), true) : Ops.mm(h, false, getParam("wout"), false);
  }

  /**
   * The cross-entropy of each row of normed h (N, C), computing the logits {@link LmHeadConfig#chunkRows}
   * rows at a time. With {@code dh} (N, C), also the gradients of the mean loss over {@code count} rows:
   * each chunk's logit gradient goes into the projection's gradient (added from the second chunk on)
   * and its rows of {@code dh} before the next chunk's logits exist, so no (N, V) matrix is ever whole.
   */
  private double[] chunkedLoss(INDArray h, int[] y, int count, INDArray dh) {
    long n = h.size(0);
    int rows = layerConf().chunkRows(n);
    TokenEmbeddingLayer tied = tiedEmbedding();
    INDArray w = tied != null ? tied.getParam("wte") : getParam("wout"); // (V, C) tied, else (C, V)
    INDArray dw = dh == null ? null : tied != null ? tied.wteGradient() : gradientViews.get("wout");
    double[] loss = new double[(int) n];
    for (long r0 = 0; r0 < n; r0 += rows) {
      long r1 = Math.min(n, r0 + rows);
      INDArray hc = rowsOf(h, r0, r1);
      int[] yc = r0 == 0 && r1 == n ? y : java.util.Arrays.copyOfRange(y, (int) r0, (int) r1);
      INDArray logits = project(hc);
      double[] rowLoss;
      if (dh == null) {
        rowLoss = rowLosses(logits, yc);
      } else {
        rowLoss = new double[yc.length];
        INDArray dLogits = lossGradient(logits, yc, count, rowLoss);
        double beta = r0 == 0 ? 0 : 1;
        if (tied != null) {
          Ops.gemm(true, false, dLogits, hc, beta, dw);
          Ops.gemm(false, false, dLogits, w, 0, rowsOf(dh, r0, r1));
        } else {
          Ops.gemm(true, false, hc, dLogits, beta, dw);
          Ops.gemm(false, true, dLogits, w, 0, rowsOf(dh, r0, r1));
        }
      }
      System.arraycopy(rowLoss, 0, loss, (int) r0, rowLoss.length);
    }
    if (dh != null && tied != null) {
      tied.headWroteWteGradient();
    }
    return loss;
  }

  /** Rows [r0, r1) of a c-order matrix: the matrix itself when that is all of it, else a view. */
  private static INDArray rowsOf(INDArray x, long r0, long r1) {
    return r0 == 0 && r1 == x.size(0) ? x : x.get(NDArrayIndex.interval(r0, r1), NDArrayIndex.all());
  }

  @Override
  public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
    assertInputSet(false);
    INDArray logits = logits(input).reshape(input.size(0), input.size(1), layerConf().getVocabSize());
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

  /**
   * {@code (softmax - onehot) / count} of logits (rows, V) over the labelled rows, 0 on ignored ones;
   * fills each row's loss. Float logits are overwritten by the gradient, which is returned.
   */
  private INDArray lossGradient(INDArray logits, int[] y, int count, double[] rowLoss) {
    if (FusedFloatOps.eligible(logits)) {
      double[] l = FusedFloatOps.softmaxCrossEntropy(logits, y, count == 0 ? 0f : 1f / count, true);
      System.arraycopy(l, 0, rowLoss, 0, l.length);
      return logits;
    }
    INDArray[] pl = softmaxLoss(logits, y);
    INDArray dLogits = pl[0];
    double[] rowScale = new double[y.length];
    for (int i = 0; i < y.length; i++) {
      if (y[i] >= 0) {
        dLogits.putScalar(i, y[i], dLogits.getDouble(i, y[i]) - 1);
        rowScale[i] = 1.0 / count;
      }
    }
    dLogits.muliColumnVector(Nd4j.create(rowScale, new long[] {y.length, 1}, dLogits.dataType()));
    double[] l = pl[1].toDoubleVector();
    System.arraycopy(l, 0, rowLoss, 0, l.length);
    return dLogits;
  }

  @Override
  public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
    assertInputSet(true);
    LmHeadConfig cfg = layerConf();
    int[] y = labelIds();
    Norm.Saved[] ns = new Norm.Saved[1];
    INDArray h = normed(input, ns);
    int count = counted(y);
    INDArray dh = Nd4j.create(h.dataType(), h.shape(), 'c');
    double lossSum = java.util.Arrays.stream(chunkedLoss(h, y, count, dh)).sum();
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
      double lossSum = java.util.Arrays.stream(chunkedLoss(normed(input, null), y, count, null)).sum();
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
    double[] rowLoss = chunkedLoss(normed(input, null), y, counted(y), null);
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
