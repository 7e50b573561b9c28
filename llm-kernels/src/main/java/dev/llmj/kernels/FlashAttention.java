package dev.llmj.kernels;

import dev.llmj.core.kernel.AttentionKernel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Tiled causal attention on the CPU ({@link FlashTiles}), run in parallel over (batch, head) on a
 * fixed pool. Each task owns disjoint output rows and sums its grouped heads in a fixed order, so
 * results are bitwise the same for any thread count. DOUBLE inputs take the exact streaming path
 * ({@link ExactAttention}), meant for gradient checks rather than speed.
 */
final class FlashAttention implements AttentionKernel {

  private static final Map<Integer, ForkJoinPool> POOLS = new ConcurrentHashMap<>();

  private final ForkJoinPool pool;

  FlashAttention(int threads) {
    this.pool = POOLS.computeIfAbsent(threads, ForkJoinPool::new);
  }

  @Override
  public String name() {
    return "cpu-flash";
  }

  @Override
  public Forward forward(INDArray q, INDArray k, INDArray v, boolean causal, double scale) {
    AttentionDims dims = AttentionDims.of(q, k, v);
    if (q.dataType() == DataType.DOUBLE) {
      return ExactAttention.forward(dims, q, k, v, causal, scale);
    }
    float[] qa = floats(q), ka = floats(k), va = floats(v);
    float[] out = new float[qa.length];
    float[] lse = new float[dims.b() * dims.h() * dims.t()];
    int g = dims.group();
    // one task per (batch, kv head): its G query heads reuse the gathered keys
    parallel(dims.b() * dims.hkv(), task -> {
      int bi = task / dims.hkv(), kvi = task % dims.hkv();
      FlashTiles tiles = new FlashTiles(dims, causal, scale);
      tiles.loadKeys(ka, va, bi, kvi);
      for (int hi = kvi * g; hi < (kvi + 1) * g; hi++) {
        tiles.forward(qa, bi, hi, out, lse);
      }
    });
    return new Forward(Nd4j.create(out, dims.queryShape(), 'c'), Nd4j.create(lse, dims.lseShape(), 'c'));
  }

  @Override
  public Backward backward(INDArray q, INDArray k, INDArray v, INDArray out, INDArray lse, INDArray dOut,
      boolean causal, double scale) {
    AttentionDims dims = AttentionDims.of(q, k, v);
    requireShape("out", out, dims.queryShape());
    requireShape("dOut", dOut, dims.queryShape());
    requireShape("lse", lse, dims.lseShape());
    if (q.dataType() == DataType.DOUBLE) {
      return ExactAttention.backward(dims, q, k, v, out, lse, dOut, causal, scale);
    }
    float[] qa = floats(q), ka = floats(k), va = floats(v);
    float[] oa = floats(out), la = floats(lse.castTo(DataType.FLOAT)), doa = floats(dOut);
    float[] dq = new float[qa.length], dk = new float[ka.length], dv = new float[va.length];
    int g = dims.group(), d = dims.d();
    parallel(dims.b() * dims.hkv(), task -> {
      int bi = task / dims.hkv(), kvi = task % dims.hkv();
      FlashTiles tiles = new FlashTiles(dims, causal, scale);
      tiles.loadKeys(ka, va, bi, kvi);
      float[] dkHead = new float[dims.tk() * d], dvHead = new float[dims.tk() * d];
      for (int hi = kvi * g; hi < (kvi + 1) * g; hi++) {
        tiles.backward(qa, oa, la, doa, bi, hi, dq, dkHead, dvHead);
      }
      for (int j = 0; j < dims.tk(); j++) {
        System.arraycopy(dkHead, j * d, dk, dims.kv(bi, j, kvi), d);
        System.arraycopy(dvHead, j * d, dv, dims.kv(bi, j, kvi), d);
      }
    });
    return new Backward(Nd4j.create(dq, dims.queryShape(), 'c'), Nd4j.create(dk, dims.keyShape(), 'c'),
        Nd4j.create(dv, dims.keyShape(), 'c'));
  }

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

  static void requireShape(String name, INDArray x, long[] shape) {
    if (!java.util.Arrays.equals(x.shape(), shape)) {
      throw new IllegalArgumentException(name + " must have shape " + java.util.Arrays.toString(shape) + ", got "
          + java.util.Arrays.toString(x.shape()));
    }
  }

  /** The elements of a FLOAT array in c-order, read in one native copy. */
  private static float[] floats(INDArray x) {
    INDArray dense = isDenseC(x) ? x : x.dup('c');
    float[] a = new float[(int) dense.length()];
    if (a.length > 0) {
      ((FloatPointer) dense.data().addressPointer()).get(a);
    }
    return a;
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
