package dev.llmj.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.llmj.kernels.OpenBlasCore.Preparation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The library sets OPENBLAS_CORETYPE before ND4J loads OpenBLAS, in a JVM started the plain way (no
 * variable, no launcher), and names the fix when it could not.
 */
class OpenBlasCoreTest {

  /**
   * A child JVM that touches ND4J before any llmj class: OpenBLAS must have taken the core type the library
   * set. Haswell is asked for explicitly because OpenBLAS would pick SkylakeX by itself on CPUs it knows,
   * so only a core it would not choose shows that the variable was set before it loaded.
   */
  @Test
  void plainJvmGetsTheCoreTypeBeforeOpenBlasLoads() throws Exception {
    assumeTrue(CpuKernelProvider.recommendedCoreType().isPresent(), "no AVX2 with FMA in /proc/cpuinfo");
    assumeTrue(LlmjCpu.class.getResource(org.bytedeco.javacpp.Loader.getPlatform() + "/"
        + System.mapLibraryName("jniLlmjCpu")) != null, "built with -Dllmj.cpu.skip=true: no native setenv");

    Map<String, String> asked = probe("-D" + OpenBlasCore.CORE_TYPE_PROPERTY + "=Haswell");
    assertEquals("HASWELL", asked.get("core"), asked.toString());
    assertEquals("OPENBLAS_CORETYPE=Haswell set by llm-kernels", asked.get("setup"));

    Map<String, String> plain = probe("-Dunused=1");
    String recommended = CpuKernelProvider.recommendedCoreType().orElseThrow();
    assertEquals("OPENBLAS_CORETYPE=" + recommended + " set by llm-kernels", plain.get("setup"));
    assertEquals("", OpenBlasCore.betterCoreType(plain.get("core")), "generic core: " + plain);
    assertEquals("openblas", plain.get("matmul"));
  }

  @Test
  void tooLateIsAFailureThatNamesTheFix() {
    assertTrue(OpenBlasCore.tooLate("PRESCOTT", Preparation.SET, "SkylakeX"));
    String message = OpenBlasCore.problem("PRESCOTT", "SkylakeX", Preparation.SET, "SkylakeX").orElseThrow();
    assertTrue(message.contains("after OpenBLAS was already loaded")
        && message.contains("environment variable OPENBLAS_CORETYPE=SkylakeX")
        && message.contains("-Dllmj.openblas.check=warn"), message);
  }

  @Test
  void choicesOfTheUserAreWarnedNotFailed() {
    assertFalse(OpenBlasCore.tooLate("PRESCOTT", Preparation.USER, ""));
    assertFalse(OpenBlasCore.tooLate("PRESCOTT", Preparation.SET, "Prescott")); // -Dllmj.openblas.coretype=Prescott
    assertFalse(OpenBlasCore.tooLate("PRESCOTT", Preparation.NO_NATIVE, ""));
    String asked = OpenBlasCore.problem("PRESCOTT", "Haswell", Preparation.SET, "Prescott").orElseThrow();
    assertTrue(asked.contains("-Dllmj.openblas.coretype=Prescott asked for them"), asked);
    String noNative = OpenBlasCore.problem("PRESCOTT", "Haswell", Preparation.NO_NATIVE, "").orElseThrow();
    assertTrue(noNative.contains("OPENBLAS_CORETYPE=Haswell") && noNative.contains("-Dllmj.cpu.skip=true"), noNative);
  }

  @Test
  void noComplaintWhereOpenBlasChoseWell() {
    assertTrue(OpenBlasCore.problem("SKYLAKEX", "", Preparation.SET, "SkylakeX").isEmpty());
    assertEquals("", OpenBlasCore.betterCoreType("HASWELL"));
  }

  /** Runs {@link CoreTypeProbe} in a plain JVM without OPENBLAS_CORETYPE; its key=value lines. */
  private static Map<String, String> probe(String property) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), property,
        "-cp", System.getProperty("java.class.path"), CoreTypeProbe.class.getName()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().remove(OpenBlasCore.VARIABLE);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "probe did not finish: " + cmd);
    assertEquals(0, p.exitValue(), "probe failed: " + cmd + "\n" + out);
    return out.lines().filter(l -> l.matches("(core|setup|matmul)=.*"))
        .collect(Collectors.toMap(l -> l.substring(0, l.indexOf('=')), l -> l.substring(l.indexOf('=') + 1)));
  }
}
