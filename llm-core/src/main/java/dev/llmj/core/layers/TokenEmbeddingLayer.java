package dev.llmj.core.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Forward and backward of {@link TokenEmbeddingConfig}. */
final class TokenEmbeddingLayer extends MeanLossLayer<TokenEmbeddingConfig> {

  private int[] ids; // of the last training forward, for the scatter in backward
  private INDArray dropMask;
  /** Set by a tied output head once it has written its share of the wte gradient for this step. */
  private boolean headWroteWteGradient;

  TokenEmbeddingLayer(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  @Override
  public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
    assertInputSet(false);
    if (input.rank() != 2) {
      throw new IllegalArgumentException("token ids must be (B, T), got shape " + java.util.Arrays.toString(input.shape()));
    }
    int[] tokens = Ops.ids(input, layerConf().getVocabSize(), Integer.MIN_VALUE, "token id");
    INDArray x = embed(tokens, input.size(0), input.size(1), 0);
    INDArray mask = Ops.dropoutMask(layerConf().getDropout(), x, training);
    if (mask != null) {
      x.muli(mask);
    }
    if (training) {
      ids = tokens;
      dropMask = Ops.keep(mgr, mask);
    }
    return mgr.leverageTo(ArrayType.ACTIVATIONS, x);
  }

  /** Embeddings (B, T, C) of {@code tokens} (B*T, row-major) at positions {@code start ..}. */
  INDArray embed(int[] tokens, long b, long t, long start) {
    TokenEmbeddingConfig cfg = layerConf();
    if (cfg.isLearnedPositions() && start + t > cfg.getContextLength()) {
      throw new IllegalArgumentException("cannot embed position " + (start + t - 1) + ": the learned position table has "
          + cfg.getContextLength() + " rows (contextLength); use shorter sequences");
    }
    long c = cfg.getDModel();
    INDArray x = Nd4j.pullRows(getParam("wte"), 1, tokens).reshape('c', b, t, c);
    if (cfg.getScale() != 1) {
      x.muli(cfg.getScale());
    }
    if (cfg.isLearnedPositions()) {
      INDArray pos = getParam("wpe").get(NDArrayIndex.interval(start, start + t), NDArrayIndex.all());
      x.reshape(b, t * c).addiRowVector(pos.reshape(1, t * c));
    }
    return x;
  }

  /** The gradient view of the token table, which a tied head writes into. */
  INDArray wteGradient() {
    if (gradientViews == null) {
      throw new IllegalStateException("layer " + layerId() + " has no gradient views; initialise the graph first");
    }
    return gradientViews.get("wte");
  }

  /** Called by the tied head after it assigned {@code dLoss/dwte} through the logits. */
  void headWroteWteGradient() {
    headWroteWteGradient = true;
  }

  @Override
  public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
    if (ids == null) {
      throw new IllegalStateException("backprop before a training forward pass in layer " + layerId());
    }
    long b = input.size(0), t = input.size(1), c = layerConf().getDModel();
    INDArray eps = epsilon.dup('c');
    if (dropMask != null) {
      eps.muli(dropMask);
    }
    INDArray rows = eps.reshape(b * t, c);
    if (layerConf().getScale() != 1) { // positions were added unscaled: scale only the token rows' share
      rows = rows.mul(layerConf().getScale());
    }
    INDArray dWte = gradientViews.get("wte");
    if (!headWroteWteGradient) {
      dWte.assign(0);
    }
    headWroteWteGradient = false;
    Ops.scatterAddRows(dWte, ids, rows);
    Gradient g = new DefaultGradient();
    g.gradientForVariable().put("wte", dWte);
    if (layerConf().isLearnedPositions()) {
      INDArray dWpe = gradientViews.get("wpe");
      dWpe.assign(0);
      dWpe.get(NDArrayIndex.interval(0, t), NDArrayIndex.all()).assign(eps.reshape(b, t * c).sum(0).reshape(t, c));
      g.gradientForVariable().put("wpe", dWpe);
    }
    return new Pair<>(g, null); // token ids have no gradient
  }

}
