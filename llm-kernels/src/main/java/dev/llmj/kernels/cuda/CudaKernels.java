package dev.llmj.kernels.cuda;

import dev.llmj.core.spi.AttentionKernel;
import dev.llmj.core.spi.KernelProvider;
import dev.llmj.core.spi.MatmulKernel;
import dev.llmj.core.spi.ReferenceAttention;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CUDA kernels, registered for {@link java.util.ServiceLoader} above the CPU kernels. It offers
 * {@link CudaAttention} only where it can run: ND4J on nd4j-cuda, the native library built into
 * this jar (build profile {@code -Dllmj.cuda=true}) and loadable, and an sm_80 or newer device.
 * Otherwise it answers empty and logs why once, so the CPU path is unaffected:
 *
 * <pre>{@code
 * CudaKernels.attentionUnavailable().ifPresent(why -> System.out.println("no CUDA attention: " + why));
 * AttentionKernel att = KernelRegistry.attention();   // "cuda" on nd4j-cuda with a GPU, else the best CPU kernel
 * }</pre>
 *
 * <p>The kernels also run without nd4j-cuda, on {@link CudaBuffer}s ({@link #deviceUnavailable()}
 * tells whether they can).
 */
public final class CudaKernels implements KernelProvider {

  private static final Logger LOG = LoggerFactory.getLogger(CudaKernels.class);
  private static final AtomicBoolean LOGGED = new AtomicBoolean();

  @Override
  public int priority() {
    return 20;
  }

  @Override
  public Optional<AttentionKernel> attention() {
    Optional<String> why = attentionUnavailable();
    if (why.isPresent()) {
      if (LOGGED.compareAndSet(false, true)) {
        LOG.info("CUDA attention is not available: {}", why.get());
      }
      return Optional.empty();
    }
    return Optional.of(new CudaAttention(new ReferenceAttention()));
  }

  /** Empty: ND4J's cuBLAS GEMM already serves the layers on nd4j-cuda. */
  @Override
  public Optional<MatmulKernel> matmul() {
    return Optional.empty();
  }

  /**
   * Why {@link #attention()} is empty here (the backend is not nd4j-cuda, or see {@link
   * #deviceUnavailable()}), or empty when it offers the kernel. The backend is checked first, so a
   * CPU-only JVM never loads the native library.
   */
  public static Optional<String> attentionUnavailable() {
    Optional<String> backend = Nd4jCuda.problem();
    return backend.isPresent() ? backend : deviceUnavailable();
  }

  /**
   * Why the kernels cannot run in this JVM at all (library not built into this jar or not loadable,
   * no device, a device older than sm_80), or empty when {@link CudaBuffer}s and the static kernel
   * methods work. The first call loads the native library.
   */
  public static Optional<String> deviceUnavailable() {
    return CudaRuntime.problem();
  }

  /** The device the kernels run on, e.g. {@code "NVIDIA H100 80GB HBM3 (sm_90)"}, or empty. */
  public static Optional<String> device() {
    return CudaRuntime.device();
  }
}
