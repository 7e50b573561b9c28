package dev.llmj.kernels.cuda;

import dev.llmj.core.spi.AttentionKernel;
import java.util.Arrays;
import java.util.Optional;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Causal (or full) flash attention on the GPU, {@code llmj_attention_forward/backward}, in two forms:
 *
 * <ul>
 *   <li>an {@link AttentionKernel} ({@code "cuda"}) for the decoder layers on an nd4j-cuda backend,
 *       from {@link CudaKernels#attention()}: it runs on the arrays' device memory and the thread's
 *       ND4J stream, with no copies. Calls the kernels do not take (DOUBLE, head sizes other than 64
 *       and 128, keys longer than queries, a sliding window) go to the plain ND4J kernel it was given, so the layer
 *       never has to know;
 *   <li>static methods on {@link CudaBuffer}s, for machines where nd4j-cuda cannot run (Hopper).
 * </ul>
 *
 * <pre>{@code
 * var s = new CudaAttention.Shape(2, 128, 12, 4, 64);   // B, T, H, Hkv, D
 * try (CudaBuffer q = CudaBuffer.of(qs); CudaBuffer k = CudaBuffer.of(ks); CudaBuffer v = CudaBuffer.of(vs);
 *     CudaBuffer out = CudaBuffer.allocate(s.queryElements() * 4);
 *     CudaBuffer lse = CudaBuffer.allocate(s.lseElements() * 4)) {
 *   CudaAttention.forward(CudaType.F32, q, k, v, out, lse, s, true, (float) (1 / Math.sqrt(64)));
 *   out.copyTo(result);                                 // float[B*T*H*D]
 * }
 * }</pre>
 *
 * Layouts as in {@link AttentionKernel}: q, out (B, T, H, D); k, v (B, T, Hkv, D); lse fp32 (B, H, T).
 */
public final class CudaAttention implements AttentionKernel {

  private static final Logger LOG = LoggerFactory.getLogger(CudaAttention.class);

  private final AttentionKernel fallback;
  private volatile boolean loggedFallback;

  CudaAttention(AttentionKernel fallback) {
    this.fallback = fallback;
  }

  /**
   * Sizes of one call the CUDA kernels take: every size at least 1, {@code H % Hkv == 0}, D 64 or
   * 128, and each tensor under 2^31 elements.
   */
  public record Shape(int b, int t, int h, int hkv, int d) {

    public Shape {
      if (b < 1 || t < 1 || h < 1 || hkv < 1) {
        throw new IllegalArgumentException("attention sizes must be >= 1; got B=" + b + ", T=" + t + ", H=" + h
            + ", Hkv=" + hkv);
      }
      if (h % hkv != 0) {
        throw new IllegalArgumentException("query heads H=" + h + " must be a multiple of key/value heads Hkv=" + hkv);
      }
      if (d != 64 && d != 128) {
        throw new IllegalArgumentException("head size D=" + d + " is not built; the CUDA kernels take D=64 or 128");
      }
      if ((long) b * t * h * d > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("q of B=" + b + ", T=" + t + ", H=" + h + ", D=" + d
            + " has over 2^31 elements; split the batch");
      }
    }

    /** Elements of q, out, dOut, dq. */
    public long queryElements() {
      return (long) b * t * h * d;
    }

    /** Elements of k, v, dk, dv. */
    public long keyElements() {
      return (long) b * t * hkv * d;
    }

    /** Elements of lse (always fp32). */
    public long lseElements() {
      return (long) b * h * t;
    }
  }

  /** Forward on device buffers, queued on the default stream; writes out and lse. */
  public static void forward(CudaType type, CudaBuffer q, CudaBuffer k, CudaBuffer v, CudaBuffer out,
      CudaBuffer lse, Shape s, boolean causal, float scale) {
    long qb = s.queryElements() * type.bytes(), kb = s.keyElements() * type.bytes(), lb = s.lseElements() * 4;
    Pointer pq = q.pointer("q", qb), pk = k.pointer("k", kb), pv = v.pointer("v", kb);
    Pointer po = out.pointer("out", qb), pl = lse.pointer("lse", lb);
    requireFinite(scale);
    CudaRuntime.require();
    CudaRuntime.check(LlmjCuda.llmj_attention_forward(type.code, pq, pk, pv, po, pl, s.b(), s.t(), s.h(), s.hkv(),
        s.d(), causal ? 1 : 0, scale, null), "llmj_attention_forward");
  }

  /** Backward on device buffers, queued on the default stream; overwrites dq, dk and dv. */
  public static void backward(CudaType type, CudaBuffer q, CudaBuffer k, CudaBuffer v, CudaBuffer out,
      CudaBuffer lse, CudaBuffer dOut, CudaBuffer dq, CudaBuffer dk, CudaBuffer dv, Shape s, boolean causal,
      float scale) {
    long qb = s.queryElements() * type.bytes(), kb = s.keyElements() * type.bytes(), lb = s.lseElements() * 4;
    Pointer pq = q.pointer("q", qb), pk = k.pointer("k", kb), pv = v.pointer("v", kb);
    Pointer po = out.pointer("out", qb), pl = lse.pointer("lse", lb), pdo = dOut.pointer("dOut", qb);
    Pointer pdq = dq.pointer("dq", qb), pdk = dk.pointer("dk", kb), pdv = dv.pointer("dv", kb);
    requireFinite(scale);
    CudaRuntime.require();
    long wb = LlmjCuda.llmj_attention_backward_workspace(type.code, s.b(), s.t(), s.h(), s.hkv(), s.d());
    try (CudaBuffer workspace = CudaBuffer.allocate(wb)) {
      CudaRuntime.check(LlmjCuda.llmj_attention_backward(type.code, pq, pk, pv, po, pl, pdo, pdq, pdk, pdv,
          workspace.pointer("workspace", wb), wb, s.b(), s.t(), s.h(), s.hkv(), s.d(), causal ? 1 : 0, scale, null),
          "llmj_attention_backward");
      // the workspace is freed when this returns: wait until the kernel no longer reads it
      CudaRuntime.check(LlmjCuda.llmj_synchronize(), "llmj_synchronize");
    }
  }

  @Override
  public String name() {
    return "cuda";
  }

  @Override
  public Forward forward(INDArray q, INDArray k, INDArray v, boolean causal, int window, double scale) {
    Optional<Shape> taken = shapeOf(q, k, v, window);
    if (taken.isEmpty()) {
      return fallback.forward(q, k, v, causal, window, scale);
    }
    Shape s = taken.get();
    CudaRuntime.require();
    INDArray qc = dense(q), kc = dense(k), vc = dense(v);
    INDArray out = Nd4j.createUninitialized(DataType.FLOAT, q.shape(), 'c');
    INDArray lse = Nd4j.createUninitialized(DataType.FLOAT, new long[] {s.b(), s.h(), s.t()}, 'c');
    try (Nd4jCuda.Launch l = Nd4jCuda.launch(new INDArray[] {out, lse}, qc, kc, vc)) {
      CudaRuntime.check(LlmjCuda.llmj_attention_forward(CudaType.F32.code, l.device(qc), l.device(kc), l.device(vc),
          l.device(out), l.device(lse), s.b(), s.t(), s.h(), s.hkv(), s.d(), causal ? 1 : 0, (float) scale,
          l.stream()), "llmj_attention_forward");
    }
    return new Forward(out, lse);
  }

  @Override
  public Backward backward(INDArray q, INDArray k, INDArray v, INDArray out, INDArray lse, INDArray dOut,
      boolean causal, int window, double scale) {
    Optional<Shape> taken = shapeOf(q, k, v, window);
    if (taken.isEmpty()) {
      return fallback.backward(q, k, v, out, lse, dOut, causal, window, scale);
    }
    Shape s = taken.get();
    requireShape("out", out, q.shape());
    requireShape("dOut", dOut, q.shape());
    requireShape("lse", lse, new long[] {s.b(), s.h(), s.t()});
    CudaRuntime.require();
    INDArray qc = dense(q), kc = dense(k), vc = dense(v), oc = dense(out), lc = dense(lse), doc = dense(dOut);
    INDArray dq = Nd4j.createUninitialized(DataType.FLOAT, q.shape(), 'c');
    INDArray dk = Nd4j.createUninitialized(DataType.FLOAT, k.shape(), 'c');
    INDArray dv = Nd4j.createUninitialized(DataType.FLOAT, v.shape(), 'c');
    long wb = LlmjCuda.llmj_attention_backward_workspace(CudaType.F32.code, s.b(), s.t(), s.h(), s.hkv(), s.d());
    // scratch as an ND4J array: allocated and freed by ND4J's allocator, like the arrays around it
    INDArray workspace = wb == 0 ? null : Nd4j.createUninitialized(DataType.INT8, wb);
    INDArray[] outputs = workspace == null ? new INDArray[] {dq, dk, dv} : new INDArray[] {dq, dk, dv, workspace};
    try (Nd4jCuda.Launch l = Nd4jCuda.launch(outputs, qc, kc, vc, oc, lc, doc)) {
      CudaRuntime.check(LlmjCuda.llmj_attention_backward(CudaType.F32.code, l.device(qc), l.device(kc),
          l.device(vc), l.device(oc), l.device(lc), l.device(doc), l.device(dq), l.device(dk), l.device(dv),
          workspace == null ? null : l.device(workspace), wb, s.b(), s.t(), s.h(), s.hkv(), s.d(),
          causal ? 1 : 0, (float) scale, l.stream()), "llmj_attention_backward");
    }
    return new Backward(dq, dk, dv);
  }

  /**
   * The shape when the CUDA kernels take these arrays (FLOAT, rank 4, Tk == T, D 64 or 128, a valid
   * grouping, no sliding window), else empty: the fallback then computes the call or rejects it with
   * its own message.
   */
  Optional<Shape> shapeOf(INDArray q, INDArray k, INDArray v, int window) {
    String why = window == 0 ? unsupported(q, k, v) : "a sliding window of " + window + " keys";
    if (why == null) {
      return Optional.of(new Shape((int) q.size(0), (int) q.size(1), (int) q.size(2), (int) k.size(2),
          (int) q.size(3)));
    }
    if (!loggedFallback) {
      loggedFallback = true;
      LOG.info("cuda attention hands calls it does not take to {}: first was {}", fallback.name(), why);
    }
    return Optional.empty();
  }

  /** Why the CUDA kernels do not take these arrays, or null when they do. */
  static String unsupported(INDArray q, INDArray k, INDArray v) {
    if (q.rank() != 4 || k.rank() != 4 || v.rank() != 4) {
      return "ranks " + q.rank() + ", " + k.rank() + ", " + v.rank() + " (want 4)";
    }
    if (q.dataType() != DataType.FLOAT || k.dataType() != DataType.FLOAT || v.dataType() != DataType.FLOAT) {
      return "types " + q.dataType() + ", " + k.dataType() + ", " + v.dataType() + " (want FLOAT)";
    }
    long[] qs = q.shape(), ks = k.shape();
    if (ks[0] != qs[0] || ks[1] != qs[1] || ks[3] != qs[3] || !Arrays.equals(ks, v.shape())) {
      return "q " + Arrays.toString(qs) + ", k " + Arrays.toString(ks) + ", v " + Arrays.toString(v.shape())
          + " (want k and v (B, T, Hkv, D) with q's B, T and D)";
    }
    if (qs[3] != 64 && qs[3] != 128) {
      return "D=" + qs[3] + " (want 64 or 128)";
    }
    if (qs[0] < 1 || qs[1] < 1 || ks[2] < 1 || qs[2] % ks[2] != 0) {
      return "B=" + qs[0] + ", T=" + qs[1] + ", H=" + qs[2] + ", Hkv=" + ks[2];
    }
    if (q.length() > Integer.MAX_VALUE) {
      return "q of " + q.length() + " elements (want under 2^31)";
    }
    return null;
  }

  static void requireShape(String role, INDArray a, long[] shape) {
    if (!Arrays.equals(a.shape(), shape)) {
      throw new IllegalArgumentException(role + " must have shape " + Arrays.toString(shape) + " to match q; got "
          + Arrays.toString(a.shape()));
    }
  }

  /** A dense c-order FLOAT array with offset 0: the kernel reads it from its first element. */
  private static INDArray dense(INDArray a) {
    INDArray f = a.dataType() == DataType.FLOAT ? a : a.castTo(DataType.FLOAT);
    boolean plain = f.ordering() == 'c' && f.offset() == 0 && org.nd4j.linalg.api.shape.Shape.hasDefaultStridesForShape(f);
    return plain ? f : f.dup('c');
  }

  private static void requireFinite(float scale) {
    if (!Float.isFinite(scale)) {
      throw new IllegalArgumentException("scale=" + scale + " must be finite, usually 1 / sqrt(D)");
    }
  }
}
