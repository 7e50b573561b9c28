package dev.llmj.core.spi;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Chooses the kernels the layers call. The highest-priority {@link KernelProvider} found with
 * {@link ServiceLoader} that offers a kernel wins; the plain ND4J {@link ReferenceAttention} and
 * {@link ReferenceMatmul} are always available with priority 0. A system property names a kernel
 * explicitly, which is how benchmarks and tests pin the path they measure:
 *
 * <pre>{@code
 * -Dllmj.kernels.attention=reference -Dllmj.kernels.matmul=nd4j
 * AttentionKernel att = KernelRegistry.attention();
 * }</pre>
 *
 * The choice is made once per JVM (the first call) because layers call these on every step.
 */
public final class KernelRegistry {

  public static final String ATTENTION_PROPERTY = "llmj.kernels.attention";
  public static final String MATMUL_PROPERTY = "llmj.kernels.matmul";

  private KernelRegistry() {}

  /** The attention kernel for this JVM. */
  public static AttentionKernel attention() {
    return AttentionHolder.KERNEL;
  }

  /** The matmul kernel for this JVM. */
  public static MatmulKernel matmul() {
    return MatmulHolder.KERNEL;
  }

  /** Every attention kernel that can run here, by name, best first. */
  public static Map<String, AttentionKernel> availableAttention() {
    return available(KernelProvider::attention, new ReferenceAttention(), AttentionKernel::name);
  }

  /** Every matmul kernel that can run here, by name, best first. */
  public static Map<String, MatmulKernel> availableMatmul() {
    return available(KernelProvider::matmul, new ReferenceMatmul(), MatmulKernel::name);
  }

  /** Resolves a choice: the named kernel, or the best one when {@code requested} is null or blank. */
  static <K> K choose(Map<String, K> available, String requested, String property) {
    if (requested == null || requested.isBlank()) {
      return available.values().iterator().next();
    }
    K kernel = available.get(requested.trim());
    if (kernel == null) {
      throw new IllegalArgumentException("-D" + property + "=" + requested + " names no available kernel; available: "
          + available.keySet() + " (unset the property to take the best one)");
    }
    return kernel;
  }

  private static <K> Map<String, K> available(
      Function<KernelProvider, Optional<K>> offer, K reference, Function<K, String> name) {
    List<KernelProvider> providers = new ArrayList<>();
    ServiceLoader.load(KernelProvider.class, KernelRegistry.class.getClassLoader()).forEach(providers::add);
    providers.sort(Comparator.comparingInt(KernelProvider::priority).reversed());
    Map<String, K> byName = new LinkedHashMap<>();
    for (KernelProvider p : providers) {
      if (p.priority() > 0) {
        offer.apply(p).ifPresent(k -> byName.putIfAbsent(name.apply(k), k));
      }
    }
    byName.putIfAbsent(name.apply(reference), reference);
    for (KernelProvider p : providers) { // providers at or below the reference's priority come after it
      if (p.priority() <= 0) {
        offer.apply(p).ifPresent(k -> byName.putIfAbsent(name.apply(k), k));
      }
    }
    return byName;
  }

  /** Lazy holders: the service lookup runs on first use, and a bad property fails only its own kind. */
  private static final class AttentionHolder {
    static final AttentionKernel KERNEL =
        choose(availableAttention(), System.getProperty(ATTENTION_PROPERTY), ATTENTION_PROPERTY);
  }

  private static final class MatmulHolder {
    static final MatmulKernel KERNEL = choose(availableMatmul(), System.getProperty(MATMUL_PROPERTY), MATMUL_PROPERTY);
  }

  /**
   * {@code y += alpha x} as one BLAS axpy over the memory of both arrays, when they are contiguous
   * (element-wise stride 1) float or double arrays of the same type, order and shape; returns false,
   * leaving y as it is, otherwise. ND4J's add and Axpy ops cost several times as much on the
   * residual stream and on weight decay.
   */
  public static boolean blasAxpy(double alpha, INDArray x, INDArray y) {
    boolean contiguous = y.dataType() == x.dataType()
        && (y.dataType() == DataType.FLOAT || y.dataType() == DataType.DOUBLE)
        && y.ordering() == x.ordering() && y.elementWiseStride() == 1 && x.elementWiseStride() == 1
        && java.util.Arrays.equals(y.shape(), x.shape());
    if (contiguous) {
      Nd4j.getBlasWrapper().level1().axpy(y.length(), alpha, x, y);
    }
    return contiguous;
  }
}
