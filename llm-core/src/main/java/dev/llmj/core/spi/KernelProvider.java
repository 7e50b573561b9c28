package dev.llmj.core.spi;

import java.util.Optional;

/**
 * A source of kernels, found with {@link java.util.ServiceLoader}. The kernels module registers
 * its CPU and CUDA implementations through {@code META-INF/services/dev.llmj.core.spi.KernelProvider}.
 * A provider answers empty when it cannot run here (no native library, wrong backend).
 */
public interface KernelProvider {

  /** Higher wins when several providers can run. The plain ND4J reference has priority 0. */
  int priority();

  Optional<AttentionKernel> attention();

  Optional<MatmulKernel> matmul();
}
