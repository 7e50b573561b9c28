package dev.llmj.core.layers;

import dev.llmj.core.spi.AttentionKernel;
import dev.llmj.core.spi.KernelRegistry;
import dev.llmj.core.spi.ReferenceAttention;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

/**
 * Forward and backward of {@link DecoderBlockConfig}. Every matrix product runs on (N, C) views of the
 * (B, T, C) activations, N = B*T; only the attention kernel sees the (B, T, H, D) view.
 */
final class DecoderBlockLayer extends MeanLossLayer<DecoderBlockConfig> {

  /** Cached decoding reads keys longer than its queries, which the reference kernel supports. */
  private static final AttentionKernel CACHED_ATTENTION = new ReferenceAttention();

  /**
   * Forward intermediates that backward reads (q and k after their norms and rotation; the per-head
   * norms' state; the MLP activation and GELU's tanh).
   */
  private record Saved(INDArray input, Norm.Saved n1, INDArray h1, Norm.Saved nq, Norm.Saved nk, INDArray q,
      INDArray k, INDArray v, INDArray att, INDArray lse, INDArray drop1, Norm.Saved n2, INDArray h2, INDArray a,
      INDArray u, INDArray g, INDArray tanh, INDArray drop2) {

    Saved keep(LayerWorkspaceMgr m) {
      return new Saved(input, keep(m, n1), Ops.keep(m, h1), keep(m, nq), keep(m, nk), Ops.keep(m, q), Ops.keep(m, k),
          Ops.keep(m, v), Ops.keep(m, att), Ops.keep(m, lse), Ops.keep(m, drop1), keep(m, n2), Ops.keep(m, h2),
          Ops.keep(m, a), Ops.keep(m, u), Ops.keep(m, g), Ops.keep(m, tanh), Ops.keep(m, drop2));
    }

    private static Norm.Saved keep(LayerWorkspaceMgr m, Norm.Saved s) {
      return s == null ? null : new Norm.Saved(Ops.keep(m, s.xhat()), Ops.keep(m, s.rstd()));
    }

    /** What recomputation keeps: the input and the dropout masks, so that backward's forward draws none. */
    Saved forRecompute() {
      return new Saved(input, null, null, null, null, null, null, null, null, null, drop1, null, null, null, null,
          null, null, drop2);
    }

    boolean recompute() {
      return q == null;
    }
  }

  private Saved saved;

  DecoderBlockLayer(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  /**
   * Forward. In training the intermediates are kept for backward, or with {@link DecoderBlockConfig#isRecompute}
   * only the input and dropout masks: the intermediates then live in the layer's working memory, which
   * the next layer reuses, and backward computes them again.
   */
  @Override
  public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
    assertInputSet(false);
    Saved[] s = new Saved[1];
    INDArray out;
    boolean recompute = training && layerConf().isRecompute();
    if (training && !recompute && mgr.hasConfiguration(ArrayType.FF_CACHE)
        && mgr.isWorkspaceOpen(ArrayType.FF_CACHE)) {
      // Made in the forward cache, the intermediates that backward reads need no copy there.
      try (org.nd4j.linalg.api.memory.MemoryWorkspace ws = mgr.notifyScopeBorrowed(ArrayType.FF_CACHE)) {
        out = run(input, true, null, s);
      }
    } else {
      out = run(input, training, null, s);
    }
    saved = training ? (recompute ? s[0].forRecompute() : s[0]).keep(mgr) : null;
    return mgr.leverageTo(ArrayType.ACTIVATIONS, out);
  }

  /** Decoding step: runs x (B, n, C) at the cache's next positions, appending its keys and values. */
  INDArray decode(INDArray x, KvCache cache) {
    return run(x, false, cache, null);
  }

  private INDArray param(String key) {
    return params.get(key);
  }

  /** {@code x W + b}; the bias goes in as the rank-1 product {@code 1 b} (ND4J's row broadcast is slower). */
  private INDArray linear(INDArray x, String name) {
    INDArray y = Ops.mm(x, false, param("w" + name), false);
    if (layerConf().hasBias(name)) {
      INDArray b = param("b" + name);
      Ops.gemm(true, false, ones(y.size(0), y.dataType()), b.reshape(1, b.length()), 1, y);
    }
    return y;
  }

  private INDArray run(INDArray x3, boolean training, KvCache cache, Saved[] save) {
    return run(x3, training, cache, save, null);
  }

  /** The forward pass; with {@code masks}, training reuses their dropout masks instead of drawing new ones. */
  private INDArray run(INDArray x3, boolean training, KvCache cache, Saved[] save, Saved masks) {
    DecoderBlockConfig cfg = layerConf();
    if (x3.rank() != 3 || x3.size(2) != cfg.getDModel()) {
      throw new IllegalArgumentException("decoder block " + layerId() + " wants (B, T, C=" + cfg.getDModel()
          + "), got " + java.util.Arrays.toString(x3.shape()));
    }
    INDArray original = x3;
    if (!Shape.hasDefaultStridesForShape(x3)) {
      x3 = x3.dup('c');
    }
    long b = x3.size(0), t = x3.size(1), c = cfg.getDModel(), n = b * t;
    long h = cfg.getNHeads(), hkv = cfg.getNKvHeads(), d = cfg.headSize();
    INDArray x = x3.reshape(n, c);

    Norm.Saved[] n1 = new Norm.Saved[1];
    INDArray h1 = Norm.forward(x, cfg.getNorm(), cfg.getNormEps(), param("norm1gain"), params.get("norm1bias"), n1);
    Norm.Saved[] nq = new Norm.Saved[1], nk = new Norm.Saved[1];
    INDArray q = headNorm(linear(h1, "q"), "qnorm", nq).reshape(b, t, h, d);
    INDArray k = headNorm(linear(h1, "k"), "knorm", nk).reshape(b, t, hkv, d);
    INDArray v = linear(h1, "v").reshape(b, t, hkv, d);
    long start = cache == null ? 0 : cache.length();
    if (cfg.getRopeTheta() > 0) {
      Rotary rotary = rotary(start, t, x.dataType());
      q = rotary.apply(q);
      k = rotary.apply(k);
    }
    double scale = 1 / Math.sqrt(d);
    AttentionKernel.Forward f;
    if (cache == null) {
      f = KernelRegistry.attention().forward(q, k, v, true, cfg.getWindow(), scale);
    } else {
      cache.append(k, v);
      f = CACHED_ATTENTION.forward(q, cache.keys(), cache.values(), true, cfg.getWindow(), scale);
    }
    INDArray att = f.out();
    INDArray y = linear(att.reshape(n, h * d), "o");
    INDArray drop1 = masks != null ? masks.drop1() : Ops.dropoutMask(cfg.getDropout(), y, training);
    if (drop1 != null) {
      y.muli(drop1);
    }
    INDArray x1 = Ops.addInPlace(y, x);

    Norm.Saved[] n2 = new Norm.Saved[1];
    INDArray h2 = Norm.forward(x1, cfg.getNorm(), cfg.getNormEps(), param("norm2gain"), params.get("norm2bias"), n2);
    INDArray a, u = null, g, tanh = null;
    if (cfg.getMlp() == MlpKind.SWIGLU) {
      a = Ops.mm(h2, false, param("wgate"), false);
      u = linear(h2, "up");
      g = Ops.swiglu(a, u);
    } else if (cfg.getMlp() == MlpKind.GEGLU) {
      a = Ops.mm(h2, false, param("wgate"), false);
      u = linear(h2, "up");
      INDArray[] gt = Ops.gelu(a);
      g = gt[0].muli(u);
      tanh = gt[1];
    } else {
      a = linear(h2, "up");
      INDArray[] gt = Ops.gelu(a);
      g = gt[0];
      tanh = gt[1];
    }
    INDArray m = linear(g, "down");
    INDArray drop2 = masks != null ? masks.drop2() : Ops.dropoutMask(cfg.getDropout(), m, training);
    if (drop2 != null) {
      m.muli(drop2);
    }
    if (save != null) {
      save[0] = new Saved(original, n1[0], h1, nq[0], nk[0], q, k, v, att, f.lse(), drop1, n2[0], h2, a, u, g, tanh,
          drop2);
    }
    return Ops.addInPlace(m, x1).reshape(b, t, c);
  }

  /** Rotary tables for positions {@code start .. start+t-1}, with the block's frequencies. */
  private Rotary rotary(long start, long t, DataType type) {
    DecoderBlockConfig cfg = layerConf();
    return new Rotary(start, t, cfg.ropeScaling().inverseFrequencies(cfg.getRopeTheta(), cfg.headSize()), type);
  }

  /** The per-head norm {@code name} of projected queries or keys (N, heads*D), when the block has one. */
  private INDArray headNorm(INDArray x, String name, Norm.Saved[] save) {
    DecoderBlockConfig cfg = layerConf();
    if (!cfg.isQkNorm()) {
      return x;
    }
    long d = cfg.headSize();
    INDArray rows = x.reshape(x.length() / d, d); // (N*heads, D)
    return Norm.forward(rows, cfg.getNorm(), cfg.getNormEps(), param(name + "gain"), params.get(name + "bias"), save)
        .reshape(x.shape());
  }

  /** Gradient through {@link #headNorm}: dx (N, heads*D) from dy (B, T, heads, D). */
  private INDArray headNormBackward(INDArray dy, Norm.Saved s, String name, long n) {
    long d = layerConf().headSize(), width = dy.length() / n;
    if (s == null) {
      return dy.reshape(n, width);
    }
    INDArray rows = dy.reshape(dy.length() / d, d);
    return Norm.backward(rows, s, layerConf().getNorm(), param(name + "gain"), gradientViews.get(name + "gain"),
        gradientViews.get(name + "bias")).reshape(n, width);
  }

  @Override
  public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
    assertInputSet(true);
    Saved s = saved;
    if (s == null || s.input() != input) {
      // Forward ran without training (or on other input): redo it. Dropout would draw new masks here,
      // which is why training always goes through activate(true, ...) first.
      Saved[] redo = new Saved[1];
      run(input, true, null, redo);
      s = redo[0];
    } else if (s.recompute()) { // the same forward again, with the masks it drew: the stored path's values
      Saved[] redo = new Saved[1];
      run(input, true, null, redo, s);
      s = redo[0];
    }
    DecoderBlockConfig cfg = layerConf();
    long b = input.size(0), t = input.size(1), c = cfg.getDModel(), n = b * t;
    INDArray dOut = epsilon.dup('c').reshape(n, c);

    INDArray dm = s.drop2() == null ? dOut : dOut.mul(s.drop2());
    weightGrad(s.g(), dm, "down");
    INDArray dg = Ops.mm(dm, false, param("wdown"), true);
    INDArray dh2;
    if (cfg.getMlp().gated()) {
      INDArray[] dau = cfg.getMlp() == MlpKind.SWIGLU ? Ops.swigluBackward(s.a(), s.u(), dg)
          : Ops.gegluBackward(s.a(), s.tanh(), s.u(), dg);
      Ops.gemm(true, false, s.h2(), dau[0], 0, gradientViews.get("wgate"));
      weightGrad(s.h2(), dau[1], "up");
      dh2 = Ops.mm(dau[0], false, param("wgate"), true);
      Ops.gemm(false, true, dau[1], param("wup"), 1, dh2);
    } else {
      INDArray da = Ops.geluBackward(s.a(), s.tanh(), dg);
      weightGrad(s.h2(), da, "up");
      dh2 = Ops.mm(da, false, param("wup"), true);
    }
    INDArray dx1 = Norm.backward(dh2, s.n2(), cfg.getNorm(), param("norm2gain"), gradientViews.get("norm2gain"),
        gradientViews.get("norm2bias"));
    Ops.addInPlace(dx1, dOut);

    INDArray dy = s.drop1() == null ? dx1 : dx1.mul(s.drop1());
    long h = cfg.getNHeads(), hkv = cfg.getNKvHeads(), d = cfg.headSize();
    weightGrad(s.att().reshape(n, h * d), dy, "o");
    INDArray dAtt = Ops.mm(dy, false, param("wo"), true).reshape(b, t, h, d);
    AttentionKernel.Backward bw = KernelRegistry.attention().backward(s.q(), s.k(), s.v(), s.att(), s.lse(), dAtt,
        true, cfg.getWindow(), 1 / Math.sqrt(d));
    INDArray dq = bw.dq(), dk = bw.dk();
    if (cfg.getRopeTheta() > 0) {
      Rotary rotary = rotary(0, t, dq.dataType());
      dq = rotary.backward(dq);
      dk = rotary.backward(dk);
    }
    INDArray dq2 = headNormBackward(dq, s.nq(), "qnorm", n), dk2 = headNormBackward(dk, s.nk(), "knorm", n);
    INDArray dv2 = bw.dv().dup('c').reshape(n, hkv * d);
    weightGrad(s.h1(), dq2, "q");
    weightGrad(s.h1(), dk2, "k");
    weightGrad(s.h1(), dv2, "v");
    INDArray dh1 = Ops.mm(dq2, false, param("wq"), true);
    Ops.gemm(false, true, dk2, param("wk"), 1, dh1);
    Ops.gemm(false, true, dv2, param("wv"), 1, dh1);
    INDArray dx = Norm.backward(dh1, s.n1(), cfg.getNorm(), param("norm1gain"), gradientViews.get("norm1gain"),
        gradientViews.get("norm1bias"));
    Ops.addInPlace(dx, dx1);

    saved = null;
    Gradient grad = new DefaultGradient();
    gradientViews.forEach(grad.gradientForVariable()::put);
    return new Pair<>(grad, mgr.leverageTo(ArrayType.ACTIVATION_GRAD, dx.reshape(b, t, c)));
  }

  /**
   * {@code dW = x^T dy} into the weight's gradient view, and {@code db = sum(dy)} for a bias, as the
   * product {@code 1^T dy}: ND4J's column sum over the N rows is several times slower than one GEMM pass.
   */
  private void weightGrad(INDArray x, INDArray dy, String name) {
    Ops.gemm(true, false, x, dy, 0, gradientViews.get("w" + name));
    if (layerConf().hasBias(name)) {
      INDArray db = gradientViews.get("b" + name);
      Ops.gemm(false, false, ones(dy.size(0), dy.dataType()), dy, 0, db.reshape(1, db.length()));
    }
  }

  private INDArray ones;

  /** A (1, n) row of ones, kept (outside any workspace) while n and the type stay the same. */
  private INDArray ones(long n, org.nd4j.linalg.api.buffer.DataType type) {
    if (ones == null || ones.size(1) != n || ones.dataType() != type) {
      try (org.nd4j.linalg.api.memory.MemoryWorkspace ws = org.nd4j.linalg.factory.Nd4j.getWorkspaceManager()
          .scopeOutOfWorkspaces()) {
        ones = org.nd4j.linalg.factory.Nd4j.ones(type, 1, n);
      }
    }
    return ones;
  }

}
