package dev.llmj.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.llmj.core.spi.AttentionKernel;
import dev.llmj.core.spi.KernelProvider;
import dev.llmj.core.spi.KernelRegistry;
import dev.llmj.core.spi.ReferenceAttention;
import dev.llmj.kernels.CpuKernelProvider;
import dev.llmj.kernels.NaiveAttention;
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
 * kernels do not take to the fallback (counted, and compared with a textbook attention).
 */
class CudaBindingTest {

  private static final long SEED = 20240607L;

  @Test
  void providerIsRegisteredAboveTheCpuKernelsAndSaysWhyItCannotRun() {
    KernelProvider cuda = ServiceLoader.load(KernelProvider.class).stream().map(ServiceLoader.Provider::get)
        .filter(p -> p instanceof CudaKernels).findFirst().orElseThrow();
    assertTrue(cuda.priority() > new CpuKernelProvider().priority(), "cuda priority " + cuda.priority());
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
    assertEquals("cpu-flash", KernelRegistry.availableAttention().keySet().iterator().next(), "the CPU path is unchanged");
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

  /** Counts the calls that reach it and passes them to the reference implementation. */
  private static final class CountingFallback implements AttentionKernel {
    final AttentionKernel inner = new ReferenceAttention();
    int forwards, backwards;

    @Override
    public String name() {
      return "counting";
    }

    @Override
    public Forward forward(INDArray q, INDArray k, INDArray v, boolean causal, int window, double scale) {
      forwards++;
      return inner.forward(q, k, v, causal, window, scale);
    }

    @Override
    public Backward backward(INDArray q, INDArray k, INDArray v, INDArray out, INDArray lse, INDArray dOut,
        boolean causal, int window, double scale) {
      backwards++;
      return inner.backward(q, k, v, out, lse, dOut, causal, window, scale);
    }
  }

  /**
   * Shapes the CUDA kernels do not take reach the fallback (counted), and what comes back equals the
   * textbook double-precision attention written in the test ({@link NaiveAttention}): worst
   * |diff| / max(1, max |reference|) under 1e-5 for FLOAT (measured 5.4e-7), 1e-12 for DOUBLE (measured 7.3e-16).
   */
  @Test
  void callsTheKernelsDoNotTakeGoToTheFallback() {
    System.out.println("callsTheKernelsDoNotTakeGoToTheFallback: seed " + SEED);
    Nd4j.getRandom().setSeed(SEED);
    CountingFallback fallback = new CountingFallback();
    CudaAttention cuda = new CudaAttention(fallback);
    int[][] shapes = { // B, T, Tk, H, Hkv, D, type (0 FLOAT, 1 DOUBLE)
        {2, 5, 5, 4, 2, 32, 0}, // head size not built
        {1, 7, 7, 2, 1, 64, 1}, // DOUBLE
        {1, 3, 9, 2, 2, 64, 0}, // keys longer than queries (a key/value cache)
    };
    double worstFloat = 0, worstDouble = 0;
    int calls = 0;
    for (int[] c : shapes) {
      DataType type = c[6] == 0 ? DataType.FLOAT : DataType.DOUBLE;
      INDArray q = Nd4j.randn(type, c[0], c[1], c[3], c[5]);
      INDArray k = Nd4j.randn(type, c[0], c[2], c[4], c[5]), v = Nd4j.randn(type, c[0], c[2], c[4], c[5]);
      INDArray dOut = Nd4j.randn(type, c[0], c[1], c[3], c[5]);
      assertTrue(CudaAttention.unsupported(q, k, v) != null);
      AttentionKernel.Forward f = cuda.forward(q, k, v, true, 0.3);
      AttentionKernel.Backward g = cuda.backward(q, k, v, f.out(), f.lse(), dOut, true, 0.3);
      calls++;
      assertEquals(calls, fallback.forwards, "forward calls that reached the fallback");
      assertEquals(calls, fallback.backwards, "backward calls that reached the fallback");
      NaiveAttention ref = new NaiveAttention(doubles(q), doubles(k), doubles(v), c[0], c[1], c[2], c[3], c[4], c[5],
          true, 0.3);
      double[][] grads = ref.backward(doubles(dOut));
      double[][] want = {ref.out, ref.lse, grads[0], grads[1], grads[2]};
      INDArray[] got = {f.out(), f.lse(), g.dq(), g.dk(), g.dv()};
      String[] names = {"out", "lse", "dq", "dk", "dv"};
      for (int i = 0; i < got.length; i++) {
        assertEquals(type, got[i].dataType(), names[i]);
        double[] actual = doubles(got[i]);
        assertEquals(want[i].length, actual.length, names[i] + " length");
        double max = 1, diff = 0;
        for (int j = 0; j < actual.length; j++) {
          max = Math.max(max, Math.abs(want[i][j]));
          diff = Math.max(diff, Math.abs(want[i][j] - actual[j]));
        }
        double rel = diff / max;
        double bound = type == DataType.FLOAT ? 1e-5 : 1e-12;
        assertTrue(rel < bound, java.util.Arrays.toString(c) + " " + names[i] + " differs by " + rel + " (seed " + SEED
            + ")");
        if (type == DataType.FLOAT) {
          worstFloat = Math.max(worstFloat, rel);
        } else {
          worstDouble = Math.max(worstDouble, rel);
        }
      }
    }
    System.out.printf("fallback: %d calls each way, against the naive double attention: worst FLOAT %.2e, DOUBLE %.2e%n",
        calls, worstFloat, worstDouble);
  }

  private static double[] doubles(INDArray x) {
    return x.castTo(DataType.DOUBLE).dup('c').data().asDouble();
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
