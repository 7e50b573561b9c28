package dev.llmj.core.spi;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Plain ND4J attention: batched matrix products over (B, Hkv) with the score matrix materialised.
 * It is the path every faster kernel is tested against, so it favours obvious code over speed.
 *
 * <p>Grouped-query attention needs no repeated keys: the G = H / Hkv query heads that share one
 * key/value head are stacked along the row axis, giving queries of shape (B, Hkv, G*T, D) against
 * keys (B, Hkv, Tk, D). Row {@code r} of a group is query position {@code r % T}.
 *
 * <p>Beyond the {@link AttentionKernel} contract, keys and values may be longer than the queries
 * (Tk &gt;= T): the queries are then the last T positions of the sequence and the causal mask is
 * aligned bottom-right. Incremental decoding with a key/value cache relies on this. A sliding window
 * is masked like the future: exactly, with the whole score matrix still computed.
 */
public final class ReferenceAttention implements AttentionKernel {

  @Override
  public String name() {
    return "reference";
  }

  @Override
  public Forward forward(INDArray q, INDArray k, INDArray v, boolean causal, int window, double scale) {
    Shape s = Shape.of(q, k, v);
    INDArray qg = s.groupQueries(q); // (B, Hkv, G*T, D)
    INDArray p = s.scores(qg, k, causal, window, scale); // (B, Hkv, G*T, Tk), still raw scores
    INDArray rows = p.reshape(s.b * s.hkv * s.g * s.t, s.tk);
    INDArray max = rows.max(1).reshape(rows.size(0), 1);
    rows.subiColumnVector(max);
    Transforms.exp(rows, false);
    INDArray sum = rows.sum(1).reshape(rows.size(0), 1);
    rows.diviColumnVector(sum);
    INDArray lse = Transforms.log(sum, false).addi(max).reshape(s.b, s.h, s.t);
    INDArray og = Nd4j.matmul(p, s.perHead(v)); // (B, Hkv, G*T, D)
    return new Forward(s.ungroup(og), lse);
  }

  @Override
  public Backward backward(
      INDArray q, INDArray k, INDArray v, INDArray out, INDArray lse, INDArray dOut,
      boolean causal, int window, double scale) {
    Shape s = Shape.of(q, k, v);
    INDArray qg = s.groupQueries(q);
    INDArray p = s.scores(qg, k, causal, window, scale);
    INDArray rows = p.reshape(s.b * s.hkv * s.g * s.t, s.tk);
    rows.subiColumnVector(lse.reshape(rows.size(0), 1).castTo(p.dataType()));
    Transforms.exp(rows, false); // P, recomputed from the saved log-sum-exp
    INDArray dog = s.groupQueries(dOut);
    INDArray og = s.groupQueries(out);
    INDArray kh = s.perHead(k);
    INDArray vh = s.perHead(v);
    INDArray dv = Nd4j.matmul(p, dog, true, false, false); // (B, Hkv, Tk, D), summed over groups
    INDArray dp = Nd4j.matmul(dog, vh, false, true, false); // (B, Hkv, G*T, Tk)
    INDArray delta = dog.mul(og).sum(3).reshape(rows.size(0), 1); // rowsum(dO * O) = rowsum(P * dP)
    INDArray ds = dp.reshape(rows.size(0), s.tk).subiColumnVector(delta).muli(rows).muli(scale);
    ds = ds.reshape(s.b, s.hkv, s.g * s.t, s.tk);
    INDArray dqg = Nd4j.matmul(ds, kh); // (B, Hkv, G*T, D)
    INDArray dk = Nd4j.matmul(ds, qg, true, false, false); // (B, Hkv, Tk, D)
    return new Backward(s.ungroup(dqg), s.fromPerHead(dk), s.fromPerHead(dv));
  }

  /** Sizes of one call, validated once; the helpers below only move axes around. */
  private record Shape(long b, long t, long tk, long h, long hkv, long g, long d) {

    static Shape of(INDArray q, INDArray k, INDArray v) {
      if (q.rank() != 4 || k.rank() != 4 || v.rank() != 4) {
        throw new IllegalArgumentException("attention wants rank-4 q (B, T, H, D), k and v (B, Tk, Hkv, D); got q "
            + java.util.Arrays.toString(q.shape()) + ", k " + java.util.Arrays.toString(k.shape()));
      }
      long b = q.size(0), t = q.size(1), h = q.size(2), d = q.size(3);
      long tk = k.size(1), hkv = k.size(2);
      if (k.size(0) != b || k.size(3) != d || !java.util.Arrays.equals(k.shape(), v.shape())) {
        throw new IllegalArgumentException("k and v must be (B=" + b + ", Tk, Hkv, D=" + d + ") and equal; got k "
            + java.util.Arrays.toString(k.shape()) + ", v " + java.util.Arrays.toString(v.shape()));
      }
      if (h % hkv != 0) {
        throw new IllegalArgumentException("query heads H=" + h + " must be a multiple of key/value heads Hkv=" + hkv);
      }
      if (tk < t) {
        throw new IllegalArgumentException("keys Tk=" + tk + " must be at least as long as queries T=" + t);
      }
      DataType dt = q.dataType();
      if ((dt != DataType.FLOAT && dt != DataType.DOUBLE) || k.dataType() != dt || v.dataType() != dt) {
        throw new IllegalArgumentException("attention supports FLOAT or DOUBLE with equal types; got q " + dt
            + ", k " + k.dataType() + ", v " + v.dataType());
      }
      return new Shape(b, t, tk, h, hkv, h / hkv, d);
    }

    /** (B, T, H, D) to (B, Hkv, G*T, D): head h = kv*G + g goes to row g*T + t of group kv. */
    INDArray groupQueries(INDArray x) {
      return x.reshape('c', b, t, hkv, g, d).permute(0, 2, 3, 1, 4).dup('c').reshape(b, hkv, g * t, d);
    }

    INDArray ungroup(INDArray x) {
      return x.reshape('c', b, hkv, g, t, d).permute(0, 3, 1, 2, 4).dup('c').reshape(b, t, h, d);
    }

    /** (B, Tk, Hkv, D) to (B, Hkv, Tk, D). */
    INDArray perHead(INDArray x) {
      return x.permute(0, 2, 1, 3).dup('c');
    }

    INDArray fromPerHead(INDArray x) {
      return x.permute(0, 2, 1, 3).dup('c');
    }

    /**
     * Scaled scores with the mask added as -infinity: keys after the query's position i, and with a
     * window W those at or before i - W; (B, Hkv, G*T, Tk), c-order.
     */
    INDArray scores(INDArray qg, INDArray k, boolean causal, int window, double scale) {
      boolean windowed = AttentionKernel.windowed(causal, window, tk);
      INDArray sc = Nd4j.matmul(qg, perHead(k), false, true, false).muli(scale);
      if (causal && tk > 1) {
        double[] mask = new double[(int) (g * t * tk)];
        long shift = tk - t;
        for (int r = 0; r < g * t; r++) {
          long i = (r % t) + shift; // query r's position
          for (long j = i + 1; j < tk; j++) { // keys in the future of query r
            mask[(int) (r * tk + j)] = Double.NEGATIVE_INFINITY;
          }
          for (long j = 0; windowed && j <= i - window; j++) { // keys that slid out of its window
            mask[(int) (r * tk + j)] = Double.NEGATIVE_INFINITY;
          }
        }
        sc.reshape(b * hkv, g * t * tk).addiRowVector(Nd4j.create(mask, new long[] {1, g * t * tk}, sc.dataType()));
      }
      return sc;
    }
  }
}
