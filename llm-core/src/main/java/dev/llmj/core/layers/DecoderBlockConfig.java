package dev.llmj.core.layers;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One pre-norm transformer decoder block: {@code x + attn(norm1(x))}, then {@code x + mlp(norm2(x))}.
 * In and out: (B, T, C). Attention is causal multi-head with {@code nKvHeads} key/value heads
 * (grouped-query when fewer than {@code nHeads}), a head size D that defaults to C/H, optional
 * rotary positions (with optional {@link RopeScaling}), an optional per-head norm of queries and keys
 * before the rotation, and an optional sliding window (query i attends keys i - W &lt; j &lt;= i).
 *
 * <p>Parameters, weights stored (in, out) so the forward pass is {@code x W} without transposes:
 * {@code norm1gain [norm1bias] wq (C, H*D) [bq] wk (C, Hkv*D) [bk] wv (C, Hkv*D) [bv] [qnormgain (D)
 * knormgain (D)] wo (H*D, C) [bo] norm2gain [norm2bias] [wgate (C, F)] wup (C, F) [bup] wdown (F, C)
 * [bdown]}. Biases are on every projection ({@code bias}) or on q, k and v only ({@code qkvBias}).
 *
 * <pre>{@code
 * DecoderBlockConfig block = new DecoderBlockConfig();
 * block.setDModel(768); block.setNHeads(12); block.setNKvHeads(12); block.setFfnHidden(3072);
 * }</pre>
 */
public final class DecoderBlockConfig extends TransformerLayer {

  private int nHeads;
  private int nKvHeads;
  private int ffnHidden;
  private NormKind norm = NormKind.LAYER_NORM;
  private double normEps = 1e-5;
  private MlpKind mlp = MlpKind.GELU;
  private boolean bias = true;
  private boolean qkvBias;
  private boolean qkNorm;
  private int headDim; // 0: dModel / nHeads
  private double ropeTheta; // 0: no rotary positions
  // rope scaling as plain bean properties, for DL4J's JSON of the graph configuration
  private RopeScaling.Type ropeScalingType = RopeScaling.Type.NONE;
  private double ropeScalingFactor = 1;
  private double ropeLowFreqFactor;
  private double ropeHighFreqFactor;
  private int ropeOriginalContext;
  private int window; // 0: every earlier position; W: query i attends keys i - W < j <= i
  private double dropout;
  private double residualStd = 0.02;
  private boolean recompute;

  public DecoderBlockConfig() {}

  @Override
  void validate() {
    int c = getDModel();
    require(c > 0, "dModel must be positive, got " + c);
    require(headDim >= 0, "headDim must be 0 (dModel / nHeads) or positive, got " + headDim);
    require(nHeads > 0 && (headDim > 0 || c % nHeads == 0),
        "dModel " + c + " must be a multiple of nHeads " + nHeads + ", or set headDim");
    require(nKvHeads > 0 && nHeads % nKvHeads == 0,
        "nHeads " + nHeads + " must be a multiple of nKvHeads " + nKvHeads + " (use nKvHeads = nHeads for plain attention)");
    require(ffnHidden > 0, "ffnHidden must be positive, got " + ffnHidden);
    require(ropeTheta == 0 || ropeTheta > 1 && headSize() % 2 == 0,
        "rotary positions need ropeTheta > 1 (got " + ropeTheta + ") and an even head size (got " + headSize() + ")");
    ropeScaling(); // validates
    require(ropeTheta > 0 || ropeScalingType == RopeScaling.Type.NONE,
        "rope scaling " + ropeScalingType + " needs rotary positions (ropeTheta > 0)");
    require(dropout >= 0 && dropout < 1, "dropout must be in [0, 1), got " + dropout);
    require(window >= 0, "window must be 0 (unlimited) or a number of keys >= 1, got " + window);
  }

  /** D: {@code headDim}, or dModel / nHeads when that is 0. */
  int headSize() {
    return headDim > 0 ? headDim : getDModel() / nHeads;
  }

  /** Whether projection {@code name} ("q", "k", "v", "o", "up", "down") has a bias. */
  boolean hasBias(String name) {
    return bias || qkvBias && (name.equals("q") || name.equals("k") || name.equals("v"));
  }

  /** The rope scaling of the bean properties. */
  public RopeScaling ropeScaling() {
    try {
      return new RopeScaling(ropeScalingType, ropeScalingFactor, ropeLowFreqFactor, ropeHighFreqFactor,
          ropeOriginalContext);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(getClass().getSimpleName() + " '" + getLayerName() + "': " + e.getMessage(), e);
    }
  }

  /** Sets the rope scaling's bean properties. */
  public void useRopeScaling(RopeScaling r) {
    ropeScalingType = r.type();
    ropeScalingFactor = r.factor();
    ropeLowFreqFactor = r.lowFreqFactor();
    ropeHighFreqFactor = r.highFreqFactor();
    ropeOriginalContext = r.originalContext();
  }

  @Override
  List<ParamSpec> paramSpecs() {
    long c = getDModel(), d = headSize(), q = (long) nHeads * d, kv = (long) nKvHeads * d, f = ffnHidden;
    double std = getInitStd();
    List<ParamSpec> p = new ArrayList<>();
    Norm.addParams(p, "norm1", norm, c);
    addLinear(p, "q", std, c, q);
    addLinear(p, "k", std, c, kv);
    addLinear(p, "v", std, c, kv);
    if (qkNorm) {
      Norm.addParams(p, "qnorm", norm, d);
      Norm.addParams(p, "knorm", norm, d);
    }
    addLinear(p, "o", residualStd, q, c);
    Norm.addParams(p, "norm2", norm, c);
    if (mlp.gated()) {
      p.add(ParamSpec.matrix("wgate", std, c, f));
    }
    addLinear(p, "up", std, c, f);
    addLinear(p, "down", residualStd, f, c);
    return p;
  }

  private void addLinear(List<ParamSpec> p, String name, double std, long in, long out) {
    p.add(ParamSpec.matrix("w" + name, std, in, out));
    if (hasBias(name)) {
      p.add(ParamSpec.bias("b" + name, out));
    }
  }

  @Override
  public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
      Collection<TrainingListener> listeners, int index, INDArray view, boolean initialize, DataType dataType) {
    return wire(new DecoderBlockLayer(conf, dataType), conf, listeners, index, view, initialize);
  }

  public int getNHeads() {
    return nHeads;
  }

  public void setNHeads(int nHeads) {
    this.nHeads = nHeads;
  }

  public int getNKvHeads() {
    return nKvHeads;
  }

  public void setNKvHeads(int nKvHeads) {
    this.nKvHeads = nKvHeads;
  }

  public int getFfnHidden() {
    return ffnHidden;
  }

  public void setFfnHidden(int ffnHidden) {
    this.ffnHidden = ffnHidden;
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

  public MlpKind getMlp() {
    return mlp;
  }

  public void setMlp(MlpKind mlp) {
    this.mlp = mlp;
  }

  public boolean isBias() {
    return bias;
  }

  public void setBias(boolean bias) {
    this.bias = bias;
  }

  public boolean isQkvBias() {
    return qkvBias;
  }

  public void setQkvBias(boolean qkvBias) {
    this.qkvBias = qkvBias;
  }

  public boolean isQkNorm() {
    return qkNorm;
  }

  public void setQkNorm(boolean qkNorm) {
    this.qkNorm = qkNorm;
  }

  public int getHeadDim() {
    return headDim;
  }

  public void setHeadDim(int headDim) {
    this.headDim = headDim;
  }

  public RopeScaling.Type getRopeScalingType() {
    return ropeScalingType;
  }

  public void setRopeScalingType(RopeScaling.Type ropeScalingType) {
    this.ropeScalingType = ropeScalingType;
  }

  public double getRopeScalingFactor() {
    return ropeScalingFactor;
  }

  public void setRopeScalingFactor(double ropeScalingFactor) {
    this.ropeScalingFactor = ropeScalingFactor;
  }

  public double getRopeLowFreqFactor() {
    return ropeLowFreqFactor;
  }

  public void setRopeLowFreqFactor(double ropeLowFreqFactor) {
    this.ropeLowFreqFactor = ropeLowFreqFactor;
  }

  public double getRopeHighFreqFactor() {
    return ropeHighFreqFactor;
  }

  public void setRopeHighFreqFactor(double ropeHighFreqFactor) {
    this.ropeHighFreqFactor = ropeHighFreqFactor;
  }

  public int getRopeOriginalContext() {
    return ropeOriginalContext;
  }

  public void setRopeOriginalContext(int ropeOriginalContext) {
    this.ropeOriginalContext = ropeOriginalContext;
  }

  public double getRopeTheta() {
    return ropeTheta;
  }

  public void setRopeTheta(double ropeTheta) {
    this.ropeTheta = ropeTheta;
  }

  /** The sliding attention window in keys, the query's own included; 0 for unlimited. */
  public int getWindow() {
    return window;
  }

  public void setWindow(int window) {
    this.window = window;
  }

  public double getDropout() {
    return dropout;
  }

  public void setDropout(double dropout) {
    this.dropout = dropout;
  }

  public double getResidualStd() {
    return residualStd;
  }

  public void setResidualStd(double residualStd) {
    this.residualStd = residualStd;
  }

  /**
   * Whether training forgets the block's intermediates after its forward pass and computes them again
   * in backward (activation recomputation): one more forward per block, in exchange for keeping only
   * the block's input between the passes. Gradients are bitwise those of the stored path.
   */
  public boolean isRecompute() {
    return recompute;
  }

  public void setRecompute(boolean recompute) {
    this.recompute = recompute;
  }

  /** Sets {@link #setRecompute} on every decoder block of a built graph; returns how many it set. */
  public static int setRecompute(org.deeplearning4j.nn.graph.ComputationGraph graph, boolean recompute) {
    int blocks = 0;
    for (org.deeplearning4j.nn.api.Layer layer : graph.getLayers()) {
      if (layer.conf().getLayer() instanceof DecoderBlockConfig b) {
        b.setRecompute(recompute);
        blocks++;
      }
    }
    return blocks;
  }
}
