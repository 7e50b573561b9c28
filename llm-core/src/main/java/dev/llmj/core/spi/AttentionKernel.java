package dev.llmj.core.spi;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The attention core of a decoder layer: {@code out = softmax(scale * q k^T + causal mask) v}, and
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
 * Implementations accept FLOAT and DOUBLE; results have the input's data type.
 */
public interface AttentionKernel {

  /** A short name for logs and benchmarks, e.g. {@code "reference"} or {@code "cpu-flash"}. */
  String name();

  /** Forward pass. */
  Forward forward(INDArray q, INDArray k, INDArray v, boolean causal, double scale);

  /** Backward pass from the saved forward state; returns the gradients of q, k and v. */
  Backward backward(
      INDArray q, INDArray k, INDArray v, INDArray out, INDArray lse, INDArray dOut,
      boolean causal, double scale);

  /** Output (B, T, H, D) and log-sum-exp (B, H, T). */
  record Forward(INDArray out, INDArray lse) {}

  /** Gradients in the layouts of q, k and v. */
  record Backward(INDArray dq, INDArray dk, INDArray dv) {}
}
