package dev.llmj.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.llmj.core.kernel.AttentionKernel;
import dev.llmj.core.kernel.KernelProvider;
import dev.llmj.core.kernel.Kernels;
import dev.llmj.core.kernel.ReferenceAttention;
import dev.llmj.kernels.CpuKernels;
import java.util.Optional;
import java.util.ServiceLoader;
import org.bytedeco.javacpp.Loader;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The Java side of the CUDA binding that runs without a GPU: the provider's answer and its reason,
 * validation before any native call, status codes to exceptions, and the hand-off of calls the
 * kernels do not take to the fallback (compared with the fallback run directly).
 */
class CudaBindingTest {

  private static final long SEED = 20240607L;

  @Test
  void providerIsRegisteredAboveTheCpuKernelsAndSaysWhyItCannotRun() {
    KernelProvider cuda = ServiceLoader.load(KernelProvider.class).stream().map(ServiceLoader.Provider::get)
        .filter(p -> p instanceof CudaKernels).findFirst().orElseThrow();
    assertTrue(cuda.priority() > new CpuKernels().priority(), "cuda priority " + cuda.priority());
    assertTrue(cuda.matmul().isEmpty());

    Optional<String> device = CudaKernels.deviceUnavailable();
    System.out.println("deviceUnavailable: " + device.orElse("(none: " + CudaKernels.device().orElse("?") + ")"));
    System.out.println("attentionUnavailable: " + CudaKernels.attentionUnavailable().orElse("(none)"));
    boolean built = LlmjCuda.class.getResource(
        Loader.getPlatform() + "/" + System.mapLibraryName("jniLlmjCuda")) != null;
    if (!built) {
      assertTrue(device.orElseThrow().contains("-Dllmj.cuda=true"), device.get());
    } else if (device.isPresent()) { // built here without a GPU (or with stub kernels)
      assertTrue(device.get().startsWith("no usable CUDA device") || device.get().contains("failed to load")
          || device.get().contains("older than sm_80"), device.get());
    }

    assumeTrue(Nd4jCuda.problem().isPresent(), "ND4J runs on nd4j-cuda: the provider may offer the kernel here");
    assertTrue(cuda.attention().isEmpty());
    assertTrue(CudaKernels.attentionUnavailable().orElseThrow().contains(Nd4jCuda.BACKEND));
    assertEquals("cpu-flash", Kernels.availableAttention().keySet().iterator().next(), "the CPU path is unchanged");
  }

  @Test
  void statusCodesBecomeExceptionsCarryingTheLibraryMessage() {
    RuntimeException bad = CudaRuntime.failure(1, "llmj_attention_forward", "D=96 is not built; use 64 or 128");
    assertInstanceOf(IllegalArgumentException.class, bad);
    assertEquals("llmj_attention_forward: D=96 is not built; use 64 or 128", bad.getMessage());
    CudaException cuda = assertInstanceOf(CudaException.class, CudaRuntime.failure(2, "llmj_malloc", "out of memory"));
    assertEquals(2, cuda.status());
    assertTrue(cuda.getMessage().contains("llmj_malloc: out of memory"), cuda.getMessage());
    assertInstanceOf(UnsupportedOperationException.class, CudaRuntime.failure(3, "llmj_gemm", "no sm_75 code"));
    RuntimeException unknown = CudaRuntime.failure(42, "llmj_free", null);
    assertInstanceOf(CudaException.class, unknown);
    assertTrue(unknown.getMessage().contains("status 42"), unknown.getMessage());
    assertTrue(CudaRuntime.failure(1, "llmj_free", " ").getMessage().contains("no message"));
    assertEquals("llmj_malloc: bytes=0", CudaRuntime.failure(1, "llmj_malloc", "llmj_malloc: bytes=0").getMessage(),
        "a message that already names the function is not prefixed twice");
  }

  @Test
  void shapesTheKernelsCannotTakeAreNamed() {
    assertMessage(() -> new CudaAttention.Shape(2, 16, 6, 4, 64), "H=6", "Hkv=4");
    assertMessage(() -> new CudaAttention.Shape(2, 16, 4, 4, 96), "D=96", "64 or 128");
    assertMessage(() -> new CudaAttention.Shape(0, 16, 4, 4, 64), "B=0");
    assertMessage(() -> new CudaAttention.Shape(1 << 14, 1 << 10, 2, 1, 128), "2^31", "split the batch");
  }

  @Test
  void bufferArgumentsAreCheckedBeforeAnyNativeCall() {
    var s = new CudaAttention.Shape(1, 3, 2, 1, 64); // q 384 floats, k 192, lse 6
    CudaBuffer q = fake(384 * 4), k = fake(192 * 4), kShort = fake(192 * 4 - 1), out = fake(384 * 4), lse = fake(24);
    assertMessage(() -> CudaAttention.forward(CudaType.F32, q, kShort, k, out, lse, s, true, 0.125f),
        "k needs 768 bytes", "holds 767");
    assertMessage(() -> CudaAttention.forward(CudaType.F32, q, k, k, out, fake(20), s, true, 0.125f), "lse needs 24");
    assertMessage(() -> CudaAttention.forward(CudaType.F32, q, k, k, out, lse, s, true, Float.NaN), "scale=NaN");
    // BF16 halves the bytes, so the same buffers are large enough
    assertMessage(() -> CudaAttention.backward(CudaType.BF16, q, k, k, out, lse, q, q, fake(10), k, s, false, 1),
        "dk needs 384 bytes");
    if (CudaKernels.deviceUnavailable().isPresent()) { // valid arguments reach the runtime check, not native code
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> CudaAttention.forward(CudaType.F32, q, k, k, out, lse, s, true, 0.125f));
      assertTrue(e.getMessage().contains(CudaKernels.deviceUnavailable().get()), e.getMessage());
    }

    CudaBuffer small = fake(16);
    assertMessage(() -> small.copyFrom(new float[5]), "20 bytes", "16 bytes");
    assertMessage(() -> small.copyTo(new short[9]), "18 bytes");
    small.close();
    small.close();
    assertThrows(IllegalStateException.class, () -> small.copyFrom(new float[1]));
    assertMessage(() -> CudaBuffer.allocate(-1), "-1 bytes");
    try (CudaBuffer empty = CudaBuffer.allocate(0)) {
      empty.copyFrom(new float[0]);
      assertEquals(0, empty.bytes());
    }
  }

  @Test
  void callsTheKernelsDoNotTakeGoToTheFallback() {
    System.out.println("callsTheKernelsDoNotTakeGoToTheFallback: seed " + SEED);
    Nd4j.getRandom().setSeed(SEED);
    AttentionKernel reference = new ReferenceAttention();
    CudaAttention cuda = new CudaAttention(reference);
    int[][] shapes = { // B, T, Tk, H, Hkv, D, type (0 FLOAT, 1 DOUBLE)
        {2, 5, 5, 4, 2, 32, 0}, // head size not built
        {1, 7, 7, 2, 1, 64, 1}, // DOUBLE
        {1, 3, 9, 2, 2, 64, 0}, // keys longer than queries (a key/value cache)
    };
    for (int[] c : shapes) {
      DataType type = c[6] == 0 ? DataType.FLOAT : DataType.DOUBLE;
      INDArray q = Nd4j.randn(type, c[0], c[1], c[3], c[5]);
      INDArray k = Nd4j.randn(type, c[0], c[2], c[4], c[5]), v = Nd4j.randn(type, c[0], c[2], c[4], c[5]);
      INDArray dOut = Nd4j.randn(type, c[0], c[1], c[3], c[5]);
      assertTrue(CudaAttention.unsupported(q, k, v) != null);
      AttentionKernel.Forward f = cuda.forward(q, k, v, true, 0.3), fr = reference.forward(q, k, v, true, 0.3);
      AttentionKernel.Backward g = cuda.backward(q, k, v, f.out(), f.lse(), dOut, true, 0.3);
      AttentionKernel.Backward gr = reference.backward(q, k, v, fr.out(), fr.lse(), dOut, true, 0.3);
      INDArray[] got = {f.out(), f.lse(), g.dq(), g.dk(), g.dv()}, want = {fr.out(), fr.lse(), gr.dq(), gr.dk(), gr.dv()};
      for (int i = 0; i < got.length; i++) {
        assertArrayEquals(want[i].data().asDouble(), got[i].data().asDouble(), 0.0);
      }
    }
    System.out.println("fallback: bitwise equal to the reference on 3 shapes (out, lse, dq, dk, dv)");
  }

  @Test
  void arraysTheKernelsTakeAreCheckedBeforeTheDevice() {
    CudaAttention cuda = new CudaAttention(new ReferenceAttention());
    INDArray q = Nd4j.zeros(DataType.FLOAT, 2, 5, 4, 64), k = Nd4j.zeros(DataType.FLOAT, 2, 5, 2, 64);
    assertNull(CudaAttention.unsupported(q, k, k));
    INDArray lse = Nd4j.zeros(DataType.FLOAT, 2, 4, 5);
    assertMessage(() -> cuda.backward(q, k, k, q, Nd4j.zeros(DataType.FLOAT, 2, 5, 4), q, true, 1), "lse", "[2, 4, 5]");
    assertMessage(() -> cuda.backward(q, k, k, q, lse, Nd4j.zeros(DataType.FLOAT, 2, 5, 4, 32), true, 1), "dOut");
    assertMessage(() -> cuda.backward(q, k, k, k, lse, q, true, 1), "out must have shape [2, 5, 4, 64]");
    if (CudaKernels.deviceUnavailable().isPresent()) {
      assertThrows(IllegalStateException.class, () -> cuda.forward(q, k, k, true, 1));
    }
  }

  private static CudaBuffer fake(long bytes) {
    return new CudaBuffer(null, bytes); // no device memory: only the Java checks may touch it
  }

  private static void assertMessage(org.junit.jupiter.api.function.Executable call, String... parts) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    for (String part : parts) {
      assertTrue(e.getMessage().contains(part), () -> "'" + part + "' not in: " + e.getMessage());
    }
  }
}
