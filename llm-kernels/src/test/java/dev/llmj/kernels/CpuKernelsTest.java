package dev.llmj.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmj.core.kernel.KernelProvider;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The provider is found through ServiceLoader and offers both kernels on the CPU backend. */
class CpuKernelsTest {

  @Test
  void registeredAndOffersBothKernels() {
    List<KernelProvider> providers = ServiceLoader.load(KernelProvider.class).stream()
        .map(ServiceLoader.Provider::get).collect(Collectors.toList());
    KernelProvider cpu = providers.stream().filter(p -> p instanceof CpuKernels).findFirst().orElseThrow();
    assertEquals("openblas", cpu.matmul().orElseThrow().name());
    assertEquals("cpu-flash", cpu.attention().orElseThrow().name());
    String core = CpuKernels.openBlasCore();
    System.out.println("OpenBLAS core: " + core + ", suggested OPENBLAS_CORETYPE: '"
        + OpenBlasCore.betterCoreType(core) + "'");
    assertTrue(!core.equals("unavailable") && !core.equals("unknown"), core);
  }

  @Test
  void badThreadCountIsNamed() {
    System.setProperty(CpuKernels.THREADS_PROPERTY, "zero");
    try {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, CpuKernels::threads);
      assertTrue(e.getMessage().contains("llmj.kernels.threads=zero"), e.getMessage());
    } finally {
      System.clearProperty(CpuKernels.THREADS_PROPERTY);
    }
  }
}
