package dev.llmj.kernels;

import dev.llmj.core.spi.AttentionKernel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.presets.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Blocked causal (optionally sliding-window) attention on the CPU, run in parallel over (batch, key/value head) on a fixed pool:
 * the native kernel of {@code llmj_cpu_attention.h} where {@link NativeCpu} says it runs, else the
 * Java tiles ({@link FlashTiles}). Each task owns disjoint output rows and sums its grouped heads in a fixed
 * order, so results are bitwise the same for any thread count. A sliding window skips the key blocks
 * outside it in every path, so its cost grows as T * W. With grouped-query attention the
 * parallelism is B * Hkv tasks. DOUBLE inputs take the exact streaming path ({@link ExactAttention}),
 * meant for gradient checks rather than speed.
 */
final class FlashAttention implements AttentionKernel {

  private static final Map<Integer, ForkJoinPool> POOLS = new ConcurrentHashMap<>();

  private final ForkJoinPool pool;
  private final int isaCap;

  FlashAttention(int threads) {
    this(threads, 512);
  }

  /** With the native kernel's vectors limited to {@code isaCap} bits (512, 256, or 0 for the Java path). */
  FlashAttention(int threads, int isaCap) {
    this.pool = POOLS.computeIfAbsent(threads, ForkJoinPool::new);
    this.isaCap = isaCap;
  }

  @Override
  public String name() {
    return "cpu-flash";
  }

  @Override
  public Forward forward(INDArray q, INDArray k, INDArray v, boolean causal, int window, double scale) {
    AttentionDims dims = AttentionDims.of(q, k, v);
    window = AttentionKernel.windowed(causal, window, dims.tk()) ? window : 0; // 0: nothing hidden
    if (q.dataType() == DataType.DOUBLE) {
      return ExactAttention.forward(dims, q, k, v, causal, window, scale);
    }
    INDArray qc = denseC(q), kc = denseC(k), vc = denseC(v);
    INDArray out = Nd4j.createUninitialized(DataType.FLOAT, dims.queryShape(), 'c'); // every row written
    int g = dims.group(), isa = NativeCpu.isa(dims.d(), isaCap), w = window;
    if (isa > 0) {
      INDArray lse = Nd4j.createUninitialized(DataType.FLOAT, dims.lseShape(), 'c');
      parallel(dims.b() * dims.hkv(), task -> {
        int bi = task / dims.hkv(), kvi = task % dims.hkv(), h0 = kvi * g;
        int q0 = dims.q(bi, 0, h0), kv0 = dims.kv(bi, 0, kvi);
        check(LlmjCpu.llmj_cpu_attention_forward(isa, address(qc, q0), address(kc, kv0), address(vc, kv0),
            address(out, q0), address(lse, dims.lse(bi, h0, 0)), dims.t(), dims.tk(), g, dims.d(), dims.ldq(),
            dims.ldk(), causal ? 1 : 0, w, (float) scale), "forward", dims);
      });
      return new Forward(out, lse);
    }
    float[] lse = new float[dims.b() * dims.h() * dims.t()];
    // one task per (batch, kv head), running its G query heads in order
    parallelWithSerialBlas(dims.b() * dims.hkv(), task -> {
      int bi = task / dims.hkv(), kvi = task % dims.hkv();
      FlashTiles tiles = new FlashTiles(dims, causal, w, scale);
      for (int hi = kvi * g; hi < (kvi + 1) * g; hi++) {
        tiles.forward(pointer(qc), pointer(kc), pointer(vc), pointer(out), lse, bi, hi);
      }
    });
    return new Forward(out, Nd4j.create(lse, dims.lseShape(), 'c'));
  }

  @Override
  public Backward backward(INDArray q, INDArray k, INDArray v, INDArray out, INDArray lse, INDArray dOut,
      boolean causal, int window, double scale) {
    AttentionDims dims = AttentionDims.of(q, k, v);
    window = AttentionKernel.windowed(causal, window, dims.tk()) ? window : 0; // 0: nothing hidden
    requireShape("out", out, dims.queryShape());
    requireShape("dOut", dOut, dims.queryShape());
    requireShape("lse", lse, dims.lseShape());
    if (q.dataType() == DataType.DOUBLE) {
      return ExactAttention.backward(dims, q, k, v, out, lse, dOut, causal, window, scale);
    }
    INDArray qc = denseC(q), kc = denseC(k), vc = denseC(v), oc = denseC(out), doc = denseC(dOut);
    INDArray dq = Nd4j.createUninitialized(DataType.FLOAT, dims.queryShape(), 'c'); // every row written
    int g = dims.group(), isa = NativeCpu.isa(dims.d(), isaCap), w = window;
    if (isa > 0) { // each task zeroes its own dk and dv rows before adding its heads' shares
      INDArray dk = Nd4j.createUninitialized(DataType.FLOAT, dims.keyShape(), 'c');
      INDArray dv = Nd4j.createUninitialized(DataType.FLOAT, dims.keyShape(), 'c');
      INDArray lc = denseC(lse.castTo(DataType.FLOAT));
      parallel(dims.b() * dims.hkv(), task -> {
        int bi = task / dims.hkv(), kvi = task % dims.hkv(), h0 = kvi * g;
        int q0 = dims.q(bi, 0, h0), kv0 = dims.kv(bi, 0, kvi);
        check(LlmjCpu.llmj_cpu_attention_backward(isa, address(qc, q0), address(kc, kv0), address(vc, kv0),
            address(oc, q0), address(lc, dims.lse(bi, h0, 0)), address(doc, q0), address(dq, q0),
            address(dk, kv0), address(dv, kv0), dims.t(), dims.tk(), g, dims.d(), dims.ldq(), dims.ldk(),
            causal ? 1 : 0, w, (float) scale), "backward", dims);
      });
      return new Backward(dq, dk, dv);
    }
    INDArray dk = Nd4j.create(DataType.FLOAT, dims.keyShape(), 'c'); // accumulated: starts at zero
    INDArray dv = Nd4j.create(DataType.FLOAT, dims.keyShape(), 'c');
    float[] la = lse.castTo(DataType.FLOAT).dup('c').data().asFloat();
    parallelWithSerialBlas(dims.b() * dims.hkv(), task -> {
      int bi = task / dims.hkv(), kvi = task % dims.hkv();
      FlashTiles tiles = new FlashTiles(dims, causal, w, scale);
      for (int hi = kvi * g; hi < (kvi + 1) * g; hi++) {
        tiles.backward(pointer(qc), pointer(kc), pointer(vc), pointer(oc), la, pointer(doc), pointer(dq),
            pointer(dk), pointer(dv), bi, hi);
      }
    });
    return new Backward(dq, dk, dv);
  }

  private static void check(int status, String pass, AttentionDims dims) {
    if (status == LlmjCpu.OUT_OF_MEMORY) {
      throw new OutOfMemoryError("native attention " + pass + " could not allocate its per-thread workspace of about "
          + 4L * 7 * Math.max(dims.t(), dims.tk()) * dims.d() / (1 << 20) + " MiB for " + dims);
    }
    if (status != LlmjCpu.OK) {
      throw new IllegalStateException("native attention " + pass + " returned " + status + " for " + dims);
    }
  }

  /** Runs the native tasks on this kernel's pool; they call no BLAS. */
  private void parallel(int tasks, IntConsumer task) {
    try {
      pool.submit(() -> IntStream.range(0, tasks).parallel().forEach(task)).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("attention interrupted", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
    }
  }

  /**
   * Runs the Java tiles' tasks with OpenBLAS held to one thread, so that their per-task products
   * neither oversubscribe the cores nor depend on how OpenBLAS splits them. (Setting the count costs
   * about 0.4 ms each way, so the native path does not.)
   */
  private void parallelWithSerialBlas(int tasks, IntConsumer task) {
    int blasThreads = openblas_nolapack.blas_get_num_threads();
    openblas_nolapack.blas_set_num_threads(1);
    try {
      parallel(tasks, task);
    } finally {
      if (blasThreads > 0) {
        openblas_nolapack.blas_set_num_threads(blasThreads);
      }
    }
  }

  static void requireShape(String name, INDArray x, long[] shape) {
    if (!java.util.Arrays.equals(x.shape(), shape)) {
      throw new IllegalArgumentException(name + " must have shape " + java.util.Arrays.toString(shape) + ", got "
          + java.util.Arrays.toString(x.shape()));
    }
  }

  private static INDArray denseC(INDArray x) {
    return isDenseC(x) ? x : x.dup('c');
  }

  /** The native address of element {@code offset} of a dense array. */
  private static long address(INDArray x, long offset) {
    FloatPointer p = pointer(x);
    return p.address() + (p.position() + offset) * Float.BYTES;
  }

  /** A fresh pointer to the first element, so that tasks never share a pointer's position. */
  private static FloatPointer pointer(INDArray x) {
    return new FloatPointer(x.data().addressPointer());
  }

  static boolean isDenseC(INDArray x) {
    if (x.ordering() != 'c') {
      return false;
    }
    long expected = 1;
    for (int i = x.rank() - 1; i >= 0; i--) {
      if (x.size(i) != 1 && x.stride(i) != expected) {
        return false;
      }
      expected *= x.size(i);
    }
    return true;
  }
}
