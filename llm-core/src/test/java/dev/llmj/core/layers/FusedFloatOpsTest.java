package dev.llmj.core.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The fused float32 paths (taken for FLOAT arrays) against the plain ND4J paths (taken for DOUBLE,
 * the code the finite-difference gradient checks exercise), on sizes with awkward remainders and on
 * row views with an offset. Tolerance: 2e-5 relative to the largest magnitude of each result, a few
 * float32 roundings of values that are sums over up to 4099 terms.
 */
class FusedFloatOpsTest {

  private static final long SEED = Long.getLong("tests.seed", 4099L);
  private static final int[][] SIZES = {{1, 1}, {7, 13}, {13, 7}, {33, 65}, {3, 4099}, {600, 96}, {2001, 70}}; // the last splits across threads
  private static final double TOL = 2e-5;

  /** Random (rows, cols) data in both types; float rounding applied first so both paths see the same values. */
  private static INDArray[] both(long rows, long cols, double scale, double shift) {
    INDArray f = Nd4j.randn(DataType.FLOAT, rows, cols).muli(scale).addi(shift);
    return new INDArray[] {f, f.castTo(DataType.DOUBLE)};
  }

  private static double check(String what, INDArray fast, INDArray plain) {
    assertTrue(fast.dataType() == DataType.FLOAT && plain.dataType() == DataType.DOUBLE, what + ": paths not taken");
    double scale = Math.max(1e-3, plain.amaxNumber().doubleValue());
    double worst = fast.castTo(DataType.DOUBLE).subi(plain).amaxNumber().doubleValue() / scale;
    System.out.printf("%-28s worst relative diff %.2e%n", what, worst);
    assertTrue(worst <= TOL, what + ": fused vs plain differ by " + worst + " (reproduce with -Dtests.seed=" + SEED + ")");
    return worst;
  }

  @Test
  void normsMatchPlainPath() {
    Nd4j.getRandom().setSeed(SEED);
    for (NormKind kind : NormKind.values()) {
      for (int[] s : SIZES) {
        String tag = kind + " " + s[0] + "x" + s[1];
        INDArray[] x = both(s[0], s[1], 3, 0.7);
        INDArray[] gain = both(1, s[1], 0.5, 1);
        INDArray[] bias = kind == NormKind.LAYER_NORM ? both(1, s[1], 0.5, 0) : new INDArray[2];
        INDArray[] dy = both(s[0], s[1], 1, 0);
        INDArray[] y = new INDArray[2], dx = new INDArray[2], dGain = new INDArray[2], dBias = new INDArray[2];
        for (int p = 0; p < 2; p++) {
          Norm.Saved[] saved = new Norm.Saved[1];
          y[p] = Norm.forward(x[p], kind, 1e-5, gain[p], bias[p], saved);
          DataType t = x[p].dataType();
          dGain[p] = Nd4j.create(t, 1, s[1]);
          dBias[p] = bias[p] == null ? null : Nd4j.create(t, 1, s[1]);
          dx[p] = Norm.backward(dy[p], saved[0], kind, gain[p], dGain[p], dBias[p]);
        }
        check(tag + " y", y[0], y[1]);
        check(tag + " dx", dx[0], dx[1]);
        check(tag + " dgain", dGain[0], dGain[1]);
        if (bias[0] != null) {
          check(tag + " dbias", dBias[0], dBias[1]);
        }
      }
    }
  }

  /**
   * The norm gradients' bits do not depend on how many cores split the rows: 1 to 64 "processors" give
   * 1 to 25 tasks whose ranges cut the 4099 rows at different places.
   */
  @Test
  void normBackwardGivesTheSameBitsOnAnyNumberOfCores() {
    Nd4j.getRandom().setSeed(SEED);
    int n = 4099, c = 200;
    INDArray dy = both(n, c, 1, 0)[0], xhat = both(n, c, 1, 0)[0];
    float[] gain = both(1, c, 0.5, 1)[0].toFloatVector(), rstd = both(1, n, 0.1, 1)[0].toFloatVector();
    float[] gain1 = new float[c], bias1 = new float[c];
    float[] dx1 = FusedFloatOps.read(FusedFloatOps.normBackward(dy, xhat, rstd, gain, true, gain1, bias1, 1));
    for (int processors : new int[] {2, 3, 7, 64}) {
      float[] g = new float[c], b = new float[c];
      float[] dx = FusedFloatOps.read(FusedFloatOps.normBackward(dy, xhat, rstd, gain, true, g, b, processors));
      for (int j = 0; j < c; j++) {
        assertEquals(Float.floatToRawIntBits(gain1[j]), Float.floatToRawIntBits(g[j]), "dGain[" + j + "] with "
            + processors + " processors (seed " + SEED + ")");
        assertEquals(Float.floatToRawIntBits(bias1[j]), Float.floatToRawIntBits(b[j]), "dBias[" + j + "] with "
            + processors + " processors (seed " + SEED + ")");
      }
      for (int i = 0; i < dx.length; i++) {
        assertEquals(Float.floatToRawIntBits(dx1[i]), Float.floatToRawIntBits(dx[i]), "dx[" + i + "] with "
            + processors + " processors (seed " + SEED + ")");
      }
    }
  }

  @Test
  void normOfRowViewMatchesCopy() {
    Nd4j.getRandom().setSeed(SEED);
    INDArray whole = Nd4j.randn(DataType.FLOAT, 20, 9);
    INDArray view = whole.get(NDArrayIndex.interval(5, 17), NDArrayIndex.all()); // offset 45, dense rows
    INDArray gain = Nd4j.rand(DataType.FLOAT, 1, 9);
    INDArray fromView = Norm.forward(view, NormKind.LAYER_NORM, 1e-5, gain, null, null);
    INDArray plain = Norm.forward(view.dup().castTo(DataType.DOUBLE), NormKind.LAYER_NORM, 1e-5,
        gain.castTo(DataType.DOUBLE), null, null);
    check("layer norm of a row view", fromView, plain);
  }

  @Test
  void geluMatchesPlainPath() {
    Nd4j.getRandom().setSeed(SEED);
    for (int[] s : SIZES) {
      String tag = "gelu " + s[0] + "x" + s[1];
      INDArray[] a = both(s[0], s[1], 4, 0); // covers the saturated tails of tanh
      INDArray[] dy = both(s[0], s[1], 1, 0);
      INDArray[] g = new INDArray[2], da = new INDArray[2];
      for (int p = 0; p < 2; p++) {
        INDArray[] gt = Ops.gelu(a[p]);
        g[p] = gt[0];
        da[p] = Ops.geluBackward(a[p], gt[1], dy[p]);
      }
      check(tag, g[0], g[1]);
      check(tag + " backward", da[0], da[1]);
    }
  }

  @Test
  void scatterAddMatchesPlainPath() {
    Nd4j.getRandom().setSeed(SEED);
    int vocab = 11, cols = 7;
    int[] rows = {3, 0, 3, -1, 10, 3, 5, 0, 9};
    INDArray[] table = both(vocab, cols, 1, 0);
    INDArray[] values = both(rows.length, cols, 1, 0);
    for (int p = 0; p < 2; p++) {
      Ops.scatterAddRows(table[p], rows, values[p]);
    }
    assertNotNull(table[0]);
    check("embedding scatter-add", table[0], table[1]);
  }

  /** The fused loss and logits gradient against the textbook formulas in double, ignored rows included. */
  @Test
  void softmaxCrossEntropyMatchesDoubleFormula() {
    Nd4j.getRandom().setSeed(SEED);
    java.util.Random rnd = new java.util.Random(SEED);
    for (int[] s : new int[][] {{1, 1}, {7, 13}, {33, 4099}, {600, 96}, {2001, 70}}) {
      int n = s[0], v = s[1];
      INDArray logits = Nd4j.randn(DataType.FLOAT, n, v).muli(4);
      int[] y = new int[n];
      for (int i = 0; i < n; i++) {
        y[i] = rnd.nextInt(8) == 0 ? -1 : rnd.nextInt(v);
      }
      double[][] x = logits.toDoubleMatrix();
      float scale = 1f / 3;
      INDArray grad = logits.dup();
      double[] loss = FusedFloatOps.softmaxCrossEntropy(grad, y, scale, true);
      double[] lossOnly = FusedFloatOps.softmaxCrossEntropy(logits.dup(), y, 0f, false);
      double worstLoss = 0, worstGrad = 0;
      for (int i = 0; i < n; i++) {
        double max = java.util.Arrays.stream(x[i]).max().orElseThrow(), sum = 0;
        for (double e : x[i]) {
          sum += Math.exp(e - max);
        }
        double lse = max + Math.log(sum);
        double want = y[i] < 0 ? 0 : lse - x[i][y[i]];
        worstLoss = Math.max(worstLoss, Math.max(Math.abs(loss[i] - want), Math.abs(lossOnly[i] - want)) / Math.max(1, want));
        for (int j = 0; j < v; j++) {
          double g = y[i] < 0 ? 0 : scale * (Math.exp(x[i][j] - lse) - (j == y[i] ? 1 : 0));
          worstGrad = Math.max(worstGrad, Math.abs(grad.getDouble(i, j) - g) / scale);
        }
      }
      System.out.printf("softmax cross-entropy %dx%d: worst loss diff %.2e, worst gradient diff %.2e%n", n, v,
          worstLoss, worstGrad);
      assertTrue(worstLoss < 2e-6 && worstGrad < 2e-6, "softmax cross-entropy " + n + "x" + v + ": loss " + worstLoss
          + ", gradient " + worstGrad + " (reproduce with -Dtests.seed=" + SEED + ")");
    }
  }
}
