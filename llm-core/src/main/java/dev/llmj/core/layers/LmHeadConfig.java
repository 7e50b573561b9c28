package dev.llmj.core.layers;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Output head: final norm, projection to the vocabulary, and softmax cross-entropy against integer
 * labels (B, T). In: (B, T, C). Out: logits (B, T, V), not probabilities, since sampling and
 * scoring both want logits. The loss is the mean over tokens whose label is not {@code ignoreIndex}.
 *
 * <p>Parameters: {@code normfgain [normfbias]}, and {@code wout} (C, V) unless {@code tiedTo} names the
 * embedding vertex whose {@code wte} (V, C) doubles as the projection; see {@link TiedHeadVertex}.
 */
public final class LmHeadConfig extends TransformerLayer {

  /** Marks "no ignore index" inside {@link Ops#ids}; never a valid label. */
  static final int IGNORE_NONE = Integer.MIN_VALUE;

  private int vocabSize;
  private NormKind norm = NormKind.LAYER_NORM;
  private double normEps = 1e-5;
  private String tiedTo;
  private int ignoreIndex = -1;
  private int chunkRows; // 0: as many rows as fit in DEFAULT_CHUNK_FLOATS logits

  /**
   * Logits (and their gradients) the loss holds at once by default, in floats: 2^24 (64 MiB), so that a
   * 151,936-token vocabulary takes 110 rows at a time rather than a (B*T, V) matrix.
   */
  static final long DEFAULT_CHUNK_FLOATS = 1L << 24;

  public LmHeadConfig() {}

  @Override
  void validate() {
    require(vocabSize > 0, "vocabSize must be positive, got " + vocabSize);
    require(getDModel() > 0, "dModel must be positive, got " + getDModel());
    require(ignoreIndex < 0, "ignoreIndex must be negative so it cannot collide with a token id, got " + ignoreIndex);
    require(chunkRows >= 0, "chunkRows must be >= 0 (0: automatic), got " + chunkRows);
  }

  /** Rows of (B*T, V) logits the loss computes at once, out of {@code n}. */
  int chunkRows(long n) {
    long rows = chunkRows > 0 ? chunkRows : Math.max(1, DEFAULT_CHUNK_FLOATS / vocabSize);
    return (int) Math.min(n, rows);
  }

  @Override
  List<ParamSpec> paramSpecs() {
    List<ParamSpec> p = new ArrayList<>();
    Norm.addParams(p, "normf", norm, getDModel());
    if (tiedTo == null) {
      p.add(ParamSpec.matrix("wout", getInitStd(), getDModel(), vocabSize));
    }
    return p;
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    return InputType.recurrent(vocabSize, org.deeplearning4j.nn.conf.RNNFormat.NWC);
  }

  @Override
  public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
      Collection<TrainingListener> listeners, int index, INDArray view, boolean initialize, DataType dataType) {
    return wire(new LmHeadLayer(conf, dataType), conf, listeners, index, view, initialize);
  }

  public int getVocabSize() {
    return vocabSize;
  }

  public void setVocabSize(int vocabSize) {
    this.vocabSize = vocabSize;
  }

  public NormKind getNorm() {
    return norm;
  }

  public void setNorm(NormKind norm) {
    this.norm = norm;
  }

  public double getNormEps() {
    return normEps;
  }

  public void setNormEps(double normEps) {
    this.normEps = normEps;
  }

  /** Name of the embedding vertex whose token table is shared, or null for an own projection. */
  public String getTiedTo() {
    return tiedTo;
  }

  public void setTiedTo(String tiedTo) {
    this.tiedTo = tiedTo;
  }

  public int getIgnoreIndex() {
    return ignoreIndex;
  }

  public void setIgnoreIndex(int ignoreIndex) {
    this.ignoreIndex = ignoreIndex;
  }

  /**
   * Rows of logits the training loss and its gradient compute at once; 0 (default) picks them so that a
   * chunk holds at most 2^24 floats. The (B*T, V) logits matrix of a large vocabulary is never whole.
   */
  public int getChunkRows() {
    return chunkRows;
  }

  public void setChunkRows(int chunkRows) {
    this.chunkRows = chunkRows;
  }
}
