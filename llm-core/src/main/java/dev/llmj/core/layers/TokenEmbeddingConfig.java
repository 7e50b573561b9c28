package dev.llmj.core.layers;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Token embedding with optional learned positions. In: token ids (B, T), any numeric type holding
 * integers. Out: (B, T, C). Parameters: {@code wte} (V, C) and, with learned positions,
 * {@code wpe} (contextLength, C). The token rows are multiplied by {@code scale} (Gemma: sqrt(C);
 * a tied output head reads the table unscaled).
 *
 * <pre>{@code
 * TokenEmbeddingConfig embed = TokenEmbeddingConfig.of(50257, 768, 1024, true, 0.0);
 * }</pre>
 */
public final class TokenEmbeddingConfig extends TransformerLayer {

  private int vocabSize;
  private int contextLength;
  private boolean learnedPositions;
  private double dropout;
  private double scale = 1;

  public TokenEmbeddingConfig() {}

  public static TokenEmbeddingConfig of(int vocabSize, int dModel, int contextLength, boolean learnedPositions, double dropout) {
    TokenEmbeddingConfig e = new TokenEmbeddingConfig();
    e.vocabSize = vocabSize;
    e.setDModel(dModel);
    e.contextLength = contextLength;
    e.learnedPositions = learnedPositions;
    e.dropout = dropout;
    e.validate();
    return e;
  }

  @Override
  void validate() {
    require(vocabSize > 0, "vocabSize must be positive, got " + vocabSize);
    require(getDModel() > 0, "dModel must be positive, got " + getDModel());
    require(contextLength > 0, "contextLength must be positive, got " + contextLength);
    require(dropout >= 0 && dropout < 1, "dropout must be in [0, 1), got " + dropout);
    require(scale > 0 && Double.isFinite(scale), "embedding scale must be positive, got " + scale);
  }

  @Override
  List<ParamSpec> paramSpecs() {
    List<ParamSpec> specs = new ArrayList<>();
    specs.add(ParamSpec.matrix("wte", getInitStd(), vocabSize, getDModel()));
    if (learnedPositions) {
      // GPT-2 draws positions with std 0.01, half the token table's.
      specs.add(ParamSpec.matrix("wpe", getInitStd() / 2, contextLength, getDModel()));
    }
    return specs;
  }

  @Override
  public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
      Collection<TrainingListener> listeners, int index, INDArray view, boolean initialize, DataType dataType) {
    return wire(new TokenEmbeddingLayer(conf, dataType), conf, listeners, index, view, initialize);
  }

  public int getVocabSize() {
    return vocabSize;
  }

  public void setVocabSize(int vocabSize) {
    this.vocabSize = vocabSize;
  }

  public int getContextLength() {
    return contextLength;
  }

  public void setContextLength(int contextLength) {
    this.contextLength = contextLength;
  }

  public boolean isLearnedPositions() {
    return learnedPositions;
  }

  public void setLearnedPositions(boolean learnedPositions) {
    this.learnedPositions = learnedPositions;
  }

  public double getScale() {
    return scale;
  }

  public void setScale(double scale) {
    this.scale = scale;
  }

  public double getDropout() {
    return dropout;
  }

  public void setDropout(double dropout) {
    this.dropout = dropout;
  }
}
