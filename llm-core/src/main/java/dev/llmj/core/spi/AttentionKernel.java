package dev.llmj.core.spi;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The attention core of a decoder layer: {@code out = softmax(scale * q k^T + mask) v}, and
 * its backward. Layers call it through {@link KernelRegistry#attention()} so that a faster implementation
 * (a tiled CPU kernel, a CUDA kernel) can replace the plain ND4J reference.
 *
 * <p>Layout: every tensor is a dense c-order array in the projection's natural layout, so no copy
 * is needed between the {@code [B*T, C]} matmul output and the kernel:
 *
 * <ul>
 *   <li>{@code q}: (B, T, H, D)
 *   <li>{@code k}, {@code v}: (B, T, Hkv, D), with {@code H % Hkv == 0} (grouped-query attention:
 *       query head {@code h} reads key/value head {@code h / (H / Hkv)})
 *   <li>{@code out}, {@code dOut}: (B, T, H, D)
 *   <li>{@code lse}: (B, H, T), the log-sum-exp of each scaled, masked score row; forward saves it
 *       and backward uses it to recompute the probabilities instead of storing a T x T matrix.
 * </ul>
 *
 * <p>Mask: with {@code causal}, query position i attends key positions {@code j <= i}. A sliding
 * {@code window} W (causal only; {@code window = 0} means unlimited) narrows that to
 * {@code i - W < j <= i}: W keys, the query's own position included. When keys are longer than
 * queries ({@code Tk > T}, a key/value cache), the queries are the last T positions: query row t is
 * position {@code t + Tk - T}.
 *
 * Implementations accept FLOAT and DOUBLE; results have the input's data type.
 */
public interface AttentionKernel {

  /** A short name for logs and benchmarks, e.g. {@code "reference"} or {@code "cpu-flash"}. */
  String name();

  /** Forward pass; {@code window} keys per query (0: unlimited, else causal must be true). */
  Forward forward(INDArray q, INDArray k, INDArray v, boolean causal, int window, double scale);

  /** Backward pass from the saved forward state, with the forward's mask; returns dq, dk and dv. */
  Backward backward(
      INDArray q, INDArray k, INDArray v, INDArray out, INDArray lse, INDArray dOut,
      boolean causal, int window, double scale);

  /** Forward pass without a sliding window. */
  default Forward forward(INDArray q, INDArray k, INDArray v, boolean causal, double scale) {
    return forward(q, k, v, causal, 0, scale);
  }

  /** Backward pass without a sliding window. */
  default Backward backward(
      INDArray q, INDArray k, INDArray v, INDArray out, INDArray lse, INDArray dOut,
      boolean causal, double scale) {
    return backward(q, k, v, out, lse, dOut, causal, 0, scale);
  }

  /**
   * Checks a mask's window: at least 0, and only with a causal mask.
   *
   * @return whether the window masks anything for {@code tk} keys (0 &lt; window &lt; tk)
   */
  static boolean windowed(boolean causal, int window, long tk) {
    if (window < 0) {
      throw new IllegalArgumentException("attention window must be >= 0 (0: unlimited), got " + window);
    }
    if (window > 0 && !causal) {
      throw new UnsupportedOperationException("a sliding window of " + window + " needs causal attention");
    }
    return window > 0 && window < tk;
  }

  /** Output (B, T, H, D) and log-sum-exp (B, H, T). */
  record Forward(INDArray out, INDArray lse) {}

  /** Gradients in the layouts of q, k and v. */
  record Backward(INDArray dq, INDArray dk, INDArray dv) {}
}
