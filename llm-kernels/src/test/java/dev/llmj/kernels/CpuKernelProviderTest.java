package dev.llmj.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.llmj.core.spi.KernelProvider;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The provider is found through ServiceLoader and offers both kernels on the CPU backend. */
class CpuKernelProviderTest {

  @Test
  void registeredAndOffersBothKernels() {
    List<KernelProvider> providers = ServiceLoader.load(KernelProvider.class).stream()
        .map(ServiceLoader.Provider::get).collect(Collectors.toList());
    KernelProvider cpu = providers.stream().filter(p -> p instanceof CpuKernelProvider).findFirst().orElseThrow();
    assertEquals("openblas", cpu.matmul().orElseThrow().name());
    assertEquals("cpu-flash", cpu.attention().orElseThrow().name());
    String core = CpuKernelProvider.openBlasCore();
    System.out.println("OpenBLAS core: " + core + ", suggested OPENBLAS_CORETYPE: '"
        + OpenBlasCore.betterCoreType(core) + "'");
    assertTrue(!core.equals("unavailable") && !core.equals("unknown"), core);
  }

  /**
   * The build compiles the native attention into the jar (unless -Dllmj.cpu.skip=true); on a CPU
   * with AVX2 it must load and be chosen, so that a broken native build fails here instead of
   * silently running the slower Java path.
   */
  @Test
  void nativeAttentionLoadsWhereBuilt() {
    String library = org.bytedeco.javacpp.Loader.getPlatform() + "/" + System.mapLibraryName("jniLlmjCpu");
    boolean built = LlmjCpu.class.getResource(library) != null;
    String flags = OpenBlasCore.cpuFlags();
    String path = CpuKernelProvider.attentionPath(64);
    System.out.println("native library " + library + (built ? " built" : " absent") + "; attention path for D=64: "
        + path + "; for D=12: " + CpuKernelProvider.attentionPath(12));
    assumeTrue(built, "built with -Dllmj.cpu.skip=true");
    if (flags.contains(" avx512f ") && flags.contains(" avx512dq ")) {
      assertEquals("avx512", path);
      assertEquals("avx2", CpuKernelProvider.attentionPath(24)); // 24 floats: a whole number of AVX2 vectors only
    } else if (flags.contains(" avx2 ") && flags.contains(" fma ")) {
      assertEquals("avx2", path);
    } else {
      assertTrue(path.startsWith("java (this CPU has neither"), path);
      return;
    }
    assertTrue(CpuKernelProvider.attentionPath(12).startsWith("java (head size 12"), CpuKernelProvider.attentionPath(12));
  }

  @Test
  void badThreadCountIsNamed() {
    System.setProperty(CpuKernelProvider.THREADS_PROPERTY, "zero");
    try {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, CpuKernelProvider::threads);
      assertTrue(e.getMessage().contains("llmj.kernels.threads=zero"), e.getMessage());
    } finally {
      System.clearProperty(CpuKernelProvider.THREADS_PROPERTY);
    }
  }
}
