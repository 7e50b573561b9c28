package example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.llmj.core.spi.KernelRegistry;
import dev.llmj.core.simd.FloatMath;
import dev.llmj.kernels.CpuKernelProvider;
import dev.llmj.kernels.StartupCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The library at full speed in a JVM started the plain way: surefire starts this one without
 * --add-modules and without OPENBLAS_CORETYPE, as an application's own launcher would.
 */
class TinyPretrainingTest {

  @Test
  void trainsWithTheFastKernels() throws Exception {
    assertTrue(System.getenv("OPENBLAS_CORETYPE") == null, "the test JVM must start without OPENBLAS_CORETYPE");
    assertFalse(FloatMath.simd(), "started without --add-modules jdk.incubator.vector: the plain loops run");

    TinyPretraining.Result r = TinyPretraining.run(Files.createTempDirectory("llmj-consumer"), 40);
    System.out.println("consumer: " + r + "; " + StartupCheck.summary(16) + "; attention=" + KernelRegistry.attention().name()
        + " matmul=" + KernelRegistry.matmul().name());
    assertEquals(40, r.steps());
    assertTrue(r.lossAfter() < r.lossBefore() - 0.5, "validation loss did not fall: " + r);

    assertEquals("cpu-flash", KernelRegistry.attention().name(), "the attention of llm-kernels, not the ND4J reference");
    assertEquals("openblas", KernelRegistry.matmul().name(), "GEMM on the arrays' memory, not ND4J's mmul");
    Optional<String> coreType = CpuKernelProvider.recommendedCoreType(); // present where the CPU has AVX2 with FMA
    String path = CpuKernelProvider.attentionPath(16);
    assumeFalse(path.contains("has no native library"), "llm-kernels was built with -Dllmj.cpu.skip=true: " + path);
    if (coreType.isPresent()) {
      assertEquals("OPENBLAS_CORETYPE=" + coreType.get() + " set by llm-kernels", CpuKernelProvider.openBlasSetup());
      String core = CpuKernelProvider.openBlasCore();
      assertFalse(Set.of("PRESCOTT", "CORE2", "NEHALEM", "SANDYBRIDGE").contains(core), "generic OpenBLAS core " + core);
      String attention = CpuKernelProvider.attentionPath(16);
      assertTrue(attention.equals("avx512") || attention.equals("avx2"), "native attention did not run: " + attention);
      assertEquals("plain, native exponential (" + attention + ")", FloatMath.path(), "the softmax's fast path");
    }
  }
}
