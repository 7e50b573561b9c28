package dev.llmj.core.layers;

import dev.llmj.core.spi.KernelRegistry;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Element-wise pieces and array plumbing shared by the layers. */
final class Ops {

  private static final double GELU_K = Math.sqrt(2 / Math.PI);
  private static final double GELU_C = 0.044715;

  private Ops() {}

  /** {@code a b} (or with transposes) through the configured matmul kernel; a new c-order array. */
  static INDArray mm(INDArray a, boolean ta, INDArray b, boolean tb) {
    return KernelRegistry.matmul().mmul(a, ta, b, tb);
  }

  /** {@code y += x} for arrays of the same shape, returning y: {@link KernelRegistry#blasAxpy}, else ND4J's {@code addi}. */
  static INDArray addInPlace(INDArray y, INDArray x) {
    return KernelRegistry.blasAxpy(1.0, x, y) ? y : y.addi(x);
  }

  /** {@code c = op(a) op(b) + beta c}, written in place (a gradient view or an accumulator). */
  static void gemm(boolean ta, boolean tb, INDArray a, INDArray b, double beta, INDArray c) {
    KernelRegistry.matmul().gemm(ta, tb, 1.0, a, b, beta, c);
  }

  /**
   * GELU, tanh form (as GPT-2): {@code 0.5 a (1 + tanh(k (a + 0.044715 a^3)))}. Returns {gelu(a), the
   * tanh}: backward reads the tanh instead of evaluating it again.
   */
  static INDArray[] gelu(INDArray a) {
    if (FusedFloatOps.eligible(a) && a.rank() == 2) {
      return FusedFloatOps.gelu(a);
    }
    INDArray t = Transforms.tanh(a.mul(a).muli(GELU_C).addi(1).muli(a).muli(GELU_K), false);
    return new INDArray[] {t.add(1).muli(a).muli(0.5), t};
  }

  /** {@code dy * gelu'(a)}, with {@code t} the tanh that {@link #gelu} returned. */
  static INDArray geluBackward(INDArray a, INDArray t, INDArray dy) {
    if (FusedFloatOps.eligible(a, t, dy) && a.rank() == 2 && java.util.Arrays.equals(a.shape(), dy.shape())) {
      return FusedFloatOps.geluBackward(a, t, dy);
    }
    // d/da = 0.5 (1 + t) + 0.5 a (1 - t^2) k (1 + 3c a^2)
    INDArray inner = a.mul(a).muli(3 * GELU_C).addi(1).muli(GELU_K).muli(a).muli(t.mul(t).rsubi(1)).muli(0.5);
    return t.add(1).muli(0.5).addi(inner).muli(dy);
  }

  /** {@code silu(a) * u}, the SwiGLU gate. */
  static INDArray swiglu(INDArray a, INDArray u) {
    return Transforms.sigmoid(a, true).muli(a).muli(u);
  }

  /** Gradients of {@code silu(a) * u}: returns {da, du}. */
  static INDArray[] swigluBackward(INDArray a, INDArray u, INDArray dy) {
    INDArray s = Transforms.sigmoid(a, true);
    INDArray du = s.mul(a).muli(dy);
    // silu'(a) = s (1 + a (1 - s))
    INDArray da = s.rsub(1).muli(a).addi(1).muli(s).muli(u).muli(dy);
    return new INDArray[] {da, du};
  }

  /**
   * Gradients of the GeGLU gate {@code gelu(a) * u}, with {@code t} the tanh that {@link #gelu} returned
   * for {@code a}: returns {da, du}.
   */
  static INDArray[] gegluBackward(INDArray a, INDArray t, INDArray u, INDArray dy) {
    INDArray du = t.add(1).muli(a).muli(0.5).muli(dy); // gelu(a) dy, gelu rebuilt from its tanh
    INDArray da = geluBackward(a, t, dy.mul(u));
    return new INDArray[] {da, du};
  }

  /** An inverted-dropout mask (kept entries 1/(1-p), dropped 0), or null when there is nothing to drop. */
  static INDArray dropoutMask(double p, INDArray like, boolean training) {
    if (!training || p <= 0) {
      return null;
    }
    INDArray keep = Nd4j.rand(like.dataType(), like.shape()).gt(p).castTo(like.dataType());
    return keep.divi(1 - p);
  }

  /**
   * Keeps a forward intermediate alive until backward. Under DL4J workspaces it goes to the
   * forward-cache workspace when the network has one (our builder enables it); otherwise it is
   * copied out of the workspace that is about to close.
   */
  static INDArray keep(LayerWorkspaceMgr mgr, INDArray a) {
    if (a == null || !a.isAttached()) {
      return a;
    }
    if (mgr.hasConfiguration(ArrayType.FF_CACHE) && mgr.isWorkspaceOpen(ArrayType.FF_CACHE)) {
      return mgr.leverageTo(ArrayType.FF_CACHE, a);
    }
    return a.detach();
  }

  /**
   * Reads integer ids from an array of any numeric type (DL4J may hand features over as floats).
   * Entries equal to {@code ignore} come back as -1.
   */
  static int[] ids(INDArray ids, int limit, int ignore, String what) {
    double[] values = ids.dup('c').data().asDouble();
    int[] out = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      double v = values[i];
      if (v == ignore) {
        out[i] = -1;
        continue;
      }
      if (v != Math.rint(v) || v >= limit || v < 0) {
        throw new IllegalArgumentException(what + " at flat position " + i + " is " + v
            + "; expected an integer in [0, " + limit + ")" + (ignore < 0 ? " or the ignore index " + ignore : ""));
      }
      out[i] = (int) v;
    }
    return out;
  }

  /**
   * {@code table[rows[i]] += values[i]} for a c-order table view (duplicated rows accumulate). Works
   * on the raw buffer because ND4J offers no in-place scatter-add into a view.
   */
  static void scatterAddRows(INDArray table, int[] rows, INDArray values) {
    if (!org.nd4j.linalg.api.shape.Shape.hasDefaultStridesForShape(table)) {
      throw new IllegalStateException("scatter target must be a dense c-order view, got strides "
          + java.util.Arrays.toString(table.stride()));
    }
    long cols = table.size(1);
    if (FusedFloatOps.eligible(table, values)) {
      float[] t = FusedFloatOps.read(table), v = FusedFloatOps.read(values);
      for (int i = 0; i < rows.length; i++) {
        if (rows[i] >= 0) {
          for (int c = 0, at = (int) (rows[i] * cols), from = (int) (i * cols); c < cols; c++) {
            t[at + c] += v[from + c];
          }
        }
      }
      FusedFloatOps.write(t, table);
      return;
    }
    double[] v = values.dup('c').data().asDouble();
    DataBuffer buf = table.data();
    long base = table.offset();
    for (int i = 0; i < rows.length; i++) {
      if (rows[i] < 0) {
        continue;
      }
      long at = base + rows[i] * cols;
      int from = (int) (i * cols);
      for (int c = 0; c < cols; c++) {
        buf.put(at + c, buf.getDouble(at + c) + v[from + c]);
      }
    }
  }

}
