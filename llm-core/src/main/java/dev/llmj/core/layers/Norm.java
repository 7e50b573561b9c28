package dev.llmj.core.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * LayerNorm and RMSNorm over the last axis of an (N, C) matrix. Forward keeps the normalised input
 * and the reciprocal standard deviation, which is all backward needs (as llm.c does). With
 * {@link NormKind#RMS_NORM_OFFSET} the stored weight w multiplies as {@code 1 + w}; its gradient is
 * the gain's.
 */
final class Norm {

  /** What forward saves: xhat (N, C) and rstd (N, 1). */
  record Saved(INDArray xhat, INDArray rstd) {}

  private Norm() {}

  /** The parameters of a norm called {@code name}: {@code {name}gain} and, for LayerNorm, {@code {name}bias}. */
  static void addParams(java.util.List<ParamSpec> p, String name, NormKind kind, long c) {
    // an offset gain starts at zero, which is the bias initialisation
    p.add(kind == NormKind.RMS_NORM_OFFSET ? ParamSpec.bias(name + "gain", c) : ParamSpec.gain(name + "gain", c));
    if (kind == NormKind.LAYER_NORM) {
      p.add(ParamSpec.bias(name + "bias", c));
    }
  }

  /** The gain that multiplies the normalised input: {@code w}, or {@code 1 + w} for the offset kind. */
  private static INDArray effective(INDArray gain, NormKind kind) {
    return kind == NormKind.RMS_NORM_OFFSET ? gain.add(1.0) : gain;
  }

  /** Returns {@code xhat * gain + bias}, and the saved state in {@code saved[0]}. */
  static INDArray forward(INDArray x, NormKind kind, double eps, INDArray weight, INDArray bias, Saved[] saved) {
    INDArray gain = effective(weight, kind);
    if (FusedFloatOps.eligible(x, gain, bias)) {
      return fusedForward(x, kind, eps, gain, bias, saved);
    }
    long n = x.size(0);
    INDArray centred = kind == NormKind.LAYER_NORM ? x.subColumnVector(x.mean(1).reshape(n, 1)) : x.dup();
    INDArray rstd = Transforms.pow(centred.mul(centred).mean(1).addi(eps), -0.5, false).reshape(n, 1);
    INDArray xhat = centred.muliColumnVector(rstd);
    if (saved != null) {
      saved[0] = new Saved(xhat, rstd);
    }
    INDArray y = xhat.mulRowVector(gain);
    return bias == null ? y : y.addiRowVector(bias);
  }

  /**
   * Writes the gain and bias gradients into their views and returns dx. With {@code g = dy * gain}:
   * LayerNorm {@code dx = rstd (g - mean(g) - xhat mean(g xhat))}; RMSNorm drops the {@code mean(g)}
   * term because nothing was subtracted.
   */
  static INDArray backward(INDArray dy, Saved s, NormKind kind, INDArray weight, INDArray dGain, INDArray dBias) {
    INDArray gain = effective(weight, kind);
    if (FusedFloatOps.eligible(dy, s.xhat(), s.rstd(), gain, dGain, dBias)) {
      return fusedBackward(dy, s, kind, gain, dGain, dBias);
    }
    long n = dy.size(0);
    dGain.assign(dy.mul(s.xhat()).sum(0));
    if (dBias != null) {
      dBias.assign(dy.sum(0));
    }
    INDArray g = dy.mulRowVector(gain);
    INDArray proj = g.mul(s.xhat()).mean(1).reshape(n, 1);
    INDArray dx = g.sub(s.xhat().mulColumnVector(proj));
    if (kind == NormKind.LAYER_NORM) {
      dx.subiColumnVector(g.mean(1).reshape(n, 1));
    }
    return dx.muliColumnVector(s.rstd());
  }

  private static INDArray fusedForward(INDArray x, NormKind kind, double eps, INDArray gain, INDArray bias,
      Saved[] saved) {
    int n = (int) x.size(0), c = (int) x.size(1);
    float[] rstd = new float[n];
    INDArray xhat = FusedFloatOps.output(n, c);
    INDArray y = FusedFloatOps.normForward(x, FusedFloatOps.read(gain), bias == null ? null : FusedFloatOps.read(bias),
        kind == NormKind.LAYER_NORM, eps, xhat, rstd);
    if (saved != null) {
      saved[0] = new Saved(xhat, FusedFloatOps.create(rstd, n, 1));
    }
    return y;
  }

  private static INDArray fusedBackward(INDArray dy, Saved s, NormKind kind, INDArray gain, INDArray dGain,
      INDArray dBias) {
    int c = (int) dy.size(1);
    float[] dg = new float[c], db = dBias == null ? null : new float[c];
    INDArray dx = FusedFloatOps.normBackward(dy, s.xhat(), FusedFloatOps.read(s.rstd()), FusedFloatOps.read(gain),
        kind == NormKind.LAYER_NORM, dg, db);
    FusedFloatOps.write(dg, dGain);
    if (dBias != null) {
      FusedFloatOps.write(db, dBias);
    }
    return dx;
  }
}
